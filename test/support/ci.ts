// Tests that need tools the machine may lack (Go, built Go fixtures) skip loudly on a laptop but must run in CI.

/** True under CI (`CI=true` or `CI=1`, as GitHub Actions and .ci/run set it). */
export function inCI(): boolean {
  return ['true', '1'].includes((process.env.CI ?? '').toLowerCase());
}

/** Prints a banner that is hard to miss in test output: why tests are skipped and how to make them run. */
export function warnSkipped(what: string, why: string, fix: string): void {
  const line = '!'.repeat(100);
  console.warn(`\n${line}\n!! SKIPPED: ${what}\n!! because ${why}\n!! to run them: ${fix}\n!! (under CI=true these tests fail instead of skipping)\n${line}\n`);
}

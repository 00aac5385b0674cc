// The harness's own tests (unit tests of checks, host, generators; end-to-end runs against fixtures).
// The conformance suites in suites/ are not run from here: the CLI runs them against a plugin.
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type Reporter, type TestCase, type TestSpecification } from 'vitest/node';

/**
 * The longest files first (kill matrix, Go SDK runs, generated-case runs: minutes each), so two workers stay busy to
 * the end instead of one finishing a long file alone; the rest in vitest's own order.
 */
const LONGEST_FIRST = ['test/e2e/cli.test.ts', 'test/e2e/go-plugins.test.ts', 'test/e2e/properties.test.ts', 'test/e2e/targets.test.ts'];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const i = LONGEST_FIRST.findIndex((name) => file.moduleId.endsWith(name));
      return i === -1 ? LONGEST_FIRST.length : i;
    };
    const sorted = await super.sort(files);
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}

/** Prints the plain `N passed, N failed, N skipped` line CI reads, after vitest's own summary. */
function closingLineReporter(): Reporter {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  return {
    onTestCaseResult(testCase: TestCase) {
      const state = testCase.result().state;
      if (state === 'passed' || state === 'failed') counts[state] += 1;
      else counts.skipped += 1;
    },
    onTestRunEnd() {
      process.stdout.write(`\n${counts.passed} passed, ${counts.failed} failed${counts.skipped ? `, ${counts.skipped} skipped` : ''}\n`);
    },
  };
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    // Two files at a time even on 2 cores: the end-to-end files mostly wait on plugin processes (the Go SDK's 5 s
    // log flush, container starts), so overlapping them nearly halves CI time.
    maxWorkers: 2,
    hookTimeout: 60_000,
    reporters: ['default', closingLineReporter()],
    sequence: { sequencer: LongestFirst },
  },
});

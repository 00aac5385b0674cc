// What every suite shares within one run: the run spec, the one plugin process (started lazily), and assertions.
import { inject, type TestContext } from 'vitest';
import { formatViolations, type Violation } from '../../src/contract/violation.js';
import { SetupError } from '../../src/errors.js';
import { UNSUPPORTED_PREFIX } from '../../src/report/outcome.js';
import type { RunSpec } from '../../src/run-spec.js';
import { Session, type SessionOptions } from '../../src/session.js';
import { BinaryLauncher } from '../../src/target/binary.js';

declare module 'vitest' {
  export interface ProvidedContext {
    run: RunSpec;
  }
}

export function runSpec(): RunSpec {
  return inject('run');
}

/** Session options for this run's plugin; suites that need their own process override parts. */
export function sessionOptions(overrides: Partial<SessionOptions> = {}): SessionOptions {
  const spec = runSpec();
  return {
    launcher: new BinaryLauncher(spec.executable),
    pluginName: spec.pluginName,
    pluginConfig: spec.pluginConfig,
    deployTargets: spec.deployTargets,
    readyTimeoutMs: spec.readyTimeoutMs,
    protoRoot: spec.protoRoot,
    ...overrides,
  };
}

let shared: Promise<Session> | undefined;
let setupFailureShown = false;

/** The run's one plugin process, started on first use (suites run in one worker with isolate=false). */
export function sharedSession(): Promise<Session> {
  shared ??= Session.start(sessionOptions());
  return shared;
}

/** True once the shared session was started (so the last suite knows whether to stop it). */
export function sharedSessionStarted(): boolean {
  return shared !== undefined;
}

/**
 * The shared session for a test. When the plugin could not start, the first test to ask fails with the
 * SetupError (exit code 2) and every later one is skipped, so the cause is shown once.
 */
export async function useSession(ctx: TestContext): Promise<Session> {
  try {
    return await sharedSession();
  } catch (error) {
    if (!(error instanceof SetupError) || !setupFailureShown) {
      setupFailureShown = true;
      throw error;
    }
    ctx.skip('not run: the plugin did not start (see the setup error)');
  }
}

/** Marks the test as not applicable to this plugin (reported as `unsupported`, never as passed). */
export function unsupported(ctx: TestContext, why: string): never {
  ctx.skip(`${UNSUPPORTED_PREFIX} ${why}`);
}

/** A failed rule: the message is the list of violations, nothing else. */
class RuleViolation extends Error {
  override name = 'RuleViolation';
}

/** The one assertion suites make: a check found nothing. The message lists every violation with evidence. */
export function expectNoViolations(violations: Violation[]): void {
  if (violations.length) throw new RuleViolation(formatViolations(violations));
}

/** Unique-per-test id prefix derived from the running test's name (for journal attribution). */
export function caseIdOf(ctx: TestContext): string {
  return ctx.task.name;
}

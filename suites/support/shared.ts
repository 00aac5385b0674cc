// What every suite shares within one run: the run spec, the one plugin process (started lazily), and assertions.
import { inject, type TestContext } from 'vitest';
import { formatViolations, type Violation } from '../../src/contract/violation.js';
import { SetupError } from '../../src/errors.js';
import type { OutcomeMeta } from '../../src/report/outcome.js';
import type { RunSpec } from '../../src/run-spec.js';
import { Session, type SessionOptions } from '../../src/session.js';
import { launcherFor } from '../../src/launch/resolve.js';

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
    launcher: launcherFor(spec.target, { pidFile: spec.pidFile, baseEnv: spec.pluginEnv }),
    workDir: spec.workDir,
    pluginName: spec.pluginName,
    pluginConfig: spec.pluginConfig,
    deployTargets: spec.deployTargets,
    readyTimeoutMs: spec.readyTimeoutMs,
    protoRoot: spec.protoRoot,
    tools: spec.tools,
    ...overrides,
  };
}

let shared: Promise<Session> | undefined;
let setupFailureShown = false;

/** The run's one plugin process, started on first use (suites run in one worker with isolate=false). */
export function sharedSession(): Promise<Session> {
  // Only the shared session takes --host-port: sessions a suite starts beside it need ports of their own.
  shared ??= Session.start({ ...sessionOptions(), hostPort: runSpec().hostPort });
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

/** Note on rules not run in attach mode (--address); tests comparing targets key on its first words. */
export const NOT_OWN_PROCESS_NOTE = 'not run in attach mode (--address): the harness does not own the plugin process';

/** Unsupported note of process-environment rules on a container image target (tests comparing targets key on it). */
export const NOT_AN_EXECUTABLE_NOTE = 'the target is not an executable the harness launches (a container image)';

/** Whether the harness started the plugin itself (false in attach mode). */
export function ownsProcess(): boolean {
  return runSpec().ownsProcess;
}

/** Ends a test with an outcome other than passed or failed, recorded as data for the reporters (task meta). */
function endWith(ctx: TestContext, outcome: OutcomeMeta['outcome'], reason: string): never {
  ctx.task.meta.outcome = { outcome, reason };
  ctx.skip(reason);
}

/**
 * Skips a test that must start, stop or restart the plugin, or read its argv, output or exit status, when the
 * harness does not own the process (attach mode). Reported as skipped with a note, never as passed.
 */
export function requireOwnProcess(ctx: TestContext): void {
  if (!ownsProcess()) endWith(ctx, 'skipped', NOT_OWN_PROCESS_NOTE);
}

/** Marks the test as not applicable to this plugin (reported as `unsupported`, never as passed). */
export function unsupported(ctx: TestContext, why: string): never {
  endWith(ctx, 'unsupported', why);
}

/**
 * Marks a rule that applies to this plugin but that the harness could not drive (no valid input for the stage that
 * would show it): reported as `not exercised` with the reason and the input that would fix it. Never passed, never
 * "does not apply".
 */
export function notExercised(ctx: TestContext, why: string): never {
  endWith(ctx, 'not-exercised', why);
}

/** Skips a test whose facts are missing because another rule already failed (named in `why`); never passed. */
export function notRun(ctx: TestContext, why: string): never {
  endWith(ctx, 'skipped', `not run: ${why}`);
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

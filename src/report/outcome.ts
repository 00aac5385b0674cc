// One test's result as the harness reports it, independent of vitest's types.
import type { RuleLevel } from '../contract/rules.js';

/**
 * passed / failed; `unsupported`: the rule does not apply to this plugin (capability absent);
 * `not-exercised`: the rule applies but the harness could not drive it (no valid input for a stage, planning refused
 * every config it had): says why and which input would fix it; `skipped`: deselected by --only/--skip or impossible
 * in attach mode; `setup-error`: the harness could not get the plugin going; `harness-error`: code of the harness threw
 * (a bug in plugin-conformance, never blamed on the plugin); `expected-failure`: failed, but excused by an entry of
 * the --baseline file (src/report/baseline.ts), so it does not fail the run (a MUST one still keeps `release: false`).
 */
export type OutcomeState = 'passed' | 'failed' | 'unsupported' | 'not-exercised' | 'skipped' | 'setup-error' | 'harness-error' | 'expected-failure';

/** Every state, in report order. */
export const OUTCOME_STATES: readonly OutcomeState[] = ['passed', 'failed', 'expected-failure', 'not-exercised', 'unsupported', 'skipped', 'setup-error', 'harness-error'];

export interface TestOutcome {
  /** Full test name, starting with the rule ID. */
  name: string;
  ruleId?: string;
  level?: RuleLevel;
  file: string;
  state: OutcomeState;
  durationMs: number;
  /** Failure messages, or the reason a rule was not run, does not apply or was not exercised. */
  messages: string[];
  /** A harness error's stack, for the bug report. */
  stack?: string;
  /** An expected failure's baseline entry (rule ID, wildcard or test name) and its reason. */
  baseline?: { entry: string; reason: string };
}

/**
 * What a suite records in vitest's task meta when it does not pass or fail a test on its own merits: the outcome and
 * its reason. Reporters read this, never the skip note's wording.
 */
export interface OutcomeMeta {
  outcome: Extract<OutcomeState, 'unsupported' | 'not-exercised' | 'skipped'>;
  reason: string;
}

declare module '@vitest/runner' {
  interface TaskMeta {
    outcome?: OutcomeMeta;
  }
}

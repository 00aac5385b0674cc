// One test's result as the harness reports it, independent of vitest's types.
import type { RuleLevel } from '../contract/rules.js';

/**
 * passed / failed; `unsupported`: the rule does not apply to this plugin (capability absent);
 * `skipped`: deselected by --only/--skip or not runnable; `setup-error`: the harness could not get the plugin going.
 */
export type OutcomeState = 'passed' | 'failed' | 'unsupported' | 'skipped' | 'setup-error';

export interface TestOutcome {
  /** Full test name, starting with the rule ID. */
  name: string;
  ruleId?: string;
  level?: RuleLevel;
  file: string;
  state: OutcomeState;
  durationMs: number;
  /** Failure messages, or the skip note. */
  messages: string[];
}

/** Skip notes that start with this word mark a rule that does not apply to the plugin. */
export const UNSUPPORTED_PREFIX = 'unsupported:';

// A vitest reporter that turns test cases into TestOutcomes (rule ID, level, state, messages).
import type { Reporter, TestCase } from 'vitest/node';
import { rule, ruleIdOf } from '../contract/rules.js';
import type { TestOutcome } from './outcome.js';

export class OutcomeCollector implements Reporter {
  readonly outcomes: TestOutcome[] = [];

  constructor(private readonly root: string) {}

  onTestCaseResult(testCase: TestCase): void {
    this.outcomes.push(toOutcome(testCase, this.root));
  }
}

function toOutcome(testCase: TestCase, root: string): TestOutcome {
  const result = testCase.result();
  const ruleId = ruleIdOf(testCase.name);
  const base = {
    name: testCase.name,
    ruleId,
    level: ruleId ? safeLevel(ruleId) : undefined,
    file: testCase.module.moduleId.replace(root + '/', ''),
    durationMs: Math.round(testCase.diagnostic()?.duration ?? 0),
  };
  if (result.state === 'failed') {
    const errors = result.errors ?? [];
    const state = failureState(errors);
    if (state !== 'harness-error') return { ...base, state, messages: errors.map((e) => e.message) };
    const messages = errors.map((e) => `this is a bug in plugin-conformance, not a finding about the plugin: ${e.name ?? 'Error'}: ${e.message}`);
    return { ...base, state, messages, stack: errors.map((e) => e.stack ?? '').join('\n\n') };
  }
  if (result.state === 'skipped') {
    // Suites record why a test did not pass or fail on its own merits in task meta (suites/support/shared.ts).
    const recorded = testCase.meta().outcome;
    if (recorded) return { ...base, state: recorded.outcome, messages: [recorded.reason] };
    const note = result.note ?? '';
    return { ...base, state: 'skipped', messages: note ? [note] : [] };
  }
  if (result.state === 'passed') return { ...base, state: 'passed', messages: [] };
  return { ...base, state: 'skipped', messages: ['not run'] };
}

/** Errors that are the harness's judgement of the plugin: a rule or property violation, an assertion, a time-out. */
const JUDGEMENTS = new Set(['RuleViolation', 'AssertionError']);
const TIMED_OUT = /^(Test|Hook) timed out/;

/**
 * A failed test is the plugin's failure only when every error is a judgement; a SetupError means the plugin could not
 * be started or reached; anything else (a TypeError in a suite, say) is a bug in the harness.
 */
export function failureState(errors: readonly { name?: string; message: string }[]): 'failed' | 'setup-error' | 'harness-error' {
  if (errors.some((e) => e.name === 'SetupError')) return 'setup-error';
  if (errors.every((e) => JUDGEMENTS.has(e.name ?? '') || TIMED_OUT.test(e.message))) return 'failed';
  return 'harness-error';
}

function safeLevel(id: string) {
  try {
    return rule(id).level;
  } catch {
    return undefined;
  }
}

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
    const setup = errors.some((e) => e.name === 'SetupError');
    return { ...base, state: setup ? 'setup-error' : 'failed', messages: errors.map((e) => e.message) };
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

function safeLevel(id: string) {
  try {
    return rule(id).level;
  } catch {
    return undefined;
  }
}

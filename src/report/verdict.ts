// The run's verdict and exit code from its outcomes: pure, so CI gating is unit-tested.
import type { OutcomeState, TestOutcome } from './outcome.js';

export const EXIT = { conforms: 0, ruleFailed: 1, setup: 2, interrupted: 130 } as const;

export type Counts = Record<OutcomeState, number>;

export function countOutcomes(outcomes: TestOutcome[]): Counts {
  const counts: Counts = { passed: 0, failed: 0, unsupported: 0, skipped: 0, 'setup-error': 0 };
  for (const o of outcomes) counts[o.state] += 1;
  return counts;
}

export interface Verdict {
  exitCode: number;
  /** One sentence for people. */
  summary: string;
}

/** 2 when setup failed or nothing ran, 1 when a rule failed, 0 otherwise. */
export function verdictOf(outcomes: TestOutcome[]): Verdict {
  const counts = countOutcomes(outcomes);
  if (counts['setup-error'] > 0) return { exitCode: EXIT.setup, summary: 'setup error: the plugin could not be started or reached, so nothing was judged' };
  if (counts.passed + counts.failed === 0) return { exitCode: EXIT.setup, summary: 'nothing ran: no test matched the selection' };
  if (counts.failed > 0) {
    const rules = [...new Set(outcomes.filter((o) => o.state === 'failed').map((o) => o.ruleId ?? o.name))];
    return { exitCode: EXIT.ruleFailed, summary: `does not conform: ${rules.join(', ')} failed` };
  }
  return { exitCode: EXIT.conforms, summary: 'conforms: every selected rule passed' };
}

/** The last console line, in the form CI reads: `N passed, N failed` then `, N skipped`. */
export function closingLine(counts: Counts): string {
  const skipped = counts.skipped + counts.unsupported + counts['setup-error'];
  return `${counts.passed} passed, ${counts.failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
}

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
  /** True only when every MUST rule ran and passed (or does not apply): a verdict a release can rest on. */
  release: boolean;
}

export interface VerdictOptions {
  /** SHOULD (and INFO) failures count like MUST failures. */
  strict?: boolean;
}

const unique = (values: string[]) => [...new Set(values)];

/**
 * 2 when setup failed or nothing ran; 1 when a MUST rule failed (any rule with `strict`); 0 otherwise.
 * A failed test whose rule level is unknown counts as MUST, so nothing can slip through ungated.
 */
export function verdictOf(outcomes: TestOutcome[], options: VerdictOptions = {}): Verdict {
  const counts = countOutcomes(outcomes);
  if (counts['setup-error'] > 0) return { exitCode: EXIT.setup, summary: 'setup error: the plugin could not be started or reached, so nothing was judged', release: false };
  if (counts.passed + counts.failed === 0) return { exitCode: EXIT.setup, summary: 'nothing ran: no test matched the selection', release: false };
  const failed = outcomes.filter((o) => o.state === 'failed');
  const gating = unique(failed.filter((o) => options.strict || o.level === 'MUST' || o.level === undefined).map((o) => o.ruleId ?? o.name));
  const advisory = unique(failed.map((o) => o.ruleId ?? o.name)).filter((id) => !gating.includes(id));
  const unselectedMust = unique(outcomes.filter((o) => o.state === 'skipped' && o.level === 'MUST').map((o) => o.ruleId ?? o.name));
  const release = gating.length === 0 && unselectedMust.length === 0;
  const caveat = unselectedMust.length ? `; not a release verdict: MUST rule(s) not run: ${unselectedMust.join(', ')}` : '';
  if (gating.length) return { exitCode: EXIT.ruleFailed, summary: `does not conform: ${gating.join(', ')} failed${advisory.length ? ` (also SHOULD: ${advisory.join(', ')})` : ''}`, release: false };
  if (advisory.length) return { exitCode: EXIT.conforms, summary: `conforms to every MUST rule; SHOULD rule(s) failed: ${advisory.join(', ')} (--strict makes them fail the run)${caveat}`, release };
  return { exitCode: EXIT.conforms, summary: `conforms: every selected rule passed${caveat}`, release };
}

/** The last console line, in the form CI reads: `N passed, N failed` then `, N skipped`. */
export function closingLine(counts: Counts): string {
  const skipped = counts.skipped + counts.unsupported + counts['setup-error'];
  return `${counts.passed} passed, ${counts.failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
}

// The run's verdict and exit code from its outcomes: pure, so CI gating is unit-tested.
import { OUTCOME_STATES, type OutcomeState, type TestOutcome } from './outcome.js';

export const EXIT = { conforms: 0, ruleFailed: 1, setup: 2, interrupted: 130 } as const;

export type Counts = Record<OutcomeState, number>;

export function countOutcomes(outcomes: TestOutcome[]): Counts {
  const counts = Object.fromEntries(OUTCOME_STATES.map((state) => [state, 0])) as Counts;
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
  /** A MUST rule not exercised does not make the exit code 2 (the release flag stays false). */
  allowNotExercised?: boolean;
}

const unique = (values: string[]) => [...new Set(values)];

/**
 * 2 when setup failed or nothing ran; 1 when a MUST rule failed (any rule with `strict`); 2 when a MUST rule was not
 * exercised (unless allowed); 0 otherwise. A failed test whose rule level is unknown counts as MUST, so nothing can
 * slip through ungated.
 */
export function verdictOf(outcomes: TestOutcome[], options: VerdictOptions = {}): Verdict {
  const counts = countOutcomes(outcomes);
  if (counts['harness-error'] > 0) {
    const names = outcomes.filter((o) => o.state === 'harness-error').map((o) => o.ruleId ?? o.name);
    return { exitCode: EXIT.setup, summary: `harness error: a bug in plugin-conformance stopped ${unique(names).join(', ')} (not the plugin's fault; the stack is in results.json; please report it)`, release: false };
  }
  if (counts['setup-error'] > 0) return { exitCode: EXIT.setup, summary: 'setup error: the plugin could not be started or reached, so nothing was judged', release: false };
  if (counts.passed + counts.failed === 0 && counts['not-exercised'] === 0) return { exitCode: EXIT.setup, summary: 'nothing ran: no test matched the selection', release: false };
  const ids = (state: OutcomeState, keep: (o: TestOutcome) => boolean = () => true) => unique(outcomes.filter((o) => o.state === state && keep(o)).map((o) => o.ruleId ?? o.name));
  const gating = ids('failed', (o) => options.strict === true || o.level === 'MUST' || o.level === undefined);
  const advisory = ids('failed').filter((id) => !gating.includes(id));
  const unselectedMust = ids('skipped', (o) => o.level === 'MUST');
  const unexercisedMust = ids('not-exercised', (o) => o.level === 'MUST');
  const release = gating.length === 0 && unselectedMust.length === 0 && unexercisedMust.length === 0;
  const caveats = [
    unselectedMust.length ? `MUST rule(s) not run: ${unselectedMust.join(', ')}` : '',
    unexercisedMust.length ? `MUST rule(s) not exercised: ${unexercisedMust.join(', ')}` : '',
  ].filter(Boolean);
  const caveat = caveats.length ? `; not a release verdict: ${caveats.join('; ')}` : '';
  const also = advisory.length ? ` (also SHOULD: ${advisory.join(', ')})` : '';
  if (gating.length) return { exitCode: EXIT.ruleFailed, summary: `does not conform: ${gating.join(', ')} failed${also}`, release: false };
  if (unexercisedMust.length && !options.allowNotExercised) {
    return {
      exitCode: EXIT.setup,
      summary: `incomplete: MUST rule(s) not exercised: ${unexercisedMust.join(', ')}${also}; give the inputs named in each reason (--app, conformance.stages in --config), or accept with --allow-not-exercised`,
      release: false,
    };
  }
  if (advisory.length) return { exitCode: EXIT.conforms, summary: `conforms to every MUST rule${unexercisedMust.length ? ' it exercised' : ''}; SHOULD rule(s) failed: ${advisory.join(', ')} (--strict makes them fail the run)${caveat}`, release };
  return { exitCode: EXIT.conforms, summary: `conforms: every selected rule passed${caveat}`, release };
}

/**
 * The last console line, in the form CI reads: `N passed, N failed` then `, N skipped` (skipped, unsupported and
 * setup errors), then `, N not exercised` when some rule could not be driven.
 */
export function closingLine(counts: Counts): string {
  const skipped = counts.skipped + counts.unsupported + counts['setup-error'];
  const notExercised = counts['not-exercised'];
  const harness = counts['harness-error'];
  const others = `${notExercised ? `, ${notExercised} not exercised` : ''}${harness ? `, ${harness} harness error${harness > 1 ? 's' : ''}` : ''}`;
  return `${counts.passed} passed, ${counts.failed} failed${skipped || others ? `, ${skipped} skipped` : ''}${others}`;
}

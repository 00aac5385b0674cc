// The run's verdict and exit code from its outcomes: pure, so CI gating is unit-tested.
import { CATALOGUE_EDITION, ruleEdition } from '../contract/rules.js';
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
  /**
   * Failures of rules newer than the pinned `--rules-edition`, one line each naming the edition that makes the rule
   * gating; they change neither the exit code nor the release flag. Absent when there are none.
   */
  warnings?: string[];
}

export interface VerdictOptions {
  /** SHOULD (and INFO) failures count like MUST failures. */
  strict?: boolean;
  /** A MUST rule not exercised does not make the exit code 2 (the release flag stays false). */
  allowNotExercised?: boolean;
  /**
   * `--rules-edition N`: only rules of catalogue editions up to N gate the run; the failures of newer rules are
   * warnings (Verdict.warnings). Default: the current edition (CATALOGUE_EDITION), i.e. every rule gates.
   */
  rulesEdition?: number;
  /** --baseline entries that no longer hold (src/report/baseline.ts): each fails the run (exit 1), named with why. */
  staleBaseline?: { entry: string; why: string }[];
}

/** An outcome's rule edition and whether a failure of it would change the exit code under these options. */
export interface Gating {
  /** The catalogue edition of the outcome's rule; absent for a test that names no catalogue rule. */
  edition?: number;
  /** Within the pinned edition, and MUST (or of unknown level), or any level with `strict`. */
  gating: boolean;
}

/** True when the outcome's rule is within the pinned edition (a test naming no catalogue rule always is). */
export function withinEdition(o: TestOutcome, options: VerdictOptions = {}): boolean {
  const edition = o.ruleId ? ruleEdition(o.ruleId) : undefined;
  return edition === undefined || edition <= (options.rulesEdition ?? CATALOGUE_EDITION);
}

/** The `edition` and `gating` fields results.json gives each outcome. */
export function gatingOf(o: TestOutcome, options: VerdictOptions = {}): Gating {
  const edition = o.ruleId ? ruleEdition(o.ruleId) : undefined;
  const gating = withinEdition(o, options) && (options.strict === true || o.level === 'MUST' || o.level === undefined);
  return edition === undefined ? { gating } : { edition, gating };
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
  if (counts.passed + counts.failed + counts['expected-failure'] === 0 && counts['not-exercised'] === 0) return { exitCode: EXIT.setup, summary: 'nothing ran: no test matched the selection', release: false };
  // Rules newer than the pinned edition neither gate nor make the verdict incomplete: their failures are warnings.
  const pinned = outcomes.filter((o) => withinEdition(o, options));
  const ids = (state: OutcomeState, keep: (o: TestOutcome) => boolean = () => true) => unique(pinned.filter((o) => o.state === state && keep(o)).map((o) => o.ruleId ?? o.name));
  const pinnedEdition = options.rulesEdition ?? CATALOGUE_EDITION;
  const newerFailed = unique(outcomes.filter((o) => o.state === 'failed' && !withinEdition(o, options)).map((o) => o.ruleId!));
  const warnings = newerFailed.map((id) => `${id} failed; not gating: it gates from rules edition ${ruleEdition(id)} (this run gates on edition ${pinnedEdition}, --rules-edition)`);
  const warned = warnings.length ? { warnings } : {};
  const warningNote = warnings.length ? `; warnings (rules newer than edition ${pinnedEdition}): ${newerFailed.join(', ')} failed` : '';
  const gating = ids('failed', (o) => options.strict === true || o.level === 'MUST' || o.level === undefined);
  const advisory = ids('failed').filter((id) => !gating.includes(id));
  const unselectedMust = ids('skipped', (o) => o.level === 'MUST');
  const unexercisedMust = ids('not-exercised', (o) => o.level === 'MUST');
  // Failures the --baseline excuses do not fail the run, but a MUST one is never a release verdict.
  const excused = ids('expected-failure');
  const excusedMust = ids('expected-failure', (o) => o.level === 'MUST' || o.level === undefined);
  const stale = options.staleBaseline ?? [];
  const staleList = stale.map((s) => `${s.entry} (${s.why})`).join('; ');
  const excusedNote = excused.length ? `; failing as the baseline expects: ${excused.join(', ')}` : '';
  const release = gating.length === 0 && unselectedMust.length === 0 && unexercisedMust.length === 0 && excusedMust.length === 0 && stale.length === 0;
  const caveats = [
    excusedMust.length ? `MUST rule(s) failed, excused by the baseline: ${excusedMust.join(', ')}` : '',
    unselectedMust.length ? `MUST rule(s) not run: ${unselectedMust.join(', ')}` : '',
    unexercisedMust.length ? `MUST rule(s) not exercised: ${unexercisedMust.join(', ')}` : '',
  ].filter(Boolean);
  const caveat = caveats.length ? `; not a release verdict: ${caveats.join('; ')}` : '';
  const also = advisory.length ? ` (also SHOULD: ${advisory.join(', ')})` : '';
  if (gating.length) return { exitCode: EXIT.ruleFailed, summary: `does not conform: ${gating.join(', ')} failed${also}${stale.length ? `; stale baseline entries: ${staleList}` : ''}${warningNote}`, release: false, ...warned };
  if (stale.length) return { exitCode: EXIT.ruleFailed, summary: `baseline is stale: ${staleList}; fix the failures or the entries (--update-baseline --reason TEXT prunes entries that now pass)${excusedNote}${warningNote}`, release: false, ...warned };
  if (unexercisedMust.length && !options.allowNotExercised) {
    return {
      exitCode: EXIT.setup,
      summary: `incomplete: MUST rule(s) not exercised: ${unexercisedMust.join(', ')}${also}; give the inputs named in each reason (--app, conformance.stages in --config), or accept with --allow-not-exercised${warningNote}`,
      release: false,
      ...warned,
    };
  }
  if (advisory.length) return { exitCode: EXIT.conforms, summary: `conforms to every MUST rule${unexercisedMust.length ? ' it exercised' : ''}; SHOULD rule(s) failed: ${advisory.join(', ')} (--strict makes them fail the run)${excusedNote}${caveat}${warningNote}`, release, ...warned };
  if (warnings.length) return { exitCode: EXIT.conforms, summary: `conforms to every rule of edition ${pinnedEdition} it ran${excusedNote}${caveat}${warningNote}`, release, ...warned };
  if (excused.length) return { exitCode: EXIT.conforms, summary: `conforms except for failures the baseline expects: ${excused.join(', ')}${caveat}`, release };
  return { exitCode: EXIT.conforms, summary: `conforms: every selected rule passed${caveat}`, release };
}

/**
 * The last console line, in the form CI reads: `N passed, N failed` then `, N skipped` (skipped, unsupported and
 * setup errors), then `, N not exercised` when some rule could not be driven, then `, N harness error(s)`, then
 * `, N expected failure(s)` (failures the --baseline excuses).
 */
export function closingLine(counts: Counts): string {
  const skipped = counts.skipped + counts.unsupported + counts['setup-error'];
  const notExercised = counts['not-exercised'];
  const harness = counts['harness-error'];
  const expected = counts['expected-failure'];
  const others = `${notExercised ? `, ${notExercised} not exercised` : ''}${harness ? `, ${harness} harness error${harness > 1 ? 's' : ''}` : ''}${expected ? `, ${expected} expected failure${expected > 1 ? 's' : ''}` : ''}`;
  return `${counts.passed} passed, ${counts.failed} failed${skipped || others ? `, ${skipped} skipped` : ''}${others}`;
}

// Properties over generated requests: the planning, execution and callback rules, and API-007, checked on requests
// fast-check derives from the plugin's own stage names, kind and deploy targets. A failure is shrunk to its smallest
// request and printed with a command that replays exactly that case (--seed S --replay ID:PATH).
import { afterAll, describe, it, type TestContext } from 'vitest';
import {
  formatPropertyFailure, PROPERTIES, propertyTestName, runProperty, runsFor, writeSavedFailure, type Judgement, type PropertyDef, type PropertyFailure, type PropertyResult,
} from '../src/generate/properties.js';
import { generatedTarget, propertySettings, reportUnavailableOnce } from './support/generated.js';
import { BINDERS } from './support/properties.js';
import { useSession } from './support/shared.js';

/** A failed property: the message is the violations, the shrunk request and the replay command. */
class PropertyViolation extends Error {
  override name = 'RuleViolation';
}

const settings = propertySettings();
/** Runs reached by the first property of a family that the time budget cut short. */
const familyRuns = new Map<string, number>();
/** Room for the last run and the plugin's start-up on top of the property's budgets (runs, then twice that for shrinking). */
const TEST_MARGIN_MS = 90_000;
/**
 * A property stops looking for a failure once the plugin has crashed or hung this often during it without breaking
 * the property: each crash costs a restart and each hang a whole call budget, and the API-007 properties report both
 * themselves. Shrinking a failure is never cut short this way.
 */
const TROUBLES_BEFORE_GIVING_UP = 3;

/** `check`, until the plugin crashed or hung too often before any failure: then every further case passes unjudged. */
function troubleCapped<T>(check: (value: T) => Promise<Judgement>) {
  const target = generatedTarget();
  const troubles = () => target.restarts + target.hangs;
  const before = troubles();
  const state = { judged: 0, gaveUp: false, failed: false };
  const capped = async (value: T): Promise<Judgement> => {
    if (!state.failed && troubles() - before >= TROUBLES_BEFORE_GIVING_UP) {
      state.gaveUp = true;
      return { violations: [] };
    }
    state.judged += 1;
    const judgement = await check(value);
    if (judgement.violations.length) state.failed = true;
    return judgement;
  };
  return { capped, state };
}

async function checkProperty(ctx: TestContext, def: PropertyDef): Promise<void> {
  if (settings.replay && settings.replay.property !== def.id) ctx.skip(`not run: --replay selects ${settings.replay.property}`);
  if (settings.replayCase && settings.replayCase.property !== def.id) ctx.skip(`not run: --replay-file selects ${settings.replayCase.property}`);
  await useSession(ctx); // a plugin that cannot start is reported once, by the scripted suites' setup error
  const target = generatedTarget();
  const bound = BINDERS[def.id](target, await target.genFacts());
  const { capped, state } = troubleCapped(bound.check);
  const result: PropertyResult = await runProperty(bound.arbitrary, capped, {
    seed: settings.replayCase?.seed ?? settings.seed,
    numRuns: Math.min(runsFor(def, settings.runs), (def.family && familyRuns.get(def.family)) || Infinity),
    timeLimitMs: settings.timeLimitMs,
    path: settings.replay?.path,
    value: settings.replayCase?.value,
  }).catch((error) => reportUnavailableOnce(ctx, error));
  if (!result.failure && (result.interrupted || state.gaveUp)) {
    const why = state.gaveUp ? `the plugin crashed or hung ${TROUBLES_BEFORE_GIVING_UP} times (API-007 reports that), so the search stopped` : `the ${settings.timeLimitMs / 1000} s budget ended the property`;
    console.log(`${def.id}: ${why} after ${state.judged} case(s)`);
    if (def.family && !familyRuns.has(def.family)) familyRuns.set(def.family, Math.max(1, state.judged));
  }
  if (result.failure) throw new PropertyViolation(failureMessage(def, result.failure));
}

/** The failure as the test reports it, after saving it when --save-failures asks for that. */
function failureMessage(def: PropertyDef, failure: PropertyFailure): string {
  const { seed, path, value, judgement } = failure;
  const savedTo = settings.saveFailuresDir
    ? writeSavedFailure(settings.saveFailuresDir, { property: def.id, rule: def.rule, seed, path, value, request: judgement.request, violations: judgement.violations })
    : undefined;
  const replayed = settings.replayCase ? 'file' : settings.replay ? 'path' : undefined;
  return formatPropertyFailure(def, failure, { commandLine: settings.commandLine, savedTo, replayed });
}

describe('properties over generated requests', () => {
  afterAll(() => generatedTarget().stop());

  for (const def of PROPERTIES) {
    it(propertyTestName(def), (ctx) => checkProperty(ctx, def), 3 * settings.timeLimitMs + TEST_MARGIN_MS);
  }
});

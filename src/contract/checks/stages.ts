// DEF-*: the stage names a plugin declares, and that it emits only declared names.
import type { CallOutcome } from '../../session-types.js';
import { OFFICIAL_PLUGINS, type OfficialPlugin } from '../official-stages.js';
import type { Violation } from '../violation.js';
import { outcomeText, stageLabel, violation } from './common.js';

/** The `stages` list of a FetchDefinedStages response (absent means empty). */
function definedStages(response: any): string[] {
  return Array.isArray(response?.stages) ? response.stages : [];
}

/** DEF-001: every FetchDefinedStages call answers OK with the same list, order included. */
export function checkDefinedStagesStable(outcomes: CallOutcome[]): Violation[] {
  const out: Violation[] = [];
  let reference: { call: number; stages: string[] } | undefined;
  outcomes.forEach((outcome, i) => {
    const call = i + 1;
    const where = `FetchDefinedStages call ${call} of ${outcomes.length}`;
    if (!outcome.ok) {
      out.push(violation('DEF-001', `${where} must return OK; got ${outcomeText(outcome)}`, outcome.status));
      return;
    }
    const stages = definedStages(outcome.response);
    if (!reference) reference = { call, stages };
    else if (JSON.stringify(stages) !== JSON.stringify(reference.stages)) {
      const expected = reference.stages;
      const message =
        `${where} returned ${JSON.stringify(stages)}, but call ${reference.call} returned ${JSON.stringify(expected)}; ` +
        'the list must be stable';
      out.push(violation('DEF-001', message, { call, stages, expected }));
    }
  });
  return out;
}

/** DEF-002: the defined names are a non-empty list of non-empty, unique names. */
export function checkDefinedStageNames(names: string[]): Violation[] {
  if (names.length === 0) {
    return [violation('DEF-002', 'FetchDefinedStages must return at least one stage name; got an empty list', names)];
  }
  const out: Violation[] = [];
  const positions = new Map<string, number[]>();
  names.forEach((name, i) => {
    const message = `FetchDefinedStages stages[${i}] must be a non-empty name; got ${JSON.stringify(name)}`;
    if (!name) out.push(violation('DEF-002', message, names));
    else positions.set(name, [...(positions.get(name) ?? []), i]);
  });
  for (const [name, at] of positions) {
    const places = at.map((i) => `stages[${i}]`).join(', ');
    const message = `FetchDefinedStages names must be unique; ${JSON.stringify(name)} appears at ${places}`;
    if (at.length > 1) out.push(violation('DEF-002', message, names));
  }
  return out;
}

/** DEF-004 (or PLAN-014 via `rule`): every emitted stage name, rollback stages included, is a defined name. */
export function checkEmittedStagesDefined(defined: string[], stages: any[], source: string, rule = 'DEF-004'): Violation[] {
  const known = new Set(defined);
  return stages.flatMap((stage, i) =>
    known.has(stage?.name)
      ? []
      : [violation(rule, `${source}: ${stageLabel(stage, i)} is not a name from FetchDefinedStages ${JSON.stringify(defined)}`, stage)],
  );
}

/**
 * DEF-003: no defined name is one an official plugin (or piped itself) already uses. Erratum §8.11: the official plugin
 * itself is exempt, i.e. a plugin configured under one of that plugin's names (`pluginName`, the piped config's
 * `spec.plugins[].name`) whose defined set is exactly that plugin's stage set. Borrowing a name, or keeping the official
 * name with an extra or a missing stage, stays a finding. Without `pluginName` nothing is exempt.
 */
export function checkNoOfficialStageNames(names: string[], pluginName?: string, official: readonly OfficialPlugin[] = OFFICIAL_PLUGINS): Violation[] {
  const defined = [...new Set(names)];
  const namesakes = pluginName === undefined ? [] : official.filter((p) => p.configuredNames.includes(pluginName));
  if (namesakes.some((p) => sameSet(defined, p.stages.map((s) => s.name)))) return [];
  const byName = new Map(official.flatMap((p) => p.stages.map((s) => [s.name, { plugin: p, reference: s.reference }] as const)));
  return defined.flatMap((name) => {
    const clash = byName.get(name);
    if (!clash) return [];
    const owner = clash.plugin;
    let message = `defined stage ${JSON.stringify(name)} is also defined by the official ${owner.plugin} plugin (${clash.reference}); `;
    for (const namesake of namesakes) message += `${namesakeText(pluginName!, namesake, defined)}; `;
    message += 'piped routes a stage name to the plugin configured later, so use a plugin-specific prefix';
    const evidence = { name, plugin: owner.plugin, reference: clash.reference, ...(pluginName === undefined ? {} : { pluginName }), defined };
    return [violation('DEF-003', message, evidence)];
  });
}

/** Why a plugin configured under an official plugin's name is still not that plugin: its stage set differs. */
function namesakeText(pluginName: string, namesake: OfficialPlugin, defined: string[]): string {
  const expected = namesake.stages.map((s) => s.name);
  const extra = defined.filter((n) => !expected.includes(n));
  const missing = expected.filter((n) => !defined.includes(n));
  const diff = [extra.length ? `extra ${JSON.stringify(extra)}` : '', missing.length ? `missing ${JSON.stringify(missing)}` : ''].filter(Boolean).join(', ');
  return `the plugin is configured as ${JSON.stringify(pluginName)}, the name of the official ${namesake.plugin} plugin, ` +
    `but defines ${JSON.stringify(defined)} instead of its stage set ${JSON.stringify(expected)} (${diff}), so it is not that plugin`;
}

function sameSet(a: string[], b: string[]): boolean {
  const setB = new Set(b);
  return new Set(a).size === setB.size && a.every((n) => setB.has(n));
}

/** The latency bound of DEF-005: piped waits for FetchDefinedStages of every plugin before it starts. */
export const DEFINED_STAGES_MAX_MS = 1_000;

/** DEF-005: each FetchDefinedStages answers OK within DEFINED_STAGES_MAX_MS and calls nothing on piped. */
export function checkDefinedStagesCheap(outcomes: CallOutcome[]): Violation[] {
  return outcomes.flatMap((outcome, i) => {
    const where = `FetchDefinedStages call ${i + 1} of ${outcomes.length}`;
    const found: Violation[] = [];
    if (!outcome.ok) found.push(violation('DEF-005', `${where} must answer OK; got ${outcomeText(outcome)}`, outcome.status));
    else if (outcome.durationMs > DEFINED_STAGES_MAX_MS) found.push(violation('DEF-005', `${where} took ${outcome.durationMs} ms; it must answer within ${DEFINED_STAGES_MAX_MS} ms`));
    if (outcome.callbacks.length) {
      const rpcs = outcome.callbacks.map((c) => c.rpc).join(', ');
      found.push(violation('DEF-005', `${where} made PluginService calls (${rpcs}); it must answer from what the plugin already knows`, outcome.callbacks.map((c) => ({ seq: c.seq, rpc: c.rpc, request: c.request }))));
    }
    return found;
  });
}

// PLAN-*: DetermineStrategy answers and the stages Build*SyncStages return.
import type { JournalEntry } from '../../host/types.js';
import type { CallOutcome } from '../../session-types.js';
import type { ExitInfo } from '../../launch/types.js';
import type { Violation } from '../violation.js';
import { entryLabel, enumText, isRollback, noAnswer, outcomeText, stageIndex, stageLabel, toBigInt, violation } from './common.js';

/** A request stage as sent in BuildPipelineSyncStagesRequest.stages. */
export interface RequestStage {
  name: string;
  index: number;
}

const DECIDED_STRATEGIES = new Set(['QUICK_SYNC', 'PIPELINE']);
const MANUAL_OPERATIONS = new Set([
  'MANUAL_OPERATION_UNKNOWN',
  'MANUAL_OPERATION_SKIP',
  'MANUAL_OPERATION_APPROVE',
  'MANUAL_OPERATION_NONE',
]);

/** PLAN-004: DetermineStrategy answers unsupported=true, or a decided strategy (QUICK_SYNC or PIPELINE), never AUTO. */
export function checkStrategyAnswer(response: any): Violation[] {
  if (response?.unsupported === true || DECIDED_STRATEGIES.has(response?.sync_strategy)) return [];
  const seen = `sync_strategy=${enumText(response?.sync_strategy)}, unsupported=${String(response?.unsupported ?? false)}`;
  const message = `DetermineStrategy must answer unsupported=true or sync_strategy QUICK_SYNC/PIPELINE; got ${seen}`;
  return [violation('PLAN-004', message, response)];
}

/** PLAN-005: a stage plugin cannot decide the strategy, so it answers unsupported=true. */
export function checkStagePluginUnsupported(kind: 'stage' | 'deployment', response: any): Violation[] {
  if (kind === 'deployment' || response?.unsupported === true) return [];
  const seen = `unsupported=${String(response?.unsupported ?? false)}, sync_strategy=${enumText(response?.sync_strategy)}`;
  return [violation('PLAN-005', `a stage plugin must answer DetermineStrategy with unsupported=true; got ${seen}`, response)];
}

/** Which kind of plugin answered BuildQuickSyncStages: no stages is what the SDK's stage plugins return. */
export function pluginKindFromQuickSync(response: any): 'stage' | 'deployment' {
  return Array.isArray(response?.stages) && response.stages.length > 0 ? 'deployment' : 'stage';
}

/** PLAN-010: the non-rollback indexes are exactly the request indexes, none missing and none extra. */
export function checkNonRollbackIndexesMatchRequest(requestStages: RequestStage[], stages: any[]): Violation[] {
  const returned = new Set(stages.filter((s) => !isRollback(s)).map(stageIndex));
  const requested = new Set(requestStages.map((r) => r.index));
  const missing = requestStages
    .filter((r) => !returned.has(r.index))
    .map((r) =>
      violation('PLAN-010', `request stage ${JSON.stringify(r.name)} at index ${r.index} has no non-rollback stage in the response`, r),
    );
  const extra = stages.flatMap((s, i) => {
    if (isRollback(s) || requested.has(stageIndex(s))) return [];
    return [violation('PLAN-010', `${stageLabel(s, i)} is a non-rollback stage at an index not in the request ${indexList(requested)}`, s)];
  });
  return [...missing, ...extra];
}

/** PLAN-011: no index repeats among non-rollback stages, nor among rollback stages (across the groups is fine). */
export function checkNoDuplicateIndexes(stages: any[]): Violation[] {
  const groups = new Map<string, number[]>();
  stages.forEach((s, i) => {
    const key = `${isRollback(s)}:${stageIndex(s)}`;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  return [...groups.values()]
    .filter((positions) => positions.length > 1)
    .map((positions) => {
      const group = isRollback(stages[positions[0]]) ? 'rollback' : 'non-rollback';
      const labels = positions.map((i) => stageLabel(stages[i], i)).join(', ');
      const evidence = positions.map((i) => stages[i]);
      const message = `${group} stages must have distinct indexes; ${labels} share index ${stageIndex(stages[positions[0]])}`;
      return violation('PLAN-011', message, evidence);
    });
}

/** PLAN-012: every returned index, rollback stages included, is one of the request indexes. */
export function checkIndexesFromRequest(requestStages: RequestStage[], stages: any[]): Violation[] {
  const requested = new Set(requestStages.map((r) => r.index));
  return stages.flatMap((s, i) =>
    requested.has(stageIndex(s))
      ? []
      : [violation('PLAN-012', `${stageLabel(s, i)} uses an index that is not a request index ${indexList(requested)}`, s)],
  );
}

/** PLAN-016: each built stage is one the control plane accepts and the scheduler will actually run. */
export function checkBuiltStageFields(stages: any[], source: string): Violation[] {
  return stages.flatMap((stage, i) =>
    stageFieldProblems(stage).map((problem) => violation('PLAN-016', `${source}: ${stageLabel(stage, i)}: ${problem}`, stage)),
  );
}

/** What is wrong with one built stage, one sentence per field. */
function stageFieldProblems(stage: any): string[] {
  const problems: string[] = [];
  if (typeof stage?.name !== 'string' || stage.name === '') problems.push('name must be non-empty');
  if (stage?.status !== 'STAGE_NOT_STARTED_YET') {
    problems.push(`status must be STAGE_NOT_STARTED_YET; got ${enumText(stage?.status)}`);
  }
  problems.push(...int64Problem(stage, 'created_at', 1n, '> 0'));
  problems.push(...int64Problem(stage, 'updated_at', 1n, '> 0'));
  problems.push(...int64Problem(stage, 'completed_at', 0n, '>= 0'));
  if (!MANUAL_OPERATIONS.has(stage?.available_operation)) {
    problems.push(`available_operation must be a defined ManualOperation; got ${enumText(stage?.available_operation)}`);
  }
  return problems;
}

/** A problem sentence when int64 field `field` is not an integer >= `min`. */
function int64Problem(stage: any, field: string, min: bigint, wanted: string): string[] {
  const value = toBigInt(stage?.[field]);
  return value !== undefined && value >= min ? [] : [`${field} must be ${wanted}; got ${JSON.stringify(stage?.[field] ?? null)}`];
}

function indexList(indexes: Set<number>): string {
  return `[${[...indexes].sort((a, b) => a - b).join(', ')}]`;
}

const ARTIFACT_KINDS = new Set(['UNKNOWN', 'CONTAINER_IMAGE', 'S3_OBJECT', 'GIT_SOURCE', 'TERRAFORM_MODULE']);
const OK_OPERATIONS = new Set(['MANUAL_OPERATION_NONE', 'MANUAL_OPERATION_SKIP', 'MANUAL_OPERATION_APPROVE']);
/** Stage-scoped PluginService RPCs: they need a stage id, which does not exist while planning. */
export const STAGE_SCOPED_RPCS: readonly string[] = [
  'ReportStageLogs', 'ReportStageLogsFromLastCheckpoint', 'GetStageMetadata', 'PutStageMetadata', 'PutStageMetadataMulti', 'ListStageCommands',
];
/** Fields piped overwrites or that change with the clock: ignored when comparing two plans (PLAN-022). */
const VOLATILE_STAGE_FIELDS = ['id', 'created_at', 'updated_at', 'completed_at'];

function versionsOf(response: any): any[] {
  return Array.isArray(response?.versions) ? response.versions : [];
}

function stagesOf(response: any): any[] {
  return Array.isArray(response?.stages) ? response.stages : [];
}

/** PLAN-001: DetermineVersions answers a valid request with OK; a stage plugin has no versions to report. */
export function checkVersionsAnswered(kind: 'stage' | 'deployment', outcome: CallOutcome): Violation[] {
  if (!outcome.ok) {
    return [violation('PLAN-001', `DetermineVersions must answer a valid request with OK (piped drops the plugin's versions otherwise); got ${outcomeText(outcome)}`, outcome.status)];
  }
  const versions = versionsOf(outcome.response);
  if (kind === 'stage' && versions.length) {
    return [violation('PLAN-001', `a stage plugin must answer DetermineVersions with no versions (as the SDK's stage plugins do); got ${versions.length}`, versions)];
  }
  return [];
}

/** PLAN-002: every ArtifactVersion.kind is a defined enum value, or the control plane rejects the whole plan. */
export function checkArtifactVersionKinds(versions: any[]): Violation[] {
  return versions.flatMap((v, i) =>
    ARTIFACT_KINDS.has(v?.kind)
      ? []
      : [violation('PLAN-002', `versions[${i}].kind must be a defined ArtifactVersion.Kind (UNKNOWN preferred); got ${enumText(v?.kind)}`, v)],
  );
}

/** PLAN-003: DetermineVersions answers OK without running_deployment_source, as on a first deployment. */
export function checkVersionsWithoutRunningSource(outcome: CallOutcome): Violation[] {
  if (outcome.ok) return [];
  return [violation('PLAN-003', `DetermineVersions without running_deployment_source (a first deployment) must answer OK; got ${outcomeText(outcome)}`, outcome.status)];
}

/** PLAN-006: a decided strategy carries a summary, which piped shows as the deployment summary. */
export function checkStrategySummary(response: any): Violation[] {
  if (response?.unsupported === true) return [];
  if (typeof response?.summary === 'string' && response.summary.trim() !== '') return [];
  return [violation('PLAN-006', `DetermineStrategy chose ${enumText(response?.sync_strategy)} with an empty summary; piped shows the summary as the reason for the strategy`, response)];
}

/** PLAN-007: the partial plan-preview Deployment gets an answer, whatever its status, and the plugin survives it. */
export function checkSurvivesPartialDeployment(outcome: CallOutcome, exit: ExitInfo | undefined): Violation[] {
  const found: Violation[] = [];
  if (noAnswer(outcome)) found.push(violation('PLAN-007', `DetermineStrategy with the plan-preview partial Deployment got no answer (${outcomeText(outcome)}); any status is fine, a hang is not`));
  if (exit && !exit.requested) {
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    found.push(violation('PLAN-007', `the plugin ${how} after DetermineStrategy with the plan-preview partial Deployment`));
  }
  return found;
}

/** PLAN-008: planning RPCs make no stage-scoped callbacks (there is no stage id yet). */
export function checkNoStageScopedCallbacks(method: string, outcome: CallOutcome): Violation[] {
  return outcome.callbacks
    .filter((entry) => STAGE_SCOPED_RPCS.includes(entry.rpc))
    .map((entry) =>
      violation('PLAN-008', `${method} made the stage-scoped callback ${entryLabel(entry)}; planning has no stage to scope it to`, { seq: entry.seq, rpc: entry.rpc, request: entry.request }),
    );
}

/** What an answer says, for comparing repeats: the response of an OK call, the code and details of an error. */
function answerOf(outcome: CallOutcome): unknown {
  return outcome.ok ? { ok: outcome.response } : { error: outcome.status.codeName, details: outcome.status.details };
}

/** PLAN-009: the same DetermineVersions/DetermineStrategy request gets the same answer every time. */
export function checkSameAnswer(method: string, outcomes: CallOutcome[]): Violation[] {
  const [first, ...rest] = outcomes.map((o) => stableJson(answerOf(o)));
  return rest.flatMap((answer, i) =>
    answer === first
      ? []
      : [violation('PLAN-009', `${method} answered the same request differently: call 1 gave ${first}, call ${i + 2} gave ${answer}`)],
  );
}

/** PLAN-013: each non-rollback stage keeps the name the request gave its index. */
export function checkNamesKeptPerIndex(requestStages: RequestStage[], stages: any[]): Violation[] {
  const requested = new Map(requestStages.map((r) => [r.index, r.name]));
  return stages.flatMap((s, i) => {
    const wanted = requested.get(stageIndex(s));
    if (isRollback(s) || wanted === undefined || s?.name === wanted) return [];
    const message = `${stageLabel(s, i)} must keep the request's name ${JSON.stringify(wanted)} for index ${stageIndex(s)}; piped would run this stage with that stage's config`;
    return [violation('PLAN-013', message, s)];
  });
}

/** PLAN-015: no rollback stage unless asked; when asked, a deployment plugin returns at least one. */
export function checkRollbackFollowsRequest(kind: 'stage' | 'deployment', rollback: boolean, stages: any[], source: string): Violation[] {
  const rollbacks = stages.filter(isRollback);
  if (!rollback && rollbacks.length) {
    const labels = stages.map((s, i) => (isRollback(s) ? stageLabel(s, i) : '')).filter(Boolean).join(', ');
    return [violation('PLAN-015', `${source}: rollback was not requested, yet the plan has rollback stages ${labels}`, rollbacks)];
  }
  if (rollback && kind === 'deployment' && stages.length && !rollbacks.length) {
    return [violation('PLAN-015', `${source}: a deployment plugin asked for rollback must plan at least one rollback stage (rollback=true)`, stages)];
  }
  return [];
}

/** PLAN-017: available_operation is NONE, SKIP or APPROVE; authorized_operators only with APPROVE, as user names. */
export function checkManualOperations(stages: any[], source: string): Violation[] {
  return stages.flatMap((s, i) => {
    const where = `${source}: ${stageLabel(s, i)}`;
    const found: Violation[] = [];
    if (!OK_OPERATIONS.has(s?.available_operation)) {
      found.push(violation('PLAN-017', `${where}: available_operation must be NONE, SKIP or APPROVE; got ${enumText(s?.available_operation)}`, s));
    }
    const operators: unknown[] = Array.isArray(s?.authorized_operators) ? s.authorized_operators : [];
    if (operators.length && s?.available_operation !== 'MANUAL_OPERATION_APPROVE') {
      found.push(violation('PLAN-017', `${where}: authorized_operators is set, but only an APPROVE stage has operators`, s));
    }
    if (operators.some((o) => typeof o !== 'string' || o.trim() === '')) {
      found.push(violation('PLAN-017', `${where}: authorized_operators must be user names; got ${JSON.stringify(operators)}`, s));
    }
    return found;
  });
}

/** The stage-metadata keys a Put callback wrote. */
function keysWritten(entry: JournalEntry): string[] {
  if (entry.rpc === 'PutStageMetadata') return [String(entry.request?.key ?? '')];
  if (entry.rpc === 'PutStageMetadataMulti') return Object.keys(entry.request?.metadata ?? {});
  return [];
}

/**
 * PLAN-019: the metadata a plan seeds is what ExecuteStage reads back. Every key must be readable (GetStageMetadata
 * needs a non-empty key), and the stage's read of a seeded key, before it wrote that key itself, returns the seeded
 * value. `planned` are the executed stages (with the ids piped gave them); `callbacks` arrived while they ran.
 */
export function checkSeededMetadataReadable(planned: any[], callbacks: JournalEntry[]): Violation[] {
  const unreadable = planned.flatMap((s, i) =>
    Object.keys(s?.metadata ?? {})
      .filter((key) => key.trim() === '')
      .map(() => violation('PLAN-019', `${stageLabel(s, i)} seeds metadata under an empty key, which GetStageMetadata cannot read (key min_len 1)`, s.metadata)),
  );
  const seeds = new Map(planned.filter((s) => s?.id).map((s) => [String(s.id), (s.metadata ?? {}) as Record<string, string>]));
  const written = new Set<string>();
  const lost: Violation[] = [];
  for (const entry of callbacks) {
    const stageId = String(entry.request?.stage_id ?? '');
    for (const key of keysWritten(entry)) written.add(JSON.stringify([stageId, key]));
    if (entry.rpc !== 'GetStageMetadata' || !entry.response) continue;
    const key = String(entry.request?.key ?? '');
    const seeded = seeds.get(stageId)?.[key];
    if (seeded === undefined || written.has(JSON.stringify([stageId, key]))) continue;
    if (entry.response.found === true && entry.response.value === seeded) continue;
    const got = entry.response.found === true ? JSON.stringify(entry.response.value) : 'found=false';
    lost.push(violation('PLAN-019', `${entryLabel(entry)}: stage ${JSON.stringify(stageId)} read its seeded metadata ${JSON.stringify(key)} and got ${got} instead of ${JSON.stringify(seeded)}`, entry.request));
  }
  return [...unreadable, ...lost];
}

/** A PLAN-020 probe: one stage planned alone with a user's valid `with:` whose first key got a wrongly typed value. */
export interface BadConfigProbe {
  /** Which stage and example, e.g. `stage REF_WAIT (variant of app examples/pipeline, stage 0)`. */
  label: string;
  /** The `with:` sent, e.g. `{"duration":12345}`. */
  variant: unknown;
  /** BuildPipelineSyncStages with the variant. */
  planned: CallOutcome;
  /** ExecuteStage of the planned stage with the variant, made only when planning answered OK. */
  executed?: CallOutcome;
}

/**
 * The wrongly typed variant of a valid `with:` block the plugin's own schema should refuse (CATALOGUE §8 item 9): its
 * first key whose value is not null gets a value of another JSON type (string → 12345, number or boolean →
 * "not-a-number", array → "not-a-list", object → "not-a-mapping"). Undefined when `config` is not a JSON object
 * with such a key.
 */
export function wrongTypedVariant(config: unknown): Record<string, unknown> | undefined {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return undefined;
  const entries = Object.entries(config as Record<string, unknown>);
  const index = entries.findIndex(([, value]) => value !== null && value !== undefined);
  if (index < 0) return undefined;
  const [key, value] = entries[index];
  const wrong = typeof value === 'string' ? 12345
    : typeof value === 'number' || typeof value === 'boolean' ? 'not-a-number'
    : Array.isArray(value) ? 'not-a-list'
    : 'not-a-mapping';
  return { ...(config as Record<string, unknown>), [key]: wrong };
}

/**
 * PLAN-020: a stage config the plugin's schema must refuse (a wrong type, CATALOGUE §8 item 9) fails planning now with
 * a non-OK status, not a plan that fails later. A refusal passes; no answer or a crash (UNAVAILABLE) at planning is a
 * violation. An OK plan is judged by executing it once with that config: STAGE_FAILURE or a non-OK status is the plan
 * that fails later; success means the plugin tolerates the value, which is fine.
 */
export function checkBadStageConfigsRefused(probes: BadConfigProbe[]): Violation[] {
  return probes.flatMap(({ label, variant, planned, executed }) => {
    const sent = JSON.stringify(variant);
    if (!planned.ok) {
      if (noAnswer(planned)) return [violation('PLAN-020', `BuildPipelineSyncStages of ${label} with ${sent} got no answer (${outcomeText(planned)}); it must refuse with a non-OK status`)];
      if (planned.status.codeName === 'UNAVAILABLE') {
        return [violation('PLAN-020', `BuildPipelineSyncStages of ${label} with ${sent} crashed the plugin or lost the connection (${outcomeText(planned)}); it must refuse with a non-OK status`)];
      }
      return [];
    }
    if (!executed) return [];
    const failure = !executed.ok ? outcomeText(executed) : executed.response?.status === 'STAGE_FAILURE' ? `STAGE_FAILURE${failureText(executed)}` : undefined;
    if (failure === undefined) return [];
    const evidence = { planned: stagesOf(planned.response), executed: executed.ok ? executed.response : executed.status };
    return [violation('PLAN-020', `${label}: accepted ${sent} at planning, then failed when executed: a plan that fails later (ExecuteStage answered ${failure}); refuse such a config at planning with a non-OK status`, evidence)];
  });
}

/** `: <message>` of a STAGE_FAILURE answer, else the first ERROR lines the stage logged during the call, else ''. */
function failureText(executed: CallOutcome & { ok: true }): string {
  const message = String(executed.response?.message ?? '').trim();
  if (message) return `: ${message}`;
  const errors = executed.callbacks
    .filter((e) => e.rpc === 'ReportStageLogs' || e.rpc === 'ReportStageLogsFromLastCheckpoint')
    .flatMap((e) => (Array.isArray(e.request?.blocks) ? e.request.blocks : []))
    .filter((b: any) => b?.severity === 'ERROR' && String(b?.log ?? '').trim() !== '');
  const lines = [...new Set(errors.map((b: any) => String(b.log).trim()))].slice(0, 3);
  return lines.length ? `; stage log: ${lines.join(' | ')}` : '';
}

/** A built stage without the fields that change on every call (PLAN-022). */
function stableStage(stage: any): unknown {
  const copy: Record<string, unknown> = { ...(stage ?? {}) };
  for (const field of VOLATILE_STAGE_FIELDS) delete copy[field];
  return copy;
}

/** PLAN-022: the same Build*SyncStages request gives the same stages, timestamps and ids aside. */
export function checkSamePlan(source: string, outcomes: CallOutcome[]): Violation[] {
  const [first, ...rest] = outcomes.map((o) => stableJson(o.ok ? { ok: stagesOf(o.response).map(stableStage) } : answerOf(o)));
  return rest.flatMap((plan, i) =>
    plan === first ? [] : [violation('PLAN-022', `${source} planned the same request differently (timestamps and ids aside): call 1 gave ${first}, call ${i + 2} gave ${plan}`)],
  );
}

/** PLAN-022: planning writes nothing to piped (no Put* callback). */
export function checkPlanningWritesNothing(source: string, outcome: CallOutcome): Violation[] {
  return outcome.callbacks
    .filter((entry) => entry.rpc.startsWith('Put'))
    .map((entry) => violation('PLAN-022', `${source} made the write ${entryLabel(entry)}; planning must be free of side effects`, { seq: entry.seq, rpc: entry.rpc, request: entry.request }));
}

/** PLAN-030: BuildQuickSyncStages answers OK; a stage plugin plans nothing; each stage passes PLAN-016 and DEF-004. */
export function checkQuickSyncPlan(kind: 'stage' | 'deployment', defined: string[], outcome: CallOutcome, source: string): Violation[] {
  if (!outcome.ok) return [violation('PLAN-030', `${source} must answer OK (piped fails the deployment otherwise); got ${outcomeText(outcome)}`, outcome.status)];
  const stages = stagesOf(outcome.response);
  if (kind === 'stage' && stages.length) return [violation('PLAN-030', `${source}: a stage plugin must plan no quick-sync stage; got ${stages.length}`, stages)];
  const known = new Set(defined);
  const fields = checkBuiltStageFields(stages, source).map((v) => ({ ...v, rule: 'PLAN-030' }));
  const names = stages.flatMap((s, i) => (known.has(s?.name) ? [] : [violation('PLAN-030', `${source}: ${stageLabel(s, i)} is not a name from FetchDefinedStages`, s)]));
  return [...fields, ...names];
}

/** PLAN-031: a deployment plugin's quick sync has rollback stages exactly when rollback=true. */
export function checkQuickSyncRollback(rollback: boolean, stages: any[], source: string): Violation[] {
  const rollbacks = stages.filter(isRollback).length;
  if (rollback && rollbacks === 0) return [violation('PLAN-031', `${source}: rollback was requested, but no stage has rollback=true`, stages)];
  if (!rollback && rollbacks > 0) return [violation('PLAN-031', `${source}: rollback was not requested, yet ${rollbacks} stage(s) have rollback=true`, stages)];
  return [];
}

/** PLAN-032: a deployment plugin's quick sync has at least one non-rollback stage, or piped cannot plan. */
export function checkQuickSyncHasStages(stages: any[], source: string): Violation[] {
  if (stages.some((s) => !isRollback(s))) return [];
  return [violation('PLAN-032', `${source}: a deployment plugin must plan at least one non-rollback quick-sync stage; got ${stages.length ? 'only rollback stages' : 'none'}`, stages)];
}

/** JSON with object keys sorted, so equal answers compare equal whatever the key order. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v) && v.type !== 'Buffer'
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]))
      : v,
  );
}

// PLAN-*: DetermineStrategy answers and the stages Build*SyncStages return.
import type { Violation } from '../violation.js';
import { enumText, isRollback, stageIndex, stageLabel, toBigInt, violation } from './common.js';

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

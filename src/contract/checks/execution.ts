// EXEC-*: what ExecuteStage returns and which ids its callbacks carry.
import type { JournalEntry } from '../../host/types.js';
import type { CallOutcome } from '../../session-types.js';
import type { Violation } from '../violation.js';
import { entryLabel, enumText, outcomeText, violation } from './common.js';

/** The only statuses after which piped's scheduler moves on (EXEC-001). */
export const LEGAL_FINAL_STATUSES: readonly string[] = ['STAGE_SUCCESS', 'STAGE_FAILURE', 'STAGE_SKIPPED', 'STAGE_EXITED'];

/** Callbacks scoped to the stage being executed. */
const STAGE_SCOPED = new Set([
  'ReportStageLogs',
  'ReportStageLogsFromLastCheckpoint',
  'GetStageMetadata',
  'PutStageMetadata',
  'PutStageMetadataMulti',
  'ListStageCommands',
]);

/** Callbacks scoped to the deployment being executed. */
const DEPLOYMENT_SCOPED = new Set([
  'GetDeploymentPluginMetadata',
  'PutDeploymentPluginMetadata',
  'PutDeploymentPluginMetadataMulti',
  'GetDeploymentSharedMetadata',
]);

/** Why an OK ExecuteStage status is not final, or undefined when it is. */
function illegalStatus(response: any): string | undefined {
  const status = response?.status;
  if (LEGAL_FINAL_STATUSES.includes(status)) return undefined;
  const hint = status === 'STAGE_NOT_STARTED_YET' ? ' (what an empty response decodes to)' : '';
  return `status must be one of ${LEGAL_FINAL_STATUSES.join(', ')}; got ${enumText(status)}${hint}`;
}

/** EXEC-001: an OK ExecuteStage carries a final status; anything else stalls piped's scheduler. */
export function checkExecuteStatus(outcome: CallOutcome): Violation[] {
  if (!outcome.ok) return [];
  const problem = illegalStatus(outcome.response);
  return problem ? [violation('EXEC-001', `ExecuteStage returned OK but ${problem}`, outcome.response)] : [];
}

/** EXEC-006: callbacks made during ExecuteStage carry the deployment and stage ids of that call. */
export function checkCallbackScope(request: any, callbacks: JournalEntry[]): Violation[] {
  const deploymentId = request?.input?.deployment?.id ?? '';
  const stageId = request?.input?.stage?.id ?? '';
  const expected = `deployment_id ${JSON.stringify(deploymentId)}, stage_id ${JSON.stringify(stageId)}`;
  return callbacks.flatMap((entry) => {
    const stageScoped = STAGE_SCOPED.has(entry.rpc);
    if (!stageScoped && !DEPLOYMENT_SCOPED.has(entry.rpc)) return [];
    const got = entry.request ?? {};
    const wrongDeployment = got.deployment_id !== deploymentId;
    const wrongStage = stageScoped && got.stage_id !== stageId;
    if (!wrongDeployment && !wrongStage) return [];
    const seen = stageScoped
      ? `deployment_id ${JSON.stringify(got.deployment_id)}, stage_id ${JSON.stringify(got.stage_id)}`
      : `deployment_id ${JSON.stringify(got.deployment_id)}`;
    const wanted = stageScoped ? expected : `deployment_id ${JSON.stringify(deploymentId)}`;
    return [
      violation(
        'EXEC-006',
        `${entryLabel(entry)} must carry the ids of the ExecuteStage in flight (${wanted}); got ${seen}`,
        { seq: entry.seq, rpc: entry.rpc, request: entry.request },
      ),
    ];
  });
}

/** EXEC-008: a stage plugin executes without any deploy-target entry of its own. */
export function checkStagePluginRunsWithoutTargets(kind: 'stage' | 'deployment', outcome: CallOutcome): Violation[] {
  if (kind === 'deployment') return [];
  return requireFinal('EXEC-008', 'a stage plugin must execute without deploy targets', outcome);
}

/** EXEC-009: ExecuteStage accepts an absent running_deployment_source (a first deployment). */
export function checkAcceptsAbsentRunningSource(outcome: CallOutcome): Violation[] {
  return requireFinal('EXEC-009', 'ExecuteStage without running_deployment_source (a first deployment) must succeed', outcome);
}

/** EXEC-013: a stage name the plugin does not define never ends in STAGE_SUCCESS. */
export function checkUnknownStageNotSuccess(outcome: CallOutcome): Violation[] {
  if (!outcome.ok || outcome.response?.status !== 'STAGE_SUCCESS') return [];
  const message = 'ExecuteStage of a stage name the plugin does not define must answer non-OK or STAGE_FAILURE; got STAGE_SUCCESS';
  return [violation('EXEC-013', message, outcome.response)];
}

/** A violation of `rule` unless the call answered OK with a final status. */
function requireFinal(rule: string, expectation: string, outcome: CallOutcome): Violation[] {
  if (!outcome.ok) return [violation(rule, `${expectation} with OK and a final status; got ${outcomeText(outcome)}`, outcome.status)];
  const problem = illegalStatus(outcome.response);
  return problem ? [violation(rule, `${expectation}: the OK answer's ${problem}`, outcome.response)] : [];
}

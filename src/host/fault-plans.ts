// Named fault plans: the PluginService failures a plugin must survive (SVC-019), as data so suites and scripted cases
// can pick them by name. A plan's rules apply to every call; scopePlan() narrows them to one deployment so several
// plans can run side by side on one fake piped.
import type { FaultRule } from './types.js';

export interface FaultPlanSpec {
  name: string;
  /** What piped situation the plan imitates. */
  description: string;
  rules: FaultRule[];
}

/** Every RPC that carries a deployment_id: logs, metadata and commands. */
const LOG_RPCS = ['ReportStageLogs', 'ReportStageLogsFromLastCheckpoint'];
const METADATA_RPCS = [
  'GetStageMetadata', 'PutStageMetadata', 'PutStageMetadataMulti',
  'GetDeploymentPluginMetadata', 'PutDeploymentPluginMetadata', 'PutDeploymentPluginMetadataMulti', 'GetDeploymentSharedMetadata',
];
const SHARED_OBJECT_RPCS = ['GetApplicationSharedObject', 'PutApplicationSharedObject'];

const errors = (rpcs: string[], code: string, message: string): FaultRule[] => rpcs.map((rpc) => ({ rpc, kind: 'error', code, message }));

export const FAULT_PLANS: readonly FaultPlanSpec[] = [
  {
    name: 'logs-unavailable',
    description: 'piped is unreachable for stage logs: every log report fails with UNAVAILABLE',
    rules: errors(LOG_RPCS, 'UNAVAILABLE', 'injected: piped is unreachable'),
  },
  {
    name: 'logs-sealed',
    description: 'the control plane already sealed the stage log: every log report fails with FAILED_PRECONDITION',
    rules: errors(LOG_RPCS, 'FAILED_PRECONDITION', 'injected: stage was already completed'),
  },
  {
    name: 'metadata-store-gone',
    description: "piped dropped the deployment's metadata store: every metadata call fails with UNKNOWN",
    rules: errors(METADATA_RPCS, 'UNKNOWN', 'injected: metadata store not found for deployment'),
  },
  {
    name: 'metadata-not-found',
    description: 'the control plane does not know the deployment: metadata and log calls fail with NOT_FOUND',
    rules: errors([...METADATA_RPCS, ...LOG_RPCS], 'NOT_FOUND', 'injected: deployment not found'),
  },
  {
    name: 'commands-unavailable',
    description: 'ListStageCommands fails once with UNAVAILABLE, then works (a manual stage must keep polling)',
    rules: [{ rpc: 'ListStageCommands', kind: 'error', code: 'UNAVAILABLE', message: 'injected: piped is unreachable', times: 1 }],
  },
  {
    name: 'shared-objects-unavailable',
    description: 'application shared objects cannot be read or written: UNAVAILABLE',
    rules: errors(SHARED_OBJECT_RPCS, 'UNAVAILABLE', 'injected: piped is unreachable'),
  },
  {
    name: 'everything-slow',
    description: 'a slow piped: every PluginService call answers 150 ms late',
    rules: [{ rpc: '*', kind: 'latency', delayMs: 150 }],
  },
];

/** The plan called `name`; throws with the known names otherwise. */
export function faultPlan(name: string): FaultPlanSpec {
  const plan = FAULT_PLANS.find((p) => p.name === name);
  if (!plan) throw new Error(`no fault plan named ${JSON.stringify(name)}; known plans: ${FAULT_PLANS.map((p) => p.name).join(', ')}`);
  return plan;
}

/** Whose calls a scoped plan touches: one deployment, and its application for shared objects. */
export interface FaultScope {
  deploymentId: string;
  applicationId: string;
}

/**
 * The plan's rules narrowed to one deployment (calls with its deployment_id) and its application (shared objects,
 * which carry application_id). A rule for every method (`*`) becomes one rule per scope field. InstallTool carries
 * neither id, so a scoped plan never touches it.
 */
export function scopePlan(plan: FaultPlanSpec, scope: FaultScope): FaultRule[] {
  return plan.rules.flatMap((rule) => {
    const byDeployment = { ...rule, match: { ...rule.match, deployment_id: scope.deploymentId } };
    const byApplication = { ...rule, match: { ...rule.match, application_id: scope.applicationId } };
    if (rule.rpc === '*') return [byDeployment, byApplication];
    return [SHARED_OBJECT_RPCS.includes(rule.rpc) ? byApplication : byDeployment];
  });
}

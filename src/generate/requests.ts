// Valid requests shaped like the ones real piped sends (CATALOGUE §2.2–§2.8, §2.10), built from a few choices.
// Property-generated variants build on these; every builder's output passes our PGV validator (tested).
import { randomUUID } from 'node:crypto';
import { stringify } from 'yaml';

export interface PipelineStageSpec {
  name: string;
  index: number;
  /** The stage's `with:` block; sent as JSON text in `config`. */
  with?: unknown;
  desc?: string;
}

export interface AppSpec {
  pluginName: string;
  appName?: string;
  /** Pipeline stages of `spec.pipeline.stages` (positions are the global indexes). */
  pipeline?: { name: string; with?: unknown }[];
  /** `spec.plugins.<name>` settings. */
  pluginSpec?: unknown;
}

const nowSeconds = () => String(Math.floor(Date.now() / 1000));

/** Fresh ids for one deployment, so cases never share state in the plugin or the fake piped. */
export function freshIds(prefix = 'conf'): { deploymentId: string; applicationId: string } {
  const id = randomUUID().slice(0, 8);
  return { deploymentId: `${prefix}-dep-${id}`, applicationId: `${prefix}-app-${id}` };
}

/** app.pipecd.yaml for the plugin: `apiVersion`, `kind`, `spec.plugins.<name>`, optional pipeline. */
export function applicationConfig(app: AppSpec): string {
  const spec: Record<string, unknown> = { name: app.appName ?? 'conformance-app', plugins: { [app.pluginName]: app.pluginSpec ?? {} } };
  if (app.pipeline?.length) spec.pipeline = { stages: app.pipeline.map((s) => (s.with === undefined ? { name: s.name } : { name: s.name, with: s.with })) };
  return stringify({ apiVersion: 'pipecd.dev/v1beta1', kind: 'Application', spec });
}

/** A DeploymentSource as piped fills it: absolute directories and the raw app config bytes. */
export function deploymentSource(app: AppSpec, commitHash: string, directory = '/tmp/plugin-conformance/app'): any {
  return {
    application_directory: directory,
    commit_hash: commitHash,
    application_config: Buffer.from(applicationConfig(app)),
    application_config_filename: 'app.pipecd.yaml',
    shared_config_directory: '/tmp/plugin-conformance/.pipe',
  };
}

export interface DeploymentSpec {
  ids: { deploymentId: string; applicationId: string };
  appName?: string;
  pluginName: string;
  /** Deploy targets for this plugin; absent = no `deploy_targets_by_plugin` entry (stage plugins). */
  deployTargets?: string[];
  stages?: any[];
  status?: string;
  syncStrategy?: string;
}

/** A PGV-valid model.Deployment. */
export function deployment(spec: DeploymentSpec): any {
  const now = nowSeconds();
  return {
    id: spec.ids.deploymentId,
    application_id: spec.ids.applicationId,
    application_name: spec.appName ?? 'conformance-app',
    piped_id: 'conformance-piped',
    project_id: 'conformance-project',
    kind: 'KUBERNETES',
    git_path: { repo: { id: 'conformance-repo', remote: 'https://example.invalid/repo.git', branch: 'main' }, path: 'apps/conformance', config_filename: 'app.pipecd.yaml' },
    deploy_targets_by_plugin: spec.deployTargets ? { [spec.pluginName]: { deploy_targets: spec.deployTargets } } : {},
    labels: {},
    trigger: {
      commit: { hash: 'c0ffee0000000000000000000000000000000001', message: 'conformance run', author: 'plugin-conformance', branch: 'main', created_at: now },
      commander: 'plugin-conformance',
      timestamp: now,
      sync_strategy: spec.syncStrategy ?? 'AUTO',
    },
    status: spec.status ?? 'DEPLOYMENT_PENDING',
    stages: spec.stages ?? [],
    metadata_v2: { shared: { keyValues: {} }, plugins: {} },
    created_at: now,
    updated_at: now,
  };
}

/** PlanPluginInput for DetermineVersions / DetermineStrategy; `running` absent = first deployment. */
export function planInput(spec: DeploymentSpec, app: AppSpec, withRunning: boolean): any {
  return {
    deployment: deployment(spec),
    running_deployment_source: withRunning ? deploymentSource(app, 'c0ffee0000000000000000000000000000000000', '/tmp/plugin-conformance/running') : null,
    target_deployment_source: deploymentSource(app, 'c0ffee0000000000000000000000000000000001'),
  };
}

/** BuildPipelineSyncStagesRequest: the stages routed to this plugin with their global indexes. */
export function pipelineRequest(stages: PipelineStageSpec[], rollback: boolean): any {
  return {
    stages: stages.map((s) => ({ name: s.name, desc: s.desc ?? '', timeout: '', index: s.index, config: Buffer.from(JSON.stringify(s.with ?? {})) })),
    rollback,
  };
}

/** Gives planned stages ids and `requires` the way piped does after BuildPipelineSyncStages (CATALOGUE §2.4). */
export function assignStageIds(stages: any[]): any[] {
  const forward = stages.filter((s) => !s.rollback).sort((a, b) => a.index - b.index);
  const rollback = stages.filter((s) => s.rollback).sort((a, b) => a.index - b.index);
  let previous: string | undefined;
  const withIds = forward.map((s) => {
    const id = randomUUID();
    const stage = { ...s, id, requires: previous ? [previous] : [] };
    previous = id;
    return stage;
  });
  return [...withIds, ...rollback.map((s) => ({ ...s, id: randomUUID() }))];
}

/** ExecuteStageRequest for one planned stage. */
export function executeRequest(dep: any, stage: any, stageConfig: unknown, target: any, running: any | null): any {
  return {
    input: {
      deployment: dep,
      stage,
      stage_config: stageConfig === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(stageConfig)),
      running_deployment_source: running,
      target_deployment_source: target,
    },
  };
}

/** A PGV-valid PipelineStage for a name the plugin may not know (EXEC-013) or a hand-made case. */
export function plainStage(name: string, index: number, rollback = false): any {
  const now = nowSeconds();
  return {
    id: randomUUID(), name, desc: '', index, requires: [], status: 'STAGE_NOT_STARTED_YET', metadata: {}, retried_count: 0, rollback,
    completed_at: '0', created_at: now, updated_at: now, available_operation: 'MANUAL_OPERATION_NONE', authorized_operators: [],
  };
}

/** GetLivestateRequest. */
export function livestateRequest(ids: { applicationId: string }, app: AppSpec, deployTargets: string[]): any {
  return {
    piped_id: 'conformance-piped',
    application_id: ids.applicationId,
    application_name: app.appName ?? 'conformance-app',
    deploy_source: deploymentSource(app, 'c0ffee0000000000000000000000000000000001'),
    deploy_targets: deployTargets,
  };
}

/** GetPlanPreviewRequest; `withRunning` false = a new application. */
export function planPreviewRequest(ids: { applicationId: string }, app: AppSpec, deployTargets: string[], withRunning: boolean): any {
  return {
    application_id: ids.applicationId,
    application_name: app.appName ?? 'conformance-app',
    piped_id: 'conformance-piped',
    deploy_targets: deployTargets,
    target_deployment_source: deploymentSource(app, 'c0ffee0000000000000000000000000000000002'),
    running_deployment_source: withRunning ? deploymentSource(app, 'c0ffee0000000000000000000000000000000001', '/tmp/plugin-conformance/running') : null,
  };
}

// Valid requests shaped like the ones real piped sends (CATALOGUE §2.2–§2.8, §2.10), built from a few choices.
// Property-generated variants build on these; every builder's output passes our PGV validator (tested).
// Builders touch no files: directories in DeploymentSources come from a Checkout that src/host/workspace.ts writes.
import { randomUUID } from 'node:crypto';
import { stringify } from 'yaml';
import type { ExampleApp } from '../piped/inputs.js';

export interface PipelineStageSpec {
  name: string;
  index: number;
  /** The stage's `with:` block; sent as JSON text in `config`. */
  with?: unknown;
  desc?: string;
  /** Duration text; piped at HEAD always sends "" (CATALOGUE §2.4). */
  timeout?: string;
}

export interface AppSpec {
  pluginName: string;
  appName?: string;
  /** Pipeline stages of `spec.pipeline.stages` (positions are the global indexes). */
  pipeline?: { name: string; with?: unknown }[];
  /** `spec.plugins.<name>` settings. */
  pluginSpec?: unknown;
  /** The user's example application: its folder is checked out and its config file sent as written. */
  example?: ExampleApp;
}

const nowSeconds = () => String(Math.floor(Date.now() / 1000));

/** Fresh ids for one deployment, so cases never share state in the plugin or the fake piped. */
export function freshIds(prefix = 'conf'): { deploymentId: string; applicationId: string } {
  const id = randomUUID().slice(0, 8);
  return { deploymentId: `${prefix}-dep-${id}`, applicationId: `${prefix}-app-${id}` };
}

/** app.pipecd.yaml for the plugin: `apiVersion`, `kind`, `spec.plugins.<name>`, optional pipeline. */
export function applicationConfig(app: AppSpec): string {
  if (app.example) return app.example.configText;
  const spec: Record<string, unknown> = { name: app.appName ?? 'conformance-app', plugins: { [app.pluginName]: app.pluginSpec ?? {} } };
  if (app.pipeline?.length) spec.pipeline = { stages: app.pipeline.map((s) => (s.with === undefined ? { name: s.name } : { name: s.name, with: s.with })) };
  // No anchors/aliases for objects that happen to be shared (generated configs reuse `{}`): piped's users write none.
  return stringify({ apiVersion: 'pipecd.dev/v1beta1', kind: 'Application', spec }, { aliasDuplicateObjects: false });
}

/** Where the app lives in the (pretend) repository: `git_path.path` and `config_filename` of every Deployment. */
export const APP_PATH = 'apps/conformance';
export const APP_CONFIG_FILENAME = 'app.pipecd.yaml';
/** The commit being deployed, and the last successfully deployed one (the running source). */
export const TARGET_COMMIT = 'c0ffee0000000000000000000000000000000001';
export const RUNNING_COMMIT = 'c0ffee0000000000000000000000000000000000';

/** The application config file's name: the example's own, else app.pipecd.yaml. */
export function configFilenameOf(app: AppSpec): string {
  return app.example?.configFilename ?? APP_CONFIG_FILENAME;
}

/** Absolute paths of one checkout of the repository, as piped prepares it for a DeploymentSource. */
export interface Checkout {
  /** `<repo copy>/<git_path.path>`, holding the app config file. */
  applicationDirectory: string;
  /** `<repo copy>/.pipe`. */
  sharedConfigDirectory: string;
}

/** The target source and, except on an app's first deployment, the running source. */
export interface Sources {
  target: any;
  running: any | null;
}

/** A DeploymentSource as piped fills it: absolute directories of a checkout and the raw app config bytes. */
export function deploymentSource(app: AppSpec, commitHash: string, checkout: Checkout): any {
  return {
    application_directory: checkout.applicationDirectory,
    commit_hash: commitHash,
    application_config: Buffer.from(applicationConfig(app)),
    application_config_filename: configFilenameOf(app),
    shared_config_directory: checkout.sharedConfigDirectory,
  };
}

export interface DeploymentSpec {
  ids: { deploymentId: string; applicationId: string };
  appName?: string;
  /** git_path.config_filename; app.pipecd.yaml by default. */
  configFilename?: string;
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
    git_path: { repo: { id: 'conformance-repo', remote: 'https://example.invalid/repo.git', branch: 'main' }, path: APP_PATH, config_filename: spec.configFilename ?? APP_CONFIG_FILENAME },
    deploy_targets_by_plugin: spec.deployTargets ? { [spec.pluginName]: { deploy_targets: spec.deployTargets } } : {},
    labels: {},
    trigger: {
      commit: { hash: TARGET_COMMIT, message: 'conformance run', author: 'plugin-conformance', branch: 'main', created_at: now },
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

/** PlanPluginInput for DetermineVersions / DetermineStrategy; `sources.running` null = first deployment. */
export function planInput(spec: DeploymentSpec, sources: Sources): any {
  return {
    deployment: deployment(spec),
    running_deployment_source: sources.running,
    target_deployment_source: sources.target,
  };
}

/** BuildPipelineSyncStagesRequest: the stages routed to this plugin with their global indexes. */
export function pipelineRequest(stages: PipelineStageSpec[], rollback: boolean): any {
  return {
    stages: stages.map((s) => ({ name: s.name, desc: s.desc ?? '', timeout: s.timeout ?? '', index: s.index, config: Buffer.from(JSON.stringify(s.with ?? {})) })),
    rollback,
  };
}

/** Gives planned stages ids and `requires` the way piped does after BuildPipelineSyncStages (CATALOGUE §2.4). */
export function assignStageIds(stages: any[], newId: () => string = randomUUID): any[] {
  const forward = stages.filter((s) => !s.rollback).sort((a, b) => a.index - b.index);
  const rollback = stages.filter((s) => s.rollback).sort((a, b) => a.index - b.index);
  let previous: string | undefined;
  const withIds = forward.map((s) => {
    const id = newId();
    const stage = { ...s, id, requires: previous ? [previous] : [] };
    previous = id;
    return stage;
  });
  return [...withIds, ...rollback.map((s) => ({ ...s, id: newId() }))];
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

/** GetLivestateRequest; `source` is the app at the head of its branch. */
export function livestateRequest(ids: { applicationId: string }, app: AppSpec, deployTargets: string[], source: any): any {
  return {
    piped_id: 'conformance-piped',
    application_id: ids.applicationId,
    application_name: app.appName ?? 'conformance-app',
    deploy_source: source,
    deploy_targets: deployTargets,
  };
}

/** GetPlanPreviewRequest; `sources.running` null = a new application. */
export function planPreviewRequest(ids: { applicationId: string }, app: AppSpec, deployTargets: string[], sources: Sources): any {
  return {
    application_id: ids.applicationId,
    application_name: app.appName ?? 'conformance-app',
    piped_id: 'conformance-piped',
    deploy_targets: deployTargets,
    target_deployment_source: sources.target,
    running_deployment_source: sources.running,
  };
}

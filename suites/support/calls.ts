// Calls several suites make beyond the shared facts: one stage executed on its own, and requests made by hand for
// the API and PLAN rules (invalid ones, unusual-but-valid ones, unparseable app configs). Property-generated
// variants come from src/generate later; these are the fixed cases every run sends.
import * as req from '../../src/generate/requests.js';
import type { CallOutcome } from '../../src/session-types.js';
import type { Session } from '../../src/session.js';
import { deployTargetsFor, planFacts, type PlanFacts } from './facts.js';

/** Budget for a planning call: they are instant in every known plugin, so a longer silence is a hang. */
export const PLANNING_BUDGET_MS = 5_000;
/** Budget for executing a short stage (the SDK holds the answer until its 5 s log flush). */
export const STAGE_BUDGET_MS = 60_000;

export interface StageRun {
  request: any;
  outcome: CallOutcome;
}

export interface ExecuteOptions {
  deployTargets?: string[];
  withRunning: boolean;
  /** The `with:` block sent as stage_config JSON; absent = empty bytes (as for quick sync). */
  stageConfig?: unknown;
  app?: req.AppSpec;
}

/** Executes one stage in a deployment of its own, inside the deployment's metadata window, as piped's scheduler does. */
export async function executeStageAlone(session: Session, caseId: string, stage: any, options: ExecuteOptions): Promise<StageRun> {
  const facts = await planFacts(session);
  const ids = req.freshIds();
  const dep = req.deployment({ ids, pluginName: session.config.name, deployTargets: options.deployTargets, stages: [stage], status: 'DEPLOYMENT_PLANNED', syncStrategy: 'PIPELINE' });
  const sources = session.workspace.sources(options.app ?? facts.app, options.withRunning);
  const request = req.executeRequest(dep, stage, options.stageConfig, sources.target, sources.running);
  session.host.openDeployment(dep, caseId);
  try {
    return { request, outcome: await session.call('deployment', 'ExecuteStage', request, { caseId, budgetMs: STAGE_BUDGET_MS }) };
  } finally {
    session.host.closeDeployment(dep.id);
  }
}

/** A forward stage of the plugin's own pipeline plan that needs no manual approval, with an id; undefined if none. */
export function simpleForwardStage(facts: PlanFacts): any | undefined {
  const outcome = facts.pipeline.noRollback.outcome;
  const stages: any[] = outcome.ok ? outcome.response.stages ?? [] : [];
  const stage = stages.find((s) => !s.rollback && s.available_operation !== 'MANUAL_OPERATION_APPROVE');
  return stage && req.assignStageIds([stage])[0];
}

/** A stage name the plugin defines, for requests that need one (a made-up name when it defines none). */
export function someStageName(facts: PlanFacts): string {
  return facts.forwardNames[0] ?? facts.definedNames[0] ?? 'CONFORMANCE_STAGE';
}

/** A valid PlanPluginInput for this plugin; `withRunning` false = the app's first deployment. */
export function validPlanInput(session: Session, facts: PlanFacts, withRunning: boolean, app: req.AppSpec = facts.app): any {
  const spec = { ids: req.freshIds(), appName: app.appName, pluginName: session.config.name, deployTargets: deployTargetsFor(session, facts.kind) };
  return req.planInput(spec, session.workspace.sources(app, withRunning));
}

/** Application configs no plugin can parse (CATALOGUE §2.0: the SDK answers INTERNAL "failed to parse deployment source"). */
export const UNPARSEABLE_APP_CONFIGS: readonly [string, string][] = [
  ['an application config that is not YAML', 'apiVersion: pipecd.dev/v1beta1\nkind: Application\nspec: [unclosed\n'],
  ['an application config with apiVersion pipecd.dev/v0', 'apiVersion: pipecd.dev/v0\nkind: Application\nspec: {}\n'],
];

/** A valid input whose target source carries `configText` as its application config. */
export function inputWithAppConfig(session: Session, facts: PlanFacts, configText: string): any {
  const input = validPlanInput(session, facts, true);
  input.target_deployment_source.application_config = Buffer.from(configText);
  return input;
}

/** What piped sends DetermineStrategy for a plan preview: a Deployment with only three ids (CATALOGUE §2.3). */
export function planPreviewStrategyInput(session: Session, facts: PlanFacts): any {
  const ids = req.freshIds();
  const sources = session.workspace.sources(facts.app, true);
  return {
    deployment: { piped_id: 'conformance-piped', application_id: ids.applicationId, application_name: facts.app.appName ?? 'conformance-app', trigger: { commander: 'pipectl' } },
    target_deployment_source: sources.target,
    running_deployment_source: sources.running,
  };
}

/** Requests that break the validate rules of the DeploymentService protos (CATALOGUE §4.3 API-003). */
export function invalidRequests(session: Session, facts: PlanFacts): { label: string; method: string; request: any }[] {
  const name = someStageName(facts);
  const noDeploymentId = validPlanInput(session, facts, true);
  noDeploymentId.deployment.id = '';
  return [
    { label: 'ExecuteStageRequest without input', method: 'ExecuteStage', request: {} },
    { label: 'DetermineVersionsRequest with an empty deployment.id', method: 'DetermineVersions', request: { input: noDeploymentId } },
    { label: 'BuildPipelineSyncStagesRequest with a stage at index -1', method: 'BuildPipelineSyncStages', request: req.pipelineRequest([{ name, index: -1, with: {} }], false) },
    { label: 'BuildPipelineSyncStagesRequest with an empty stage name', method: 'BuildPipelineSyncStages', request: req.pipelineRequest([{ name: '', index: 0, with: {} }], false) },
  ];
}

/** Text in several scripts, an emoji and a combining accent: valid UTF-8 that plugins must pass through. */
export const UNICODE_TEXT = 'デプロイ 部署 развёртывание 🚀 e\u0301';

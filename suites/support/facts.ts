// Facts several suites judge, gathered once per run from the shared plugin: defined stages, plans, executions.
// Gathering is I/O; judging stays in src/contract/checks.
import { capabilitiesOf, pluginKind, type Capabilities, type PluginKind } from '../../src/contract/capabilities.js';
import * as req from '../../src/generate/requests.js';
import { candidatePipeline, inputGapReason, otherAppPipelines, stageExamplesOf, type InputGap, type PlannedStageInput } from '../../src/piped/stage-inputs.js';
import { writeCapabilities } from '../../src/report/capabilities-file.js';
import type { CallOutcome } from '../../src/session-types.js';
import type { CallOptions, Session } from '../../src/session.js';
import type { TestContext } from 'vitest';
import { notExercised, runSpec, unsupported } from './shared.js';

export type { PluginKind } from '../../src/contract/capabilities.js';

export interface PlanFacts {
  defined: CallOutcome;
  definedNames: string[];
  quickSync: Record<'rollback' | 'noRollback', CallOutcome>;
  /** DetermineStrategy with a valid input (running source present): decides the kind when quick sync cannot. */
  strategy: CallOutcome;
  kind: PluginKind;
  /** Names the harness sends as pipeline stages: defined names not seen only as rollback stages. */
  forwardNames: string[];
  /** The application deployed: the user's first example app, else one the harness writes for the pipeline. */
  app: req.AppSpec;
  /** The stages planned and executed, each with its `with:` and where that came from (example, or the harness's `{}`). */
  pipelineStages: PlannedStageInput[];
  pipeline: Record<'rollback' | 'noRollback', { request: any; outcome: CallOutcome }>;
  /**
   * Stages left out of the pipeline because the plugin refused the harness's default config `{}` for them and the
   * user gave no example: the rules they would have driven are `not exercised`, with the refusal and the fix.
   */
  gaps: InputGap[];
  /** Further example apps, each planned (rollback=true) and executed as a case of its own. */
  otherApps: AppPlan[];
}

/** One further example app: its stages and its BuildPipelineSyncStages call. */
export interface AppPlan {
  app: req.AppSpec;
  stages: PlannedStageInput[];
  request: any;
  outcome: CallOutcome;
}

export interface Execution {
  label: string;
  request: any;
  outcome: CallOutcome;
}

const FOREIGN_STAGE = 'CONFORMANCE_OTHER_PLUGIN_STAGE';
const planCache = new WeakMap<Session, Promise<PlanFacts>>();
const execCache = new WeakMap<Session, Promise<Execution[]>>();

export function planFacts(session: Session): Promise<PlanFacts> {
  let facts = planCache.get(session);
  if (!facts) {
    facts = gatherPlanFacts(session);
    planCache.set(session, facts);
  }
  return facts;
}

async function gatherPlanFacts(session: Session): Promise<PlanFacts> {
  const defined = await session.call('deployment', 'FetchDefinedStages', {}, { caseId: 'facts: FetchDefinedStages' });
  const definedNames: string[] = defined.ok ? defined.response.stages ?? [] : [];
  const quickSync = {
    rollback: await session.call('deployment', 'BuildQuickSyncStages', { rollback: true }, { caseId: 'facts: BuildQuickSyncStages rollback=true' }),
    noRollback: await session.call('deployment', 'BuildQuickSyncStages', { rollback: false }, { caseId: 'facts: BuildQuickSyncStages rollback=false' }),
  };
  const forwardNames = forwardStageNames(definedNames, quickSync.rollback);
  const inputs = runSpec().inputs;
  const choice = { pluginName: session.config.name, definedNames, forwardNames, inputs, foreignStage: FOREIGN_STAGE };
  const candidate = candidatePipeline(choice);
  const { stages: pipelineStages, gaps } = await dropStagesNeedingExamples(session, candidate.stages);
  const app = candidate.app ?? appWithPipeline(session.config.name, pipelineStages, candidate.pluginSpec);
  const strategy = await probeStrategy(session, app, quickSync.rollback);
  const kind = pluginKind({ quickSync: quickSync.rollback, strategy });
  const plan = async (rollback: boolean) => {
    const request = req.pipelineRequest(pipelineStages, rollback);
    return { request, outcome: await session.call('deployment', 'BuildPipelineSyncStages', request, { caseId: `facts: BuildPipelineSyncStages rollback=${rollback}` }) };
  };
  const otherApps: AppPlan[] = [];
  for (const other of otherAppPipelines(choice, candidate.app)) {
    const request = req.pipelineRequest(other.stages, true);
    const outcome = await session.call('deployment', 'BuildPipelineSyncStages', request, { caseId: `facts: BuildPipelineSyncStages of app ${other.app.example?.label}` });
    otherApps.push({ ...other, request, outcome });
  }
  return { defined, definedNames, quickSync, strategy, kind, forwardNames, app, pipelineStages, pipeline: { rollback: await plan(true), noRollback: await plan(false) }, gaps, otherApps };
}

/**
 * piped sends each stage's `with:` block from the user's app, so `{}` is not a valid config for a stage whose options
 * are required (CATALOGUE §8 item 10). When the pipeline holds stages the harness had no example for and planning
 * refuses it, each such stage is planned alone: the ones refused alone are left out, with the refusal recorded. A
 * refused user example stays in: that refusal is the plugin's failure, judged by the PLAN rules.
 */
async function dropStagesNeedingExamples(session: Session, stages: PlannedStageInput[]): Promise<{ stages: PlannedStageInput[]; gaps: InputGap[] }> {
  if (!stages.some((s) => s.generic)) return { stages, gaps: [] };
  const caseId = 'facts: stages planned with the default config {}';
  const whole = await session.call('deployment', 'BuildPipelineSyncStages', req.pipelineRequest(stages, true), { caseId });
  if (whole.ok) return { stages, gaps: [] };
  const gaps: InputGap[] = [];
  for (const stage of stages.filter((s) => s.generic)) {
    const alone = await session.call('deployment', 'BuildPipelineSyncStages', req.pipelineRequest([stage], true), { caseId });
    if (!alone.ok) gaps.push({ stageName: stage.name, code: alone.status.codeName, message: alone.status.details });
  }
  return { stages: stages.filter((s) => !gaps.some((g) => g.stageName === s.name)), gaps };
}

/**
 * The `with:` piped sends for a planned stage: the pipeline entry at its index (piped looks configs up by index, so a
 * rollback stage gets the config of the stage it rolls back), else the stage's first example, else `{}`.
 */
export function stageConfigOf(plan: PlanFacts, stage: { name: string; index: number }): unknown {
  return plan.pipelineStages.find((s) => s.index === stage.index)?.with ?? stageExamplesOf(runSpec().inputs, plan.pipelineStages, stage.name)[0]?.with ?? {};
}

/** Every example `with:` block known for a stage name (pipeline entries first), for scenarios that need a particular one. */
export function stageExamples(plan: PlanFacts, stageName: string): { with: unknown; source: string }[] {
  return stageExamplesOf(runSpec().inputs, plan.pipelineStages, stageName);
}

/**
 * Ends a test whose rule needs a stage (of some kind) that the plugin did not plan. When stages were left out for lack
 * of a valid config, the missing one may be among them: not exercised, with the refusals and the fix. Otherwise the
 * plugin truly has no such stage: unsupported.
 */
export function missingStage(ctx: TestContext, plan: PlanFacts, why: string): never {
  const gap = gapReason(plan);
  // The gap first: reports group rules not exercised by the first line of their reason.
  if (gap) notExercised(ctx, `${gap}\n(${why})`);
  unsupported(ctx, why);
}

/** Why rules that need a planned stage could not be driven, with the fix; undefined when nothing was left out. */
export function gapReason(plan: PlanFacts): string | undefined {
  return inputGapReason(plan.gaps);
}

/** DetermineStrategy as piped's planner calls it; deploy targets go along unless quick sync already said "stage plugin". */
function probeStrategy(session: Session, app: req.AppSpec, quickSync: CallOutcome): Promise<CallOutcome> {
  const looksLikeStagePlugin = quickSync.ok && (quickSync.response.stages ?? []).length === 0;
  const deployTargets = deployTargetsFor(session, looksLikeStagePlugin ? 'stage' : 'deployment');
  const input = req.planInput({ ids: req.freshIds(), pluginName: session.config.name, deployTargets }, session.workspace.sources(app, true));
  return planningCall(session, 'DetermineStrategy', input, { caseId: 'facts: DetermineStrategy' });
}

/**
 * DetermineVersions or DetermineStrategy inside the deployment's metadata window, as piped's planner makes them
 * (deployment-scoped metadata calls are allowed while planning). A Deployment without an id opens no window.
 */
export async function planningCall(session: Session, method: 'DetermineVersions' | 'DetermineStrategy', input: any, options: CallOptions = {}): Promise<CallOutcome> {
  const deploymentId: string | undefined = input?.deployment?.id || undefined;
  if (deploymentId) session.host.openDeployment(input.deployment, options.caseId);
  try {
    return await session.call('deployment', method, { input }, options);
  } finally {
    if (deploymentId) session.host.closeDeployment(deploymentId);
  }
}

export interface CapabilityFacts {
  capabilities: Capabilities;
  /** GetLivestate and GetPlanPreview with valid requests: OK, UNIMPLEMENTED or another status (API-002). */
  livestate: CallOutcome;
  planPreview: CallOutcome;
}

const capabilityCache = new WeakMap<Session, Promise<CapabilityFacts>>();

/** What the plugin is and serves, decided once per run and recorded for results.json (src/report/capabilities-file.ts). */
export function capabilities(session: Session): Promise<CapabilityFacts> {
  let facts = capabilityCache.get(session);
  if (!facts) {
    facts = gatherCapabilities(session);
    capabilityCache.set(session, facts);
  }
  return facts;
}

async function gatherCapabilities(session: Session): Promise<CapabilityFacts> {
  const plan = await planFacts(session);
  const targets = deployTargetsFor(session, 'deployment') ?? [];
  const livestateRequest = req.livestateRequest(req.freshIds(), plan.app, targets, session.workspace.source(plan.app));
  const livestate = await session.call('livestate', 'GetLivestate', livestateRequest, { caseId: 'facts: GetLivestate' });
  const previewRequest = req.planPreviewRequest(req.freshIds(), plan.app, targets, session.workspace.sources(plan.app, true));
  const planPreview = await session.call('planPreview', 'GetPlanPreview', previewRequest, { caseId: 'facts: GetPlanPreview', deadlineMs: 60_000 });
  const found = capabilitiesOf({ quickSync: plan.quickSync.rollback, strategy: plan.strategy, livestate, planPreview });
  const reportsDir = runSpec().reportsDir;
  if (reportsDir) writeCapabilities(reportsDir, found);
  return { capabilities: found, livestate, planPreview };
}

function forwardStageNames(defined: string[], quickSync: CallOutcome): string[] {
  const stages: any[] = quickSync.ok ? quickSync.response.stages ?? [] : [];
  const rollbackOnly = new Set(stages.filter((s) => s.rollback).map((s) => s.name));
  for (const s of stages) if (!s.rollback) rollbackOnly.delete(s.name);
  return defined.filter((name) => !rollbackOnly.has(name));
}

/** The app config matching the pipeline: the plugin's stages at their indexes, another plugin's stage in the gaps. */
export function appWithPipeline(pluginName: string, stages: req.PipelineStageSpec[], pluginSpec?: unknown): req.AppSpec {
  const length = stages.length ? Math.max(...stages.map((s) => s.index)) + 1 : 0;
  const pipeline = Array.from({ length }, () => ({ name: FOREIGN_STAGE, with: undefined as unknown }));
  for (const s of stages) pipeline[s.index] = { name: s.name, with: s.with };
  return { pluginName, pipeline, ...(pluginSpec === undefined ? {} : { pluginSpec }) };
}

/** Deploy targets this plugin gets in `deploy_targets_by_plugin`: none for stage plugins (CATALOGUE §2.6). */
export function deployTargetsFor(session: Session, kind: PluginKind): string[] | undefined {
  return kind === 'deployment' ? (session.config.deployTargets ?? []).map((t) => t.name) : undefined;
}

export function executions(session: Session): Promise<Execution[]> {
  let facts = execCache.get(session);
  if (!facts) {
    facts = gatherExecutions(session);
    execCache.set(session, facts);
  }
  return facts;
}

/** Executes the pipeline plan (forward then rollback stages) and the quick-sync plan, as piped's scheduler would. */
async function gatherExecutions(session: Session): Promise<Execution[]> {
  const plan = await planFacts(session);
  const runs: Execution[] = [];
  const pipeline = plan.pipeline.rollback.outcome;
  if (pipeline.ok) {
    runs.push(...(await executePlan(session, plan, pipeline.response.stages ?? [], 'PIPELINE', (stage) => stageConfigOf(plan, stage), true)));
  }
  for (const other of plan.otherApps) {
    if (!other.outcome.ok) continue;
    const configOf = (stage: any) => other.stages.find((s) => s.index === stage.index)?.with ?? {};
    runs.push(...(await executePlan(session, plan, other.outcome.response.stages ?? [], 'PIPELINE', configOf, true, other.app)));
  }
  const quick = plan.quickSync.rollback;
  if (quick.ok) runs.push(...(await executePlan(session, plan, quick.response.stages ?? [], 'QUICK_SYNC', () => undefined, false)));
  return runs;
}

async function executePlan(session: Session, plan: PlanFacts, built: any[], strategy: string, configOf: (stage: any) => unknown, withRunning: boolean, app = plan.app): Promise<Execution[]> {
  const stages = req.assignStageIds(built);
  const ids = req.freshIds();
  const dep = req.deployment({
    ids, pluginName: session.config.name, appName: app.appName, configFilename: req.configFilenameOf(app), deployTargets: deployTargetsFor(session, plan.kind), stages,
    status: 'DEPLOYMENT_PLANNED', syncStrategy: strategy,
  });
  const runs: Execution[] = [];
  const caseId = `facts: execute ${strategy} plan${app.example ? ` of app ${app.example.label}` : ''}`;
  session.host.openDeployment(dep, caseId);
  try {
    for (const stage of stages) {
      if (stage.available_operation === 'MANUAL_OPERATION_APPROVE') session.host.setStageCommands(dep.id, stage.id, approvalCommands(dep, stage));
      // piped hands every stage a fresh copy of the checked-out sources (deploysource.go copy()).
      const sources = session.workspace.sources(app, withRunning);
      const request = req.executeRequest(dep, stage, configOf(stage), sources.target, sources.running);
      const outcome = await session.call('deployment', 'ExecuteStage', request, { caseId, budgetMs: 120_000 });
      session.host.clearStageCommands(dep.id, stage.id);
      const where = app.example && app !== plan.app ? ` of app ${app.example.label}` : '';
      runs.push({ label: `${strategy} ${stage.rollback ? 'rollback ' : ''}stage ${stage.name} (index ${stage.index})${where}`, request, outcome });
    }
  } finally {
    session.host.closeDeployment(dep.id);
  }
  return runs;
}

/**
 * Approvals that let any approval stage end, as a team would give them: one APPROVE_STAGE from each user the plan
 * authorised, else from two harness users (a stage may need more than one approver).
 */
export function approvalCommands(dep: any, stage: any): any[] {
  const users: string[] = stage.authorized_operators?.length ? stage.authorized_operators : ['conformance-approver', 'conformance-approver-2'];
  return users.map((user, i) => approveCommand(dep, stage, user, `cmd-${stage.id}-${i}`));
}

/**
 * An APPROVE_STAGE command as piped's command store hands it out. By default from the first user the plan authorised
 * (piped only lets authorised users approve, and a plugin may ignore anyone else).
 */
export function approveCommand(dep: any, stage: any, commander: string = stage.authorized_operators?.[0] ?? 'conformance-approver', id = `cmd-${stage.id}`): any {
  const now = String(Math.floor(Date.now() / 1000));
  return {
    id, piped_id: dep.piped_id, application_id: dep.application_id, deployment_id: dep.id, stage_id: stage.id, commander, project_id: dep.project_id,
    status: 'COMMAND_NOT_HANDLED_YET', metadata: {}, handled_at: '0', type: 'APPROVE_STAGE',
    approve_stage: { deployment_id: dep.id, stage_id: stage.id }, created_at: now, updated_at: now,
  };
}

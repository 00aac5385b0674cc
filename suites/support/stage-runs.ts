// Running planned stages outside the shared executions: one deployment per run, inside its metadata window, the way
// piped's scheduler does. Used by SVC scenarios (commands, shared objects), plan preview and host faults.
import * as req from '../../src/generate/requests.js';
import type { CallOutcome } from '../../src/session-types.js';
import type { Session } from '../../src/session.js';
import { approvalCommands, approveCommand, deployTargetsFor, planFacts, stageConfigOf as pipelineConfigOf, type Execution, type PlanFacts } from './facts.js';

export type SyncStrategy = 'PIPELINE' | 'QUICK_SYNC';

export interface StageRunOptions {
  caseId: string;
  strategy?: SyncStrategy;
  /** False = the application's first deployment (no running source). Default true. */
  withRunning?: boolean;
  /** Run under this application id instead of a fresh one. */
  applicationId?: string;
  /** Commit of the target source; default req.TARGET_COMMIT. */
  targetCommit?: string;
  /** False leaves approval stages without an APPROVE command. Default true. */
  approve?: boolean;
  budgetMs?: number;
  /** A deployment made earlier with newDeployment() (e.g. to scope faults to its ids before running it). */
  prepared?: PreparedDeployment;
}

export interface PreparedDeployment {
  dep: any;
  sources: req.Sources;
}

/** Stages of the plugin's own pipeline plan (rollback=true, so rollback stages too), with ids as piped assigns them. */
export function plannedPipeline(facts: PlanFacts): any[] {
  const outcome = facts.pipeline.rollback.outcome;
  return outcome.ok ? req.assignStageIds(outcome.response.stages ?? []) : [];
}

/** Stages of the plugin's quick-sync plan without rollback stages, with ids. */
export function plannedQuickSync(facts: PlanFacts): any[] {
  const outcome = facts.quickSync.noRollback;
  return outcome.ok ? req.assignStageIds((outcome.response.stages ?? []).filter((s: any) => !s.rollback)) : [];
}

/** The `with:` of a planned pipeline stage, as piped loads it by index (empty for quick sync). */
export function stageConfigOf(facts: PlanFacts, stage: any, strategy: SyncStrategy): unknown {
  if (strategy === 'QUICK_SYNC') return undefined;
  return pipelineConfigOf(facts, stage);
}

/** A fresh deployment holding `stages`, for this plugin, with the sources piped would send. */
export async function newDeployment(session: Session, stages: any[], options: StageRunOptions): Promise<PreparedDeployment> {
  const facts = await planFacts(session);
  const ids = req.freshIds();
  if (options.applicationId) ids.applicationId = options.applicationId;
  const dep = req.deployment({
    ids, pluginName: session.config.name, deployTargets: deployTargetsFor(session, facts.kind), stages, status: 'DEPLOYMENT_RUNNING', syncStrategy: options.strategy ?? 'PIPELINE',
  });
  const target = session.workspace.source(facts.app, options.targetCommit ?? req.TARGET_COMMIT);
  const running = (options.withRunning ?? true) ? session.workspace.source(facts.app, req.RUNNING_COMMIT) : null;
  return { dep, sources: { target, running } };
}

/** Executes `stages` in order in one fresh deployment window; every stage runs whatever the previous ones answered. */
export async function runStages(session: Session, stages: any[], options: StageRunOptions): Promise<Execution[]> {
  const facts = await planFacts(session);
  const strategy = options.strategy ?? 'PIPELINE';
  const { dep, sources } = options.prepared ?? (await newDeployment(session, stages, options));
  const runs: Execution[] = [];
  session.host.openDeployment(dep, options.caseId);
  try {
    for (const stage of stages) {
      const manual = stage.available_operation === 'MANUAL_OPERATION_APPROVE';
      if (manual && options.approve !== false) session.host.setStageCommands(dep.id, stage.id, approvalCommands(dep, stage));
      const request = req.executeRequest(dep, stage, stageConfigOf(facts, stage, strategy), sources.target, sources.running);
      const outcome = await session.call('deployment', 'ExecuteStage', request, { caseId: options.caseId, budgetMs: options.budgetMs ?? 120_000 });
      session.host.clearStageCommands(dep.id, stage.id);
      runs.push({ label: `${strategy} ${stage.rollback ? 'rollback ' : ''}stage ${stage.name} (index ${stage.index})`, request, outcome });
    }
  } finally {
    session.host.closeDeployment(dep.id);
  }
  return runs;
}

/** True when an ExecuteStage answered OK with a status other than STAGE_FAILURE (the stage did its job). */
export function stageSucceeded(outcome: CallOutcome): boolean {
  return outcome.ok && ['STAGE_SUCCESS', 'STAGE_SKIPPED', 'STAGE_EXITED'].includes(outcome.response?.status);
}

/**
 * The callbacks among `outcome.callbacks` that the call itself made: those naming its application, plus those naming
 * no application and no deployment the harness opened (calls of concurrent or earlier executions are left out).
 */
export function callbacksOfCall(session: Session, outcome: CallOutcome, applicationId: string): CallOutcome['callbacks'] {
  const harnessDeployments = new Set(session.host.deploymentWindows().map((w) => w.deploymentId));
  return outcome.callbacks.filter((e) => {
    const app = e.request?.application_id;
    if (typeof app === 'string' && app !== '') return app === applicationId;
    return !harnessDeployments.has(e.request?.deployment_id);
  });
}

export interface SyncedApplication {
  applicationId: string;
  /** The source the quick-sync forward stages deployed. */
  source: any;
  runs: Execution[];
  /** Every stage did its job, so the deploy targets now run `source`. */
  synced: boolean;
}

const SYNC_CASE = 'facts: quick sync of a fresh application';
const syncCache = new WeakMap<Session, Promise<SyncedApplication | undefined>>();

/** A fresh application deployed with the plugin's quick-sync plan (no rollback); undefined for a plan without stages. */
export function syncedApplication(session: Session): Promise<SyncedApplication | undefined> {
  let facts = syncCache.get(session);
  if (!facts) {
    facts = syncFreshApplication(session);
    syncCache.set(session, facts);
  }
  return facts;
}

async function syncFreshApplication(session: Session): Promise<SyncedApplication | undefined> {
  const stages = plannedQuickSync(await planFacts(session));
  if (!stages.length) return undefined;
  const applicationId = req.freshIds().applicationId;
  const prepared = await newDeployment(session, stages, { caseId: SYNC_CASE, applicationId, strategy: 'QUICK_SYNC', withRunning: false });
  const runs = await runStages(session, stages, { caseId: SYNC_CASE, strategy: 'QUICK_SYNC', prepared });
  return { applicationId, source: prepared.sources.target, runs, synced: runs.every((r) => stageSucceeded(r.outcome)) };
}

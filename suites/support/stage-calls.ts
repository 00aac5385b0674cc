// Single ExecuteStage calls made the way piped's scheduler makes them, for the EXEC scenarios (cancel, hold, kill and
// re-run, run in parallel): the deployment's metadata window open for the call, the stage's commands listed while it
// runs (then handled), cancellable, and the journal watched while they run. stage-runs.ts runs whole plans instead.
import type { JournalEntry, RunningHost } from '../../src/host/types.js';
import * as req from '../../src/generate/requests.js';
import type { CallOutcome } from '../../src/session-types.js';
import type { Session } from '../../src/session.js';
import { approveCommand, deployTargetsFor, planFacts } from './facts.js';

export interface StageCallSpec {
  /** Journal attribution. */
  caseId: string;
  /** A planned stage with its id (req.assignStageIds). */
  stage: any;
  /** An existing deployment to run in (re-execution after a restart); default a fresh one holding only `stage`. */
  deployment?: any;
  /** Names in `deploy_targets_by_plugin[<plugin>]`; null = no entry. Default: the plugin's targets (none for stage plugins). */
  deployTargets?: string[] | null;
  /** False = the app's first deployment (no running source). Default true. */
  withRunning?: boolean;
  /** JSON for `stage_config`; undefined sends empty bytes (what piped sends for quick sync or a missing `with:`). */
  stageConfig?: unknown;
  /** Unhandled commands ListStageCommands lists for the stage while the call runs (may depend on the deployment). */
  commands?: any[] | ((deployment: any, stage: any) => any[]);
  syncStrategy?: 'PIPELINE' | 'QUICK_SYNC';
  budgetMs?: number;
}

/** A call in flight. */
export interface StageCall {
  deployment: any;
  stage: any;
  request: any;
  /** Wall-clock ms when the call was made. */
  startedAt: number;
  outcome: Promise<CallOutcome>;
  /** Cancels the call as piped does (RST_STREAM). */
  cancel(): void;
  /** True once the outcome is in. */
  settled(): boolean;
}

const DEFAULT_BUDGET_MS = 120_000;

/** Starts one ExecuteStage; the window closes and the stage's commands become handled when the call ends. */
export async function beginStage(session: Session, spec: StageCallSpec): Promise<StageCall> {
  const plan = await planFacts(session);
  const deployment = spec.deployment ?? stageDeployment(session, [spec.stage], plan.kind, spec);
  const sources = session.workspace.sources(plan.app, spec.withRunning ?? true);
  const request = req.executeRequest(deployment, spec.stage, spec.stageConfig, sources.target, sources.running);
  const { host } = session;
  host.openDeployment(deployment, spec.caseId);
  const commands = typeof spec.commands === 'function' ? spec.commands(deployment, spec.stage) : spec.commands;
  if (commands) host.setStageCommands(deployment.id, spec.stage.id, commands);
  const startedAt = Date.now();
  const call = session.callCancellable('deployment', 'ExecuteStage', request, { caseId: spec.caseId, budgetMs: spec.budgetMs ?? DEFAULT_BUDGET_MS });
  let done = false;
  const outcome = call.outcome.finally(() => {
    done = true;
    host.clearStageCommands(deployment.id, spec.stage.id);
    host.closeDeployment(deployment.id);
  });
  return { deployment, stage: spec.stage, request, startedAt, outcome, cancel: call.cancel, settled: () => done };
}

/** Runs one ExecuteStage to its end. */
export async function runStage(session: Session, spec: StageCallSpec): Promise<{ request: any; outcome: CallOutcome; deployment: any }> {
  const call = await beginStage(session, spec);
  return { request: call.request, outcome: await call.outcome, deployment: call.deployment };
}

/** A fresh deployment of a fresh application holding `stages`, as piped's scheduler sends it. */
export function stageDeployment(session: Session, stages: any[], kind: 'stage' | 'deployment', spec: Pick<StageCallSpec, 'deployTargets' | 'syncStrategy'> = {}): any {
  const deployTargets = spec.deployTargets === null ? undefined : spec.deployTargets ?? deployTargetsFor(session, kind);
  return req.deployment({
    ids: req.freshIds(), pluginName: session.config.name, deployTargets, stages, status: 'DEPLOYMENT_PLANNED', syncStrategy: spec.syncStrategy ?? 'PIPELINE',
  });
}

/** `PIPELINE stage REF_SYNC (index 1, rollback)`. */
export function stageCallLabel(stage: any, strategy = 'PIPELINE'): string {
  return `${strategy} stage ${stage.name} (index ${stage.index ?? 0}${stage.rollback ? ', rollback' : ''})`;
}

/** The stages the plugin planned for its pipeline (forward and rollback), with fresh ids. */
export async function plannedStages(session: Session, rollback = true): Promise<any[]> {
  const outcome = (await planFacts(session)).pipeline[rollback ? 'rollback' : 'noRollback'].outcome;
  return outcome.ok ? req.assignStageIds(outcome.response.stages ?? []) : [];
}

/** Forward stages planned with the given manual operation (MANUAL_OPERATION_APPROVE or _SKIP). */
export async function stagesWithOperation(session: Session, operation: string): Promise<any[]> {
  return (await plannedStages(session, false)).filter((s) => !s.rollback && s.available_operation === operation);
}

/** The same stage under a new id, for another deployment. */
export function freshStage(stage: any): any {
  return req.assignStageIds([{ ...stage, id: undefined, requires: [] }])[0];
}

/** A command of any type for the stage, as piped's command store hands it out. */
export function stageCommand(deployment: any, stage: any, type: string, commander: string, id: string): any {
  const base = approveCommand(deployment, stage, commander, id);
  const { approve_stage: _approve, ...rest } = base;
  const payload: Record<string, unknown> = {
    APPROVE_STAGE: { approve_stage: { deployment_id: deployment.id, stage_id: stage.id } },
    SKIP_STAGE: { skip_stage: { deployment_id: deployment.id, stage_id: stage.id } },
    CANCEL_DEPLOYMENT: { cancel_deployment: { deployment_id: deployment.id, force_rollback: false, force_no_rollback: false } },
    SYNC_APPLICATION: { sync_application: { application_id: deployment.application_id, sync_strategy: 'AUTO' } },
  };
  return { ...rest, type, ...(payload[type] as object) };
}

/** ListStageCommands calls for the stage that arrived so far (answered or not). */
export function pollsOf(host: RunningHost, deploymentId: string, stageId: string): { time: number }[] {
  const isPoll = (c: { rpc: string; request: any }) => c.rpc === 'ListStageCommands' && c.request?.deployment_id === deploymentId && c.request?.stage_id === stageId;
  return [...host.journal().filter(isPoll), ...host.inFlight().filter(isPoll)].sort((a, b) => a.time - b.time);
}

/** Resolves true once `count` polls of the stage have arrived, false after `timeoutMs`. */
export async function waitForPolls(host: RunningHost, deploymentId: string, stageId: string, count: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const isPoll = (c: { rpc: string; request: any }) => c.rpc === 'ListStageCommands' && c.request?.deployment_id === deploymentId && c.request?.stage_id === stageId;
  // The check and the wait's registration run in one tick, so no arrival can slip between them.
  while (pollsOf(host, deploymentId, stageId).length < count) {
    const remaining = deadline - Date.now();
    if (remaining <= 0 || !(await host.waitForArrival(isPoll, remaining))) return pollsOf(host, deploymentId, stageId).length >= count;
  }
  return true;
}

/** Resolves true once the stage wrote stage metadata, false after `timeoutMs`. */
export async function waitForStageWrite(host: RunningHost, deploymentId: string, stageId: string, timeoutMs: number): Promise<boolean> {
  const isWrite = (e: JournalEntry) => (e.rpc === 'PutStageMetadata' || e.rpc === 'PutStageMetadataMulti') && e.request?.deployment_id === deploymentId && e.request?.stage_id === stageId;
  if (host.journal().some(isWrite)) return true;
  return (await host.waitFor(isWrite, timeoutMs)) !== undefined;
}

/**
 * Callbacks for a deployment arriving at or after `since`, watched until none came for `quietMs`, or until
 * `since + boundMs + quietMs` (a plugin that never falls quiet is watched just past the bound, no longer).
 */
export async function watchUntilQuiet(host: RunningHost, deploymentId: string, since: number, quietMs: number, boundMs: number): Promise<JournalEntry[]> {
  const ofDeployment = (e: JournalEntry) => e.request?.deployment_id === deploymentId;
  const hardEnd = since + boundMs + quietMs;
  const seen = host.journal().filter((e) => ofDeployment(e) && e.time >= since);
  let seq = host.lastSeq();
  for (;;) {
    const fresh = host.journalSince(seq).filter((e) => ofDeployment(e) && e.time >= since);
    seq = host.lastSeq();
    seen.push(...fresh);
    const lastActivity = Math.max(since, ...seen.map((e) => e.time));
    const until = Math.min(lastActivity + quietMs, hardEnd);
    if (Date.now() >= until) return seen;
    await host.waitFor(ofDeployment, until - Date.now());
  }
}

/** Resolves after `ms` (a scenario's own holding time, not a wait for a condition). */
export function hold(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

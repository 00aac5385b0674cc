// SVC: every PluginService call the plugin made during the run so far, judged as piped and the control plane would.
import { describe, it } from 'vitest';
import {
  checkCallbackRequestsValid, checkCheckpointPayloads, checkCommandPollRate, checkCommandsHandled, checkCompletedBeforeResponse, checkInstallTool,
  checkLogBlocks, checkLogIndexes, checkLogRetriedCount, checkNoAuthMetadata, checkNothingAfterCompleted, checkNotFoundMeansAbsent,
  checkPluginMetadataNamespace, checkSharedObjectRequests, checkStageMetadataWritesOwnStage, checkToolScriptsStable, type AbsentObjectTrial,
  type CommandScenario,
} from '../src/contract/checks/index.js';
import type { JournalEntry } from '../src/host/types.js';
import * as req from '../src/generate/requests.js';
import type { Session } from '../src/session.js';
import { approveCommand, executions, missingStage, planFacts, type Execution } from './support/facts.js';
import { expectNoViolations, unsupported, useSession } from './support/shared.js';
import { newDeployment, runStages, stageConfigOf, stageSucceeded } from './support/stage-runs.js';

/** The whole journal, after the scheduled executions have run (so there are callbacks to judge). */
async function journal(session: Session) {
  await executions(session);
  return [...session.host.journal()];
}

describe('SVC callbacks to piped', () => {
  it('SVC-002 every PluginService request satisfies its validate rules', async (ctx) => {
    expectNoViolations(checkCallbackRequestsValid(await journal(await useSession(ctx))));
  });

  it('SVC-003 log blocks: non-empty text, severity INFO/SUCCESS/ERROR, created_at in Unix seconds', async (ctx) => {
    expectNoViolations(checkLogBlocks(await journal(await useSession(ctx)), Math.floor(Date.now() / 1000)));
  });

  it('SVC-004 log block indexes are unique and increasing per stage, across both log RPCs', async (ctx) => {
    expectNoViolations(checkLogIndexes(await journal(await useSession(ctx))));
  });

  it('SVC-005 nothing is logged for a stage after its completed=true checkpoint', async (ctx) => {
    expectNoViolations(checkNothingAfterCompleted(await journal(await useSession(ctx))));
  });
});

/** Executions that ran: the facts per-execution checks need. */
async function ran(ctx: any): Promise<{ session: Session; runs: Execution[] }> {
  const session = await useSession(ctx);
  const runs = await executions(session);
  if (!runs.length) missingStage(ctx, await planFacts(session), 'the plugin planned no stage to execute');
  return { session, runs };
}

describe('SVC callbacks to piped: how they are made', () => {
  it('SVC-001 callbacks come over plaintext gRPC and carry no credentials', async (ctx) => {
    const entries = await journal(await useSession(ctx));
    // The fake serves plaintext only: every journaled callback proves a plaintext connection.
    if (!entries.length) unsupported(ctx, 'the plugin made no PluginService call, so how it connects cannot be seen');
    expectNoViolations(checkNoAuthMetadata(entries));
  });

  it('SVC-006 checkpoints carry every block since the last one, and completed=true comes before the response', async (ctx) => {
    const { session, runs } = await ran(ctx);
    expectNoViolations([...checkCheckpointPayloads([...session.host.journal()]), ...checkCompletedBeforeResponse(runs)]);
  });

  it('SVC-007 log callbacks carry the request stage.retried_count', async (ctx) => {
    const { runs } = await ran(ctx);
    expectNoViolations(checkLogRetriedCount(runs));
  });

  it('SVC-010 stage-metadata writes target only the executing stage', async (ctx) => {
    const { runs } = await ran(ctx);
    expectNoViolations(checkStageMetadataWritesOwnStage(runs));
  });

  it('SVC-011 deployment plugin metadata is written under the plugin\'s own name', async (ctx) => {
    const session = await useSession(ctx);
    expectNoViolations(checkPluginMetadataNamespace(await journal(session), session.config.name));
  });
});

describe('SVC callbacks to piped: stage commands', () => {
  it('SVC-013 the same commands on every call, with duplicates and other types, get one reaction', async (ctx) => {
    const session = await useSession(ctx);
    const scenario = await commandScenario(session);
    if (!scenario) missingStage(ctx, await planFacts(session), 'the plugin planned no stage with MANUAL_OPERATION_APPROVE');
    expectNoViolations(checkCommandsHandled(scenario));
  });

  it('SVC-014 a waiting stage polls ListStageCommands at most about once a second', async (ctx) => {
    const session = await useSession(ctx);
    const scenario = await commandScenario(session);
    if (!scenario) missingStage(ctx, await planFacts(session), 'the plugin planned no stage with MANUAL_OPERATION_APPROVE');
    expectNoViolations(checkCommandPollRate(`${scenario.run.label} waiting for approval`, scenario.pollTimes));
  });
});

describe('SVC callbacks to piped: tools and shared objects', () => {
  it('SVC-015 InstallTool: fields set, a template piped can render, and the returned installed_path used', async (ctx) => {
    const session = await useSession(ctx);
    const entries = await journal(session);
    if (!entries.some((e) => e.rpc === 'InstallTool')) unsupported(ctx, 'the plugin never called InstallTool');
    expectNoViolations(checkInstallTool(entries, session.host.installedTools()));
  });

  it('SVC-016 one name-version is always installed with the same script', async (ctx) => {
    const entries = await journal(await useSession(ctx));
    if (!entries.some((e) => e.rpc === 'InstallTool')) unsupported(ctx, 'the plugin never called InstallTool');
    expectNoViolations(checkToolScriptsStable(entries));
  });

  it('SVC-017 shared objects: own application and name, and NOT_FOUND read as absent', async (ctx) => {
    const { session, runs } = await ran(ctx);
    const used = runs.some((r) => r.outcome.callbacks.some((e) => e.rpc.endsWith('ApplicationSharedObject')));
    if (!used) unsupported(ctx, 'the plugin used no application shared object while executing');
    const trials = await absentObjectTrials(session, runs);
    expectNoViolations([...checkSharedObjectRequests(runs, session.config.name), ...checkNotFoundMeansAbsent(trials)]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// SVC-013/SVC-014 scenario: an approval stage first sees empty lists, then the same commands on every call.

/**
 * Empty answers the plugin gets before the commands appear, and the most the harness waits for them: more than one,
 * so a plugin that gives up on repeated empty lists (rather than the first) shows it, and SVC-014 gets intervals to
 * extrapolate from. An SDK plugin polls every 5 s, so it may see fewer before the wait ends.
 */
const EMPTY_POLLS = 2;
const EMPTY_PHASE_MAX_MS = 2_500;
const COMMANDS_CASE = 'SVC-013 stage commands with duplicates and noise';

interface CommandFacts extends CommandScenario {
  /** Arrival times of the stage's ListStageCommands calls (SVC-014). */
  pollTimes: number[];
}

const commandCache = new WeakMap<Session, Promise<CommandFacts | undefined>>();

function commandScenario(session: Session): Promise<CommandFacts | undefined> {
  let facts = commandCache.get(session);
  if (!facts) {
    facts = runCommandScenario(session);
    commandCache.set(session, facts);
  }
  return facts;
}

async function runCommandScenario(session: Session): Promise<CommandFacts | undefined> {
  const facts = await planFacts(session);
  const built = facts.pipeline.noRollback.outcome;
  const approval = (built.ok ? built.response.stages ?? [] : []).find((s: any) => !s.rollback && s.available_operation === 'MANUAL_OPERATION_APPROVE');
  if (!approval) return undefined;
  const [stage] = req.assignStageIds([approval]);
  const { dep, sources } = await newDeployment(session, [stage], { caseId: COMMANDS_CASE });
  const request = req.executeRequest(dep, stage, stageConfigOf(facts, stage, 'PIPELINE'), sources.target, sources.running);
  const isPoll = (e: JournalEntry) => e.rpc === 'ListStageCommands' && e.request?.deployment_id === dep.id && e.request?.stage_id === stage.id;
  const seqBefore = session.host.lastSeq();
  session.host.openDeployment(dep, COMMANDS_CASE);
  try {
    const call = session.callCancellable('deployment', 'ExecuteStage', request, { caseId: COMMANDS_CASE, budgetMs: 60_000 });
    const emptyPolls = await waitForPolls(session, seqBefore, isPoll, call.outcome);
    session.host.setStageCommands(dep.id, stage.id, commandsWithNoise(dep, stage));
    const outcome = await call.outcome;
    const pollTimes = session.host.journalSince(seqBefore).filter(isPoll).map((e) => e.time);
    const run = { label: `stage ${stage.name} (index ${stage.index})`, request, outcome };
    return { run, emptyPolls, approvers: [approverOf(stage)], noiseCommanders: [NOISE_COMMANDER], pollTimes };
  } finally {
    session.host.clearStageCommands(dep.id, stage.id);
    session.host.closeDeployment(dep.id);
  }
}

/** Waits until the stage polled EMPTY_POLLS times, the call ended, or EMPTY_PHASE_MAX_MS passed; returns the polls seen. */
async function waitForPolls(session: Session, seqBefore: number, isPoll: (e: JournalEntry) => boolean, ended: Promise<unknown>): Promise<number> {
  const deadline = Date.now() + EMPTY_PHASE_MAX_MS;
  let done = false;
  void ended.then(() => (done = true));
  const polls = () => session.host.journalSince(seqBefore).filter(isPoll).length;
  while (!done && polls() < EMPTY_POLLS && Date.now() < deadline) {
    await Promise.race([session.host.waitFor(isPoll, deadline - Date.now()), ended]);
  }
  return polls();
}

/** Who approves: a user the plan authorised (a plugin may ignore anyone else), else a harness user. */
function approverOf(stage: any): string {
  return stage.authorized_operators?.[0] ?? 'conformance-approver';
}
const NOISE_COMMANDER = 'conformance-noise';

/**
 * One approval listed twice under one id, plus commands of types piped never routes to a stage: a plugin must filter
 * by type and dedup by id (CATALOGUE §3.6).
 */
function commandsWithNoise(dep: any, stage: any): any[] {
  const approve = approveCommand(dep, stage, approverOf(stage), `cmd-approve-${stage.id}`);
  const base = { ...approve, commander: NOISE_COMMANDER, approve_stage: null };
  const cancel = { ...base, id: `cmd-noise-cancel-${stage.id}`, type: 'CANCEL_DEPLOYMENT', cancel_deployment: { deployment_id: dep.id, force_rollback: false, force_no_rollback: false } };
  const sync = { ...base, id: `cmd-noise-sync-${stage.id}`, type: 'SYNC_APPLICATION', sync_application: { application_id: dep.application_id, sync_strategy: 'AUTO' } };
  return [cancel, approve, sync, { ...approve }];
}

// ---------------------------------------------------------------------------------------------------------------
// SVC-017 trials: a stage that failed after a NOT_FOUND shared-object Get runs again with the object present.

const OBJECTS_CASE = 'SVC-017 re-run with the shared objects present';

async function absentObjectTrials(session: Session, runs: Execution[]): Promise<AbsentObjectTrial[]> {
  const trials: AbsentObjectTrial[] = [];
  for (const run of runs) {
    const misses = run.outcome.callbacks.filter((e) => e.rpc === 'GetApplicationSharedObject' && e.status?.codeName === 'NOT_FOUND' && e.fault === undefined);
    if (!misses.length || stageSucceeded(run.outcome)) continue;
    trials.push({ label: run.label, absent: run.outcome, present: await rerunWithObjects(session, run, misses) });
  }
  return trials;
}

/** The same stage in a fresh deployment of a fresh application whose missing objects now exist (the plugin's own latest value, else empty). */
async function rerunWithObjects(session: Session, run: Execution, misses: JournalEntry[]) {
  const applicationId = req.freshIds().applicationId;
  for (const miss of misses) {
    const { plugin_name: pluginName, key } = miss.request;
    session.host.putSharedObject(applicationId, pluginName, key, latestStored(session, pluginName, key));
  }
  const stage = { ...run.request.input.stage, id: req.assignStageIds([run.request.input.stage])[0].id };
  const strategy = run.request.input.deployment.trigger?.sync_strategy === 'QUICK_SYNC' ? 'QUICK_SYNC' : 'PIPELINE';
  const [rerun] = await runStages(session, [stage], { caseId: OBJECTS_CASE, applicationId, strategy, withRunning: run.request.input.running_deployment_source !== null });
  return rerun.outcome;
}

function latestStored(session: Session, pluginName: string, key: string): Buffer {
  const puts = session.host.journal().filter((e) => e.rpc === 'PutApplicationSharedObject' && e.request?.plugin_name === pluginName && e.request?.key === key && e.status === undefined);
  return Buffer.from(puts.at(-1)?.request?.object ?? []);
}

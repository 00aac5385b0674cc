// Scenarios over an ExecuteStage's lifetime: approvals through commands, a stage held waiting, a cancel, a SIGKILL and
// re-execution, parallel calls. Each gathers facts for the pure checks in src/contract/checks/execution-lifecycle.ts.
// Scenarios that cancel, kill or run calls in parallel use their own plugin process, so what they provoke (a stage
// still working after its cancel, state mixed up under concurrency) cannot leak into other rules' facts, and a
// restart never hides a crash of the shared process from PROC-014.
import type {
  ApprovalFacts, ApprovalRun, CancellationFacts, ConcurrencyFacts, LongStageFacts, ResumeFacts, SkipFacts, TwoUserApproval,
} from '../../src/contract/checks/index.js';
import { checkResumesAfterRestart, LOG_RPCS } from '../../src/contract/checks/index.js';
import type { JournalEntry } from '../../src/host/types.js';
import * as req from '../../src/generate/requests.js';
import type { CallOutcome } from '../../src/session-types.js';
import { Session } from '../../src/session.js';
import { approvalCommands, approveCommand, deployTargetsFor, executions, planFacts, stageConfigOf, type PlanFacts } from './facts.js';
import { sessionOptions } from './shared.js';
import {
  beginStage, freshStage, hold, plannedStages, pollsOf, stageCallLabel, stageCommand, stagesWithOperation, waitForPolls, waitForStageWrite, watchUntilQuiet,
  type StageCall,
} from './stage-calls.js';

/**
 * A scenario that could not run: the reason, reported as unsupported (does not apply), or as not exercised when
 * `notExercised` is set (the plugin has what the rule needs, but the inputs did not let the harness drive it).
 */
export interface NotApplicable {
  notApplicable: string;
  notExercised?: boolean;
}

export function isNotApplicable(value: unknown): value is NotApplicable {
  return typeof value === 'object' && value !== null && 'notApplicable' in value;
}

const APPROVED_USERS_KEY = 'pipecd/stage-approved-users';
const FIRST_USER = 'conformance-alice';
const SECOND_USER = 'conformance-bob';

/**
 * The two users who approve a stage: the first two the plan authorised (piped lets only them approve, and a plugin
 * may ignore anyone else), else harness users. Undefined second user: the stage authorised only one.
 */
function approversFor(stage: any): [string, string | undefined] {
  const authorised: string[] = stage.authorized_operators ?? [];
  return authorised.length ? [authorised[0], authorised[1]] : [FIRST_USER, SECOND_USER];
}
/** Commands of other types come from someone else, so counting them would show in the approvers. */
const NOISE_USER = 'conformance-mallory';
const SKIPPER = 'conformance-carol';

/**
 * How long EXEC-005 keeps a stage waiting before letting it finish. Long enough to expose a plugin-side timeout of a
 * couple of seconds (a forgotten context.WithTimeout, a client default) while keeping the run short; hours, which
 * piped allows, cannot be tried in a conformance run.
 */
export const HOLD_MS = 3_000;
/** How long a plugin may take to poll ListStageCommands a second time (the SDK polls every 5 s). */
const REPOLL_WAIT_MS = 15_000;
/** EXEC-004: callbacks may trail a cancel this long; an SDK plugin's final log flush comes on its next 5 s tick. */
export const CANCEL_BOUND_MS = 10_000;
/** EXEC-004: the stage is cancelled no earlier than this, once its waiting loop has shown its polling interval. */
const CANCEL_NOT_BEFORE_MS = 500;
/** EXEC-004: silence that counts as "stopped" when the plugin showed no polling interval. */
const DEFAULT_QUIET_MS = 2_000;
/**
 * EXEC-011: when (as a share of the stage's measured run) the plugin is killed, on the shortest wait-like run and then
 * on longer ones. An SDK plugin answers ExecuteStage only on its next 5 s log-flush tick (CATALOGUE §2.6), so a resumed
 * short stage can answer later than a full re-run would: when the answer came later than the stage's whole duration,
 * it was held, the short try proves nothing, and a longer run decides. Later tries kill late enough that the time
 * saved by resuming outweighs any such hold.
 */
const KILL_AT_SHARES = [1 / 3, 2 / 3] as const;
/** A wait-like stage whose run takes less than this cannot be killed mid-way reliably on a loaded machine. */
const MIN_RESUME_MS = 1_500;
/** A run this long is killed late (KILL_AT_SHARES[1]) and is long enough to judge even under held answers. */
const LONG_RESUME_MS = 10_000;
/** Plugins whose every ExecuteStage answer takes this long hold their answers (the SDK flushes logs every 5 s). */
const HELD_ANSWER_FLOOR_MS = 4_000;
/** API-005: ExecuteStage calls in parallel, and GetLivestate calls alongside. */
export const PARALLEL_CALLS = 8;
const PARALLEL_LIVESTATE_CALLS = 2;
/** Own processes are stopped with a short grace: nothing about their shutdown is judged. */
const OWN_STOP_GRACE_MS = 5_000;

// ---------------------------------------------------------------------------------------------------------------
// EXEC-015, EXEC-016, EXEC-005: approval stages on the shared plugin (no cancel, no parallel calls).

export interface ApprovalScenarios {
  approvals: ApprovalFacts[];
  skips: SkipFacts[];
  /** EXEC-016: approved runs and who approved them. */
  recorded: (ApprovalRun & { stageLabel: string })[];
  /** EXEC-005: a stage kept waiting for HOLD_MS; undefined when the plugin has no stage the harness can hold. */
  long?: LongStageFacts;
  /**
   * EXEC-015's two-user scenario could not be driven: no planned approval stage needed approvals from two different
   * users (the reason and the fix).
   */
  twoUserGap?: string;
}

const approvalCache = new WeakMap<Session, Promise<ApprovalScenarios>>();

/** Gathered once per session: every scenario runs one after another on the shared plugin. */
export function approvalScenarios(session: Session): Promise<ApprovalScenarios> {
  let facts = approvalCache.get(session);
  if (!facts) {
    facts = gatherApprovalScenarios(session);
    approvalCache.set(session, facts);
  }
  return facts;
}

async function gatherApprovalScenarios(session: Session): Promise<ApprovalScenarios> {
  const caseId = 'facts: approval commands';
  const plan = await planFacts(session);
  const approvalStages = await stagesWithOperation(session, 'MANUAL_OPERATION_APPROVE');
  const approvals: ApprovalFacts[] = [];
  const recorded: (ApprovalRun & { stageLabel: string })[] = [];
  let long: LongStageFacts | undefined;
  for (const stage of approvalStages) {
    const stageLabel = stageCallLabel(stage);
    // First the two-user scenario: it shows whether this stage (with its own `with:`) needs a second user.
    const twoUsers = await twoUserApproval(session, plan, caseId, freshStage(stage));
    const oneApprovalEnds = twoUsers === undefined || (twoUsers.endedBeforeRepoll && twoUsers.controlSucceeded === true);
    const conclusive = twoUsers !== undefined && !oneApprovalEnds;
    // A stage that needs a second user would wait for ever on one user's approvals: the single scenario is for the others.
    const single = oneApprovalEnds ? await singleApproval(session, plan, caseId, freshStage(stage)) : undefined;
    approvals.push({ stageLabel, single, twoUsers: conclusive ? twoUsers : undefined });
    if (single) recorded.push({ stageLabel, ...single });
    else if (twoUsers?.secondUserAdded) recorded.push({ stageLabel, outcome: twoUsers.outcome, approvers: twoUsers.approvers, commanders: twoUsers.commanders });
    long ??= twoUsers?.long;
  }
  const skips: SkipFacts[] = [];
  for (const stage of await stagesWithOperation(session, 'MANUAL_OPERATION_SKIP')) skips.push(await skipCommand(session, plan, caseId, freshStage(stage)));
  long ??= await heldStage(session, plan, caseId, approvalStages[0]);
  const twoUserGap = approvalStages.length && !approvals.some((a) => a.twoUsers) ? twoUserGapReason(approvalStages) : undefined;
  return { approvals, skips, recorded, long, ...(twoUserGap ? { twoUserGap } : {}) };
}

function twoUserGapReason(stages: any[]): string {
  const names = [...new Set(stages.map((s) => s.name))];
  return (
    `no planned approval stage (${stages.map((s) => stageCallLabel(s)).join(', ')}) waited for a second user: one user's approvals ended each of them, ` +
    `so counting approvals per distinct user could not be checked; give an example whose with: block needs approvals from two users ` +
    `(in an app's pipeline with --app, or conformance.stages.${names[0]} in --config)`
  );
}

/** Commands piped never lists for a stage (other types), and an approval of another stage by the same user. */
function noise(deployment: any, stage: any, user: string): any[] {
  const otherStage = { id: `${stage.id}-other` };
  return [
    stageCommand(deployment, stage, 'CANCEL_DEPLOYMENT', NOISE_USER, `noise-cancel-${stage.id}`),
    stageCommand(deployment, stage, 'SYNC_APPLICATION', NOISE_USER, `noise-sync-${stage.id}`),
    stageCommand(deployment, otherStage, 'APPROVE_STAGE', user, `noise-other-stage-${stage.id}`),
  ];
}

/** One approval, listed twice in every answer, among noise: the stage succeeds once, one approver recorded. */
async function singleApproval(session: Session, plan: PlanFacts, caseId: string, stage: any): Promise<ApprovalRun> {
  const [user] = approversFor(stage);
  const commands = (deployment: any) => {
    const approval = approveCommand(deployment, stage, user, `approve-${stage.id}`);
    return [approval, ...noise(deployment, stage, user), approval];
  };
  const call = await beginStage(session, { caseId, stage, stageConfig: stageConfigOf(plan, stage), commands });
  const outcome = await call.outcome;
  return { outcome, approvers: approversOf(session, call), commanders: [user] };
}

/**
 * The stage with its own `with:`. Phase 1: the first user's approval listed twice plus a second command of the same
 * user, among noise, held for HOLD_MS and at least until the plugin polled again. Phase 2: the second user approves.
 * A stage that one user's approvals end proves nothing unless a single approval would not have ended it (the control).
 */
async function twoUserApproval(session: Session, plan: PlanFacts, caseId: string, stage: any): Promise<(TwoUserApproval & { long?: LongStageFacts }) | undefined> {
  const [first, second] = approversFor(stage);
  if (!second) return undefined;
  const stageConfig = stageConfigOf(plan, stage);
  const phaseOne = (deployment: any) => {
    const approval = approveCommand(deployment, stage, first, `approve-1-${stage.id}`);
    return [approval, approval, approveCommand(deployment, stage, first, `approve-2-${stage.id}`), ...noise(deployment, stage, first)];
  };
  const call = await beginStage(session, { caseId, stage, stageConfig, commands: phaseOne });
  const { host } = session;
  await Promise.race([waitForPolls(host, call.deployment.id, stage.id, 2, REPOLL_WAIT_MS), call.outcome]);
  const endedBeforeRepoll = call.settled() && pollsOf(host, call.deployment.id, stage.id).length < 2;
  await Promise.race([hold(call.startedAt + HOLD_MS - Date.now()), call.outcome]);
  const secondUserAdded = !call.settled();
  const releaseAfterMs = Date.now() - call.startedAt;
  if (secondUserAdded) host.setStageCommands(call.deployment.id, stage.id, [...phaseOne(call.deployment), approveCommand(call.deployment, stage, second, `approve-3-${stage.id}`)]);
  const outcome = await call.outcome;
  const base = { outcome, approvers: approversOf(session, call), commanders: [first, second], firstUser: first, endedBeforeRepoll, secondUserAdded };
  if (endedBeforeRepoll) {
    const succeeded = outcome.ok && outcome.response?.status === 'STAGE_SUCCESS';
    return { ...base, controlSucceeded: succeeded ? await singleApprovalSucceedsAtOnce(session, stageConfig, first, caseId, freshStage(stage)) : undefined };
  }
  const label = `${stageCallLabel(stage)} (the second user's approval listed after ${(releaseAfterMs / 1000).toFixed(1)} s)`;
  return { ...base, long: { label, releaseAfterMs: secondUserAdded ? releaseAfterMs : HOLD_MS, outcome } };
}

/** Control: does the same stage with one single approval also succeed before the plugin polls again? */
async function singleApprovalSucceedsAtOnce(session: Session, stageConfig: unknown, user: string, caseId: string, stage: any): Promise<boolean> {
  const commands = (deployment: any) => [approveCommand(deployment, stage, user, `approve-control-${stage.id}`)];
  const call = await beginStage(session, { caseId, stage, stageConfig, commands });
  await Promise.race([waitForPolls(session.host, call.deployment.id, stage.id, 2, REPOLL_WAIT_MS), call.outcome]);
  if (!call.settled()) call.cancel();
  const outcome = await call.outcome;
  return outcome.ok && outcome.response?.status === 'STAGE_SUCCESS';
}

async function skipCommand(session: Session, plan: PlanFacts, caseId: string, stage: any): Promise<SkipFacts> {
  const commands = (deployment: any) => {
    const skip = stageCommand(deployment, stage, 'SKIP_STAGE', SKIPPER, `skip-${stage.id}`);
    return [skip, ...noise(deployment, stage, SKIPPER), skip];
  };
  const call = await beginStage(session, { caseId, stage, stageConfig: stageConfigOf(plan, stage), commands });
  return { stageLabel: stageCallLabel(stage), outcome: await call.outcome };
}

/**
 * EXEC-005 when the two-user scenario could not hold the stage: an approval stage approved after HOLD_MS, else the
 * run of a self-ending stage that took at least HOLD_MS with the user's config (it waited that long without a deadline).
 */
async function heldStage(session: Session, plan: PlanFacts, caseId: string, approvalStage: any | undefined): Promise<LongStageFacts | undefined> {
  if (approvalStage) {
    const stage = freshStage(approvalStage);
    const call = await beginStage(session, { caseId, stage, stageConfig: stageConfigOf(plan, stage), commands: [] });
    await Promise.race([hold(HOLD_MS), call.outcome]);
    const releaseAfterMs = Date.now() - call.startedAt;
    if (!call.settled()) session.host.setStageCommands(call.deployment.id, stage.id, approvalCommands(call.deployment, stage));
    return { label: `${stageCallLabel(stage)} approved after ${(releaseAfterMs / 1000).toFixed(1)} s`, releaseAfterMs, outcome: await call.outcome };
  }
  const [longest] = (await waitLikeRuns(session)).reverse();
  if (!longest || longest.durationMs < HOLD_MS) return undefined;
  return { label: `${longest.label} (ran ${(longest.durationMs / 1000).toFixed(1)} s)`, releaseAfterMs: 0, outcome: longest.outcome };
}

/** A self-ending forward stage's run from the plugin's own plan, with its config and how long it took. */
interface TimedRun {
  label: string;
  template: any;
  stageConfig: unknown;
  durationMs: number;
  outcome: CallOutcome;
}

/**
 * Successful runs of wait-like stages (named like the official WAIT stage, without a manual operation) from the
 * executions of the plugin's plans, shortest first: the stages the harness can interrupt and resume. Each run's
 * duration with its own config is measured, not read from an option, so no option name is assumed.
 */
async function waitLikeRuns(session: Session): Promise<TimedRun[]> {
  const runs = await executions(session);
  const timed: TimedRun[] = [];
  for (const run of runs) {
    const stage = run.request.input.stage;
    if (!isWaitLike(stage) || !run.outcome.ok || run.outcome.response?.status !== 'STAGE_SUCCESS') continue;
    const bytes: Buffer = run.request.input.stage_config ?? Buffer.alloc(0);
    const stageConfig = bytes.length ? (JSON.parse(bytes.toString('utf8')) as unknown) : undefined;
    timed.push({ label: run.label, template: stage, stageConfig, durationMs: run.outcome.durationMs, outcome: run.outcome });
  }
  return timed.sort((a, b) => a.durationMs - b.durationMs);
}

function isWaitLike(s: any): boolean {
  return !s.rollback && /WAIT/i.test(s.name) && !/APPROV/i.test(s.name) && s.available_operation !== 'MANUAL_OPERATION_APPROVE' && s.available_operation !== 'MANUAL_OPERATION_SKIP';
}

function approversOf(session: Session, call: StageCall): string | undefined {
  return session.host.stageMetadata(call.deployment.id, call.stage.id)[APPROVED_USERS_KEY];
}

// ---------------------------------------------------------------------------------------------------------------
// Scenarios on a process of their own.

/** Starts a plugin process for one scenario and always stops it. */
async function withOwnPlugin<T>(scenario: (session: Session) => Promise<T>): Promise<T> {
  const session = await Session.start(sessionOptions());
  try {
    return await scenario(session);
  } finally {
    await session.stop(OWN_STOP_GRACE_MS);
  }
}

/** EXEC-004: an approval stage left waiting, cancelled once its polling loop runs; then watched until quiet. */
export function cancellationScenario(): Promise<CancellationFacts | NotApplicable> {
  return withOwnPlugin(async (session) => {
    const caseId = 'EXEC-004 cancel a waiting stage';
    const [planned] = await stagesWithOperation(session, 'MANUAL_OPERATION_APPROVE');
    if (!planned) return { notApplicable: 'the plugin planned no approval stage, the one stage the harness can keep waiting' };
    const stage = freshStage(planned);
    const plan = await planFacts(session);
    const call = await beginStage(session, { caseId, stage, stageConfig: stageConfigOf(plan, stage), commands: [] });
    const { host } = session;
    await Promise.race([waitForPolls(host, call.deployment.id, stage.id, 2, REPOLL_WAIT_MS), call.outcome]);
    await Promise.race([hold(call.startedAt + CANCEL_NOT_BEFORE_MS - Date.now()), call.outcome]);
    if (call.settled()) return { notApplicable: `the approval stage ended without any approval (${statusOf(await call.outcome)}), so there was nothing to cancel` };
    const quietMs = quietPeriod(pollsOf(host, call.deployment.id, stage.id));
    const cancelledAt = Date.now();
    call.cancel();
    await call.outcome;
    const callbacksAfterCancel = await watchUntilQuiet(host, call.deployment.id, cancelledAt, quietMs, CANCEL_BOUND_MS);
    const alive = await session.call('deployment', 'FetchDefinedStages', {}, { caseId, budgetMs: 10_000 });
    return { label: stageCallLabel(stage), cancelledAt, boundMs: CANCEL_BOUND_MS, quietMs, callbacksAfterCancel, alive, exit: session.plugin.exitInfo() };
  });
}

/** 1.5 polling intervals of the stage's own loop (at least 1 s), so a plugin that keeps polling is never "quiet". */
export function quietPeriod(polls: { time: number }[]): number {
  if (polls.length < 2) return DEFAULT_QUIET_MS;
  return Math.min(CANCEL_BOUND_MS, Math.max(1_000, 1.5 * (polls[1].time - polls[0].time)));
}

export interface RestartFacts {
  resume: ResumeFacts;
  /** Log callbacks of the stage from both processes, in arrival order (SVC-004 across the restart). */
  logs: JournalEntry[];
}

let restartFacts: Promise<RestartFacts | NotApplicable> | undefined;

/**
 * EXEC-011 and SVC-004: gathered once per run, since both judge the same restart. Which stages can be interrupted is
 * measured on the shared plugin's executions; the kill happens on a process of its own.
 */
export function restartScenario(shared: Session): Promise<RestartFacts | NotApplicable> {
  restartFacts ??= (async () => {
    const runs = await waitLikeRuns(shared);
    const floorMs = Math.min(...(await executions(shared)).map((e) => e.outcome.durationMs));
    return withOwnPlugin((own) => gatherRestart(own, runs, floorMs));
  })();
  return restartFacts;
}

/**
 * A wait-like stage SIGKILLed with the plugin part of the way in (after the stage stored its progress), the plugin
 * restarted against the same fake piped, and the same deployment and stage executed again, as piped does after a
 * crash. The stage runs with the user's own config; how long that takes was measured when the plugin's plan was
 * executed. The longest such run is used: an SDK plugin answers ExecuteStage only on its next 5 s log-flush tick
 * (CATALOGUE §2.6), which blurs the difference between resuming and starting over on a short stage.
 */
async function gatherRestart(session: Session, runs: TimedRun[], answerFloorMs: number): Promise<RestartFacts | NotApplicable> {
  const longest = runs.filter((run) => run.durationMs >= MIN_RESUME_MS).at(-1);
  if (!longest) {
    return { notApplicable: `the plugin planned no wait-like stage (named *WAIT*, no manual operation) whose run took ${MIN_RESUME_MS / 1000} s or more with its config, to interrupt and resume` };
  }
  if (!session.plugin.kill) return { notApplicable: 'the harness cannot kill this plugin (it did not start it)' };
  const killAtShare = longest.durationMs >= LONG_RESUME_MS ? KILL_AT_SHARES[1] : KILL_AT_SHARES[0];
  const facts = await interruptAndResume(session, longest, killAtShare);
  // Every answer of this plugin takes seconds (an SDK plugin's log flush): on a short stage a resumed run and one that
  // started over cannot be told apart, so a failed check here would blame the plugin for the harness's lack of input.
  const blurred = longest.durationMs < LONG_RESUME_MS && answerFloorMs >= HELD_ANSWER_FLOOR_MS;
  if (!isNotApplicable(facts) && blurred && checkResumesAfterRestart(facts.resume).length > 0 && facts.resume.resumed.ok) {
    return {
      notApplicable: `${facts.resume.label}: its run took ${(longest.durationMs / 1000).toFixed(1)} s and every ExecuteStage answer of this plugin takes at least ${(answerFloorMs / 1000).toFixed(1)} s, so a resumed run cannot be told from one that started over; give an example of this stage that runs ${LONG_RESUME_MS / 1000} s or more`,
      notExercised: true,
    };
  }
  return facts;
}

async function interruptAndResume(session: Session, run: TimedRun, killAtShare: number): Promise<RestartFacts | NotApplicable> {
  const caseId = 'EXEC-011 resume after a restart';
  const stage = freshStage(run.template);
  const { stageConfig } = run;
  const waitMs = run.durationMs;
  const first = await beginStage(session, { caseId, stage, stageConfig });
  const { host } = session;
  await Promise.race([waitForStageWrite(host, first.deployment.id, stage.id, waitMs / 2), first.outcome]);
  await Promise.race([hold(first.startedAt + waitMs * killAtShare - Date.now()), first.outcome]);
  if (first.settled()) return { notApplicable: `${stageCallLabel(stage)} with ${JSON.stringify(stageConfig)} ended (${statusOf(await first.outcome)}) before the harness could interrupt it` };
  const storedBeforeKill = host.stageMetadata(first.deployment.id, stage.id);
  const killedAfterMs = Date.now() - first.startedAt;
  await session.kill();
  await first.outcome;
  await session.restart();
  const running = { ...stage, status: 'STAGE_RUNNING', metadata: storedBeforeKill };
  const deployment = { ...first.deployment, status: 'DEPLOYMENT_RUNNING', stages: [running] };
  const second = await beginStage(session, { caseId, stage: running, deployment, stageConfig });
  const resumed = await second.outcome;
  const logs = host.journal().filter((e) => LOG_RPCS.includes(e.rpc) && e.request?.deployment_id === deployment.id);
  const resume = {
    label: stageCallLabel(stage), durationMs: waitMs, killedAfterMs, resumedAfterMs: second.startedAt - first.startedAt, storedBeforeKill, resumed,
  };
  return { resume, logs };
}

/**
 * API-005: PARALLEL_CALLS ExecuteStage calls of the plugin's planned forward stages (approval stages approved), each
 * in its own deployment, plus GetLivestate. Rollback stages are left out: alone in a fresh deployment they may
 * rightly fail (EXEC-012 judges that), and API-005 needs calls that answer OK when run alone.
 */
export function concurrencyScenario(): Promise<ConcurrencyFacts | NotApplicable> {
  return withOwnPlugin(async (session) => {
    const caseId = 'API-005 parallel calls';
    const plan = await planFacts(session);
    const templates = (await plannedStages(session, false)).filter((s) => !s.rollback && s.available_operation !== 'MANUAL_OPERATION_SKIP');
    if (!templates.length) return { notApplicable: 'the plugin planned no forward stage that ends without a skip' };
    const livestate = () => {
      const request = req.livestateRequest(req.freshIds(), plan.app, deployTargetsFor(session, plan.kind) ?? [], session.workspace.source(plan.app));
      return session.call('livestate', 'GetLivestate', request, { caseId, budgetMs: 60_000 });
    };
    const alone = await livestate();
    const seq = session.host.lastSeq();
    const configOf = (stage: any) => stageConfigOf(plan, stage);
    const approve = (deployment: any, stage: any) => (stage.available_operation === 'MANUAL_OPERATION_APPROVE' ? approvalCommands(deployment, stage) : []);
    const stages = Array.from({ length: PARALLEL_CALLS }, (_, i) => freshStage(templates[i % templates.length]));
    const calls = await Promise.all(stages.map((stage) => beginStage(session, { caseId, stage, stageConfig: configOf(stage), commands: approve, budgetMs: 60_000 })));
    const concurrent = await Promise.all(Array.from({ length: PARALLEL_LIVESTATE_CALLS }, livestate));
    const outcomes = await Promise.all(calls.map((c) => c.outcome));
    return {
      calls: calls.map((c, i) => ({ label: `call ${i + 1} of ${PARALLEL_CALLS}, ${stageCallLabel(c.stage)}`, deploymentId: c.deployment.id, stageId: c.stage.id, outcome: outcomes[i] })),
      livestate: { alone, concurrent },
      callbacks: session.host.journalSince(seq),
    };
  });
}

function statusOf(outcome: CallOutcome): string {
  return outcome.ok ? String(outcome.response?.status) : outcome.status.codeName;
}

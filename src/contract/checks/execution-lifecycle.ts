// EXEC-004/005/011/015/016 and API-005: how an ExecuteStage behaves over time — cancelled, left waiting, killed and
// run again, approved through commands, or run next to others. The suites script the scenario; these judge its facts.
import type { JournalEntry } from '../../host/types.js';
import type { CallOutcome } from '../../session-types.js';
import type { ExitInfo } from '../../launch/types.js';
import type { Violation } from '../violation.js';
import { entryLabel, enumText, outcomeText, violation } from './common.js';
import { exitedViolation, LEGAL_FINAL_STATUSES, STAGE_SCOPED } from './execution.js';

/** What happened after the harness cancelled an ExecuteStage of a stage that was waiting. */
export interface CancellationFacts {
  label: string;
  /** Wall-clock ms (Date.now()) of the cancel. */
  cancelledAt: number;
  /** Callbacks may trail the cancel this long (e.g. a final log flush); later ones mean the stage kept working. */
  boundMs: number;
  /** The silence after which the stage counted as stopped; derived from the plugin's own polling interval. */
  quietMs: number;
  /** Callbacks for the cancelled deployment that arrived after the cancel, in arrival order. */
  callbacksAfterCancel: JournalEntry[];
  /** FetchDefinedStages afterwards: the process still serves. */
  alive: CallOutcome;
  exit?: ExitInfo;
}

/** EXEC-004: a cancelled stage stops calling back within the bound, and the plugin stays up. */
export function checkStopsAfterCancel(facts: CancellationFacts): Violation[] {
  const late = facts.callbacksAfterCancel.filter((entry) => entry.time > facts.cancelledAt + facts.boundMs);
  const found: Violation[] = [];
  if (late.length) {
    const seconds = ((late[late.length - 1].time - facts.cancelledAt) / 1000).toFixed(1);
    const message =
      `${facts.label}: the stage kept calling back after piped cancelled it: ${late.length} callback(s) later than ` +
      `${facts.boundMs / 1000} s after the cancel, the last ${seconds} s after it (${late.slice(0, 3).map(entryLabel).join(', ')}). ` +
      'Stop work and side effects once the call is cancelled';
    found.push(violation('EXEC-004', message, late.map((e) => ({ seq: e.seq, rpc: e.rpc, msAfterCancel: e.time - facts.cancelledAt }))));
  }
  if (!facts.alive.ok) {
    found.push(violation('EXEC-004', `after the cancel the plugin must keep serving; FetchDefinedStages answered ${outcomeText(facts.alive)}`, facts.alive.status));
  }
  if (facts.exit) found.push(exitedViolation('EXEC-004', facts.exit, 'after an ExecuteStage call was cancelled'));
  return found;
}

/** A stage the harness kept busy (waiting for approval, or waiting) for a while, sending no gRPC deadline. */
export interface LongStageFacts {
  label: string;
  /** ms after the call's start at which the harness let the stage finish (e.g. approved it); 0 when it just waited. */
  releaseAfterMs: number;
  outcome: CallOutcome;
}

/** EXEC-005: without any deadline, a stage that takes a while still ends in STAGE_SUCCESS, not an internal timeout. */
export function checkNoShortInternalDeadline(facts: LongStageFacts): Violation[] {
  const { outcome } = facts;
  if (outcome.ok && outcome.response?.status === 'STAGE_SUCCESS') return [];
  const seconds = (outcome.durationMs / 1000).toFixed(1);
  const got = outcome.ok ? enumText(outcome.response?.status) : outcomeText(outcome);
  const early = facts.releaseAfterMs > 0 && outcome.durationMs < facts.releaseAfterMs;
  const when = early
    ? `it ended after ${seconds} s with ${got}, before the harness approved it at ${(facts.releaseAfterMs / 1000).toFixed(1)} s`
    : `it ended after ${seconds} s with ${got}`;
  const message =
    `${facts.label}: called with no gRPC deadline, the stage must wait as long as it takes (piped allows hours) and then ` +
    `succeed; ${when}. Is there an internal timeout?`;
  return [violation('EXEC-005', message, outcome.ok ? outcome.response : outcome.status)];
}

/** A stage killed mid-way with the plugin (SIGKILL), then executed again with the same ids by a new process. */
export interface ResumeFacts {
  label: string;
  /** The stage's configured duration. */
  durationMs: number;
  /** ms from the first call's start to the SIGKILL. */
  killedAfterMs: number;
  /** ms from the first call's start to the second call's start. */
  resumedAfterMs: number;
  /** Stage metadata piped held for the stage when the plugin died. */
  storedBeforeKill: Record<string, string>;
  resumed: CallOutcome;
}

/**
 * EXEC-011: the re-executed stage resumes: it succeeds and takes clearly less than its full duration. A stage that
 * starts over needs the full duration; one that resumes needs only what is left (duration − resumedAfterMs). The
 * limit sits halfway between, so neither a slow restart nor a loaded machine tips the verdict.
 */
export function checkResumesAfterRestart(facts: ResumeFacts): Violation[] {
  const { resumed } = facts;
  const label = `${facts.label} (duration ${facts.durationMs} ms, killed after ${facts.killedAfterMs} ms, re-executed after ${facts.resumedAfterMs} ms)`;
  if (!resumed.ok || resumed.response?.status !== 'STAGE_SUCCESS') {
    const got = resumed.ok ? enumText(resumed.response?.status) : outcomeText(resumed);
    return [violation('EXEC-011', `${label}: the re-executed stage must finish with STAGE_SUCCESS; got ${got}`, resumed.ok ? resumed.response : resumed.status)];
  }
  const limit = resumeLimitMs(facts);
  if (resumed.durationMs < limit) return [];
  const stored = Object.keys(facts.storedBeforeKill).length
    ? `Stage metadata stored before the kill: ${JSON.stringify(facts.storedBeforeKill)}`
    : 'Nothing was stored in stage metadata before the kill, so there was no progress to resume from';
  const message =
    `${label}: the re-execution took ${resumed.durationMs} ms; a stage that resumes needs about ` +
    `${Math.max(0, facts.durationMs - facts.resumedAfterMs)} ms (limit ${Math.round(limit)} ms). It started over instead of ` +
    `resuming. ${stored}. Persist progress in stage metadata and resume from it`;
  return [violation('EXEC-011', message, { durationMs: resumed.durationMs, storedBeforeKill: facts.storedBeforeKill })];
}

/** Halfway between a full re-run (durationMs) and a resumed one (durationMs − elapsed). */
export function resumeLimitMs(facts: Pick<ResumeFacts, 'durationMs' | 'resumedAfterMs'>): number {
  return facts.durationMs - 0.5 * Math.min(facts.resumedAfterMs, facts.durationMs);
}

/** Approval scenarios on one stage planned with MANUAL_OPERATION_APPROVE (EXEC-015, EXEC-016). */
export interface ApprovalFacts {
  stageLabel: string;
  /**
   * One APPROVE command, listed twice in every answer, among commands of other types: one approval. Absent when the
   * stage (with its config) needs approvals from two users: one user's approvals would keep it waiting.
   */
  single?: ApprovalRun;
  /**
   * The stage with a config (the user's example) that needs approvals from two users. Phase 1: two APPROVE commands of
   * one user (one of them listed twice) among noise, until the plugin polled again without succeeding; phase 2: a
   * second user approves too.
   */
  twoUsers?: TwoUserApproval;
}

export interface ApprovalRun {
  outcome: CallOutcome;
  /** `pipecd/stage-approved-users` afterwards, when the plugin wrote it. */
  approvers?: string;
  /** The users whose approvals should count. */
  commanders: string[];
}

export interface TwoUserApproval extends ApprovalRun {
  /** The one user behind every phase-1 approval. */
  firstUser: string;
  /** The call ended before the plugin came back for a second ListStageCommands after seeing phase 1. */
  endedBeforeRepoll: boolean;
  /** The second user's approval was listed before the call ended. */
  secondUserAdded: boolean;
  /**
   * Only when the call ended in SUCCESS before re-polling: whether the same stage and config with one single approval
   * also succeeded at once. Then the config needs one approval only, and phase 1 proves nothing.
   */
  controlSucceeded?: boolean;
}

/** A SKIP_STAGE command (listed twice, among noise) for a stage planned with MANUAL_OPERATION_SKIP. */
export interface SkipFacts {
  stageLabel: string;
  outcome: CallOutcome;
}

/**
 * EXEC-015: user actions come only from ListStageCommands, filtered by type, deduplicated by id, approvals counted
 * per distinct commander, SKIP turned into STAGE_SKIPPED.
 */
export function checkApprovalCommands(approvals: ApprovalFacts[], skips: SkipFacts[]): Violation[] {
  return [...approvals.flatMap(approvalViolations), ...skips.flatMap(skipViolations)];
}

function approvalViolations(facts: ApprovalFacts): Violation[] {
  const found: Violation[] = [];
  const single = facts.single;
  if (!single) return facts.twoUsers ? twoUserViolations(facts.stageLabel, facts.twoUsers) : [];
  if (!isSuccess(single.outcome)) {
    const message = `${facts.stageLabel}: one APPROVE_STAGE command (listed twice, among commands of other types) must end the stage in STAGE_SUCCESS; got ${statusText(single.outcome)}`;
    found.push(violation('EXEC-015', message, evidenceOf(single.outcome)));
  }
  found.push(...recordedApproverViolations(facts.stageLabel, single));
  if (facts.twoUsers) found.push(...twoUserViolations(facts.stageLabel, facts.twoUsers));
  return found;
}

/**
 * Phase 1 must not succeed: only one user approved. An early end without success is another rule's business
 * (e.g. EXEC-005's internal timeout); after the second user approved, the stage must succeed.
 */
function twoUserViolations(stageLabel: string, run: TwoUserApproval): Violation[] {
  const where = `${stageLabel}, configured to need two users' approvals`;
  if (!run.secondUserAdded) {
    if (!isSuccess(run.outcome) || (run.endedBeforeRepoll && run.controlSucceeded)) return [];
    const message =
      `${where}: the stage succeeded on approvals from ${JSON.stringify(run.firstUser)} alone (one command listed twice and a ` +
      'second command by the same user, returned on every poll). Deduplicate commands by id and count approvals per distinct commander';
    return [violation('EXEC-015', message, evidenceOf(run.outcome))];
  }
  const found: Violation[] = [];
  if (!isSuccess(run.outcome)) {
    const message = `${where}: once a second user approved, the stage must succeed; got ${statusText(run.outcome)}`;
    found.push(violation('EXEC-015', message, evidenceOf(run.outcome)));
  }
  return [...found, ...recordedApproverViolations(where, run)];
}

/** The recorded approvers (when written) name each approving user once and nobody else. */
function recordedApproverViolations(where: string, run: ApprovalRun): Violation[] {
  if (run.approvers === undefined) return [];
  const names = approverNames(run.approvers);
  const repeated = [...new Set(names.filter((name, i) => names.indexOf(name) !== i))];
  const strangers = [...new Set(names.filter((name) => !run.commanders.includes(name)))];
  const problems = [
    ...(repeated.length ? [`names ${repeated.map((n) => JSON.stringify(n)).join(', ')} more than once`] : []),
    ...(strangers.length ? [`names ${strangers.map((n) => JSON.stringify(n)).join(', ')}, who did not approve this stage`] : []),
  ];
  if (!problems.length) return [];
  const message = `${where}: pipecd/stage-approved-users ${JSON.stringify(run.approvers)} ${problems.join(' and ')}; count each approving user once`;
  return [violation('EXEC-015', message, { approvers: run.approvers, commanders: run.commanders })];
}

function skipViolations(facts: SkipFacts): Violation[] {
  if (facts.outcome.ok && facts.outcome.response?.status === 'STAGE_SKIPPED') return [];
  const message = `${facts.stageLabel}: a SKIP_STAGE command (listed twice, among other commands) must end the stage in STAGE_SKIPPED; got ${statusText(facts.outcome)}`;
  return [violation('EXEC-015', message, evidenceOf(facts.outcome))];
}

/** EXEC-016: an approved stage names its approvers in `pipecd/stage-approved-users` (comma-separated). */
export function checkApproversRecorded(runs: (ApprovalRun & { stageLabel: string })[]): Violation[] {
  return runs.flatMap((run) => {
    if (!isSuccess(run.outcome)) return [];
    const wanted = run.commanders.map((c) => JSON.stringify(c)).join(', ');
    if (run.approvers === undefined) {
      const message = `${run.stageLabel}: approved by ${wanted}, but stage metadata pipecd/stage-approved-users was never written; piped reads it for the DEPLOYMENT_APPROVED notification`;
      return [violation('EXEC-016', message)];
    }
    const names = approverNames(run.approvers);
    const missing = run.commanders.filter((c) => !names.includes(c));
    if (!missing.length) return [];
    const message = `${run.stageLabel}: pipecd/stage-approved-users is ${JSON.stringify(run.approvers)}; it must list the approvers ${wanted}, comma-separated`;
    return [violation('EXEC-016', message, { approvers: run.approvers, commanders: run.commanders })];
  });
}

/** Names in a comma-separated approver list (the official plugin separates with ", "). */
export function approverNames(value: string): string[] {
  return value.split(',').map((name) => name.trim()).filter((name) => name !== '');
}

/** N ExecuteStage calls for distinct deployments run at once, with GetLivestate calls alongside. */
export interface ConcurrencyFacts {
  calls: { label: string; deploymentId: string; stageId: string; outcome: CallOutcome }[];
  /** GetLivestate answered alone before the batch, and during it (absent when the plugin serves no live state). */
  livestate?: { alone: CallOutcome; concurrent: CallOutcome[] };
  /** Every callback recorded while the batch ran. */
  callbacks: JournalEntry[];
}

/** API-005: concurrent calls each complete as they would alone, and no callback mixes up the ids of two calls. */
export function checkConcurrentCalls(facts: ConcurrencyFacts): Violation[] {
  const n = facts.calls.length;
  const incomplete = facts.calls
    .filter((call) => !call.outcome.ok || !LEGAL_FINAL_STATUSES.includes(call.outcome.response?.status))
    .map((call) => {
      const message = `${call.label}: with ${n} ExecuteStage calls in parallel, this call must still answer OK with a final status, as it does alone; got ${statusText(call.outcome)}`;
      return violation('API-005', message, evidenceOf(call.outcome));
    });
  return [...incomplete, ...mixedIds(facts), ...livestateChanged(facts)];
}

/** Stage-scoped callbacks whose deployment id belongs to one call and stage id to another (or to none). */
function mixedIds(facts: ConcurrencyFacts): Violation[] {
  const stageOf = new Map(facts.calls.map((c) => [c.deploymentId, c.stageId]));
  const deploymentOf = new Map(facts.calls.map((c) => [c.stageId, c.deploymentId]));
  return facts.callbacks.flatMap((entry) => {
    if (!STAGE_SCOPED.has(entry.rpc)) return [];
    const { deployment_id: deploymentId, stage_id: stageId } = entry.request ?? {};
    const ours = stageOf.has(deploymentId) || deploymentOf.has(stageId);
    if (!ours || stageOf.get(deploymentId) === stageId) return [];
    const owner = deploymentOf.get(stageId);
    const whose = owner ? `the stage id of the call for deployment ${JSON.stringify(owner)}` : 'a stage id no call had';
    const message =
      `${entryLabel(entry)} carries deployment_id ${JSON.stringify(deploymentId)} with ${whose} (${JSON.stringify(stageId)}): ` +
      'state of concurrent ExecuteStage calls got mixed up. Keep per-call state per call, not in shared variables';
    return [violation('API-005', message, { seq: entry.seq, rpc: entry.rpc, request: entry.request })];
  });
}

function livestateChanged(facts: ConcurrencyFacts): Violation[] {
  if (!facts.livestate) return [];
  const expected = answerKind(facts.livestate.alone);
  return facts.livestate.concurrent
    .filter((outcome) => answerKind(outcome) !== expected)
    .map((outcome) =>
      violation('API-005', `GetLivestate during the parallel ExecuteStage calls answered ${outcomeText(outcome)}; alone it answered ${outcomeText(facts.livestate!.alone)}`, evidenceOf(outcome)),
    );
}

/** OK, or the status name: what must not change when other calls run at the same time. */
function answerKind(outcome: CallOutcome): string {
  return outcome.ok ? 'OK' : outcome.status.codeName;
}

function isSuccess(outcome: CallOutcome): boolean {
  return outcome.ok && outcome.response?.status === 'STAGE_SUCCESS';
}

/** `STAGE_FAILURE`, or the gRPC status when the call was not OK. */
function statusText(outcome: CallOutcome): string {
  return outcome.ok ? enumText(outcome.response?.status) : outcomeText(outcome);
}

function evidenceOf(outcome: CallOutcome): unknown {
  return outcome.ok ? outcome.response : outcome.status;
}

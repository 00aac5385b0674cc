// PREV-*: GetPlanPreview answers as piped's plan-preview builder uses them (CATALOGUE §2.8). Plan preview is a dry run.
import type { JournalEntry } from '../../host/types.js';
import type { CallOutcome } from '../../session-types.js';
import type { Violation } from '../violation.js';
import { entryLabel, outcomeText, violation } from './common.js';
import { WRITE_RPC } from './livestate.js';

/** The per-message limit of PROC-018 (grpc's default 4 MiB), which a result's details must fit in. */
export const MAX_DETAILS_BYTES = 4 * 1024 * 1024;

/** A renderer name as the UI takes it (`diff`, `hcl`, `yaml`, …): one short word, no spaces. */
const DIFF_LANGUAGE = /^[A-Za-z0-9][A-Za-z0-9+#._-]{0,31}$/;

function resultsOf(outcome: CallOutcome): any[] {
  return outcome.ok && Array.isArray(outcome.response?.results) ? outcome.response.results : [];
}

function targetsOf(request: any): string[] {
  return Array.isArray(request?.deploy_targets) ? request.deploy_targets : [];
}

function byteLength(details: unknown): number {
  if (details === undefined || details === null) return 0;
  if (typeof details === 'string') return Buffer.byteLength(details);
  return (details as Uint8Array).length ?? 0;
}

/** PREV-001: every result names a requested deploy target, and its details fit in one gRPC message. */
export function checkPreviewTargets(request: any, outcome: CallOutcome): Violation[] {
  const targets = targetsOf(request);
  return resultsOf(outcome).flatMap((result, i) => {
    const found: Violation[] = [];
    if (!targets.includes(result?.deploy_target)) {
      found.push(violation('PREV-001', `results[${i}].deploy_target ${JSON.stringify(result?.deploy_target ?? '')} is not one of the requested ${JSON.stringify(targets)}`));
    }
    const size = byteLength(result?.details);
    if (size > MAX_DETAILS_BYTES) found.push(violation('PREV-001', `results[${i}].details is ${size} bytes; keep it under ${MAX_DETAILS_BYTES} (4 MiB)`));
    return found;
  });
}

/**
 * PREV-002: exactly one result per requested target, each with a summary and an empty or renderer-name
 * diff_language. With `expectNoChange` (the targets already run exactly the previewed source), every result must
 * say no_change=true: the one direction a black box can judge without knowing what the plugin deploys.
 */
export function checkPreviewResults(request: any, outcome: CallOutcome, expectNoChange = false): Violation[] {
  if (!outcome.ok) return [violation('PREV-002', `GetPlanPreview must answer OK with one result per deploy target; got ${outcomeText(outcome)}`)];
  const results = resultsOf(outcome);
  const perTarget = targetsOf(request).flatMap((target) => {
    const count = results.filter((r) => r?.deploy_target === target).length;
    return count === 1 ? [] : [violation('PREV-002', `deploy target ${JSON.stringify(target)} has ${count} results; expected exactly one`)];
  });
  const perResult = results.flatMap((result, i) => {
    const problems: string[] = [];
    if (typeof result?.summary !== 'string' || result.summary.trim() === '') problems.push('summary must be non-empty');
    const language = result?.diff_language ?? '';
    if (language !== '' && !DIFF_LANGUAGE.test(language)) problems.push(`diff_language must be empty or a renderer name such as "diff"; got ${JSON.stringify(language)}`);
    if (expectNoChange && result?.no_change !== true) problems.push('no_change must be true: the deploy target already runs exactly the previewed source');
    return problems.map((p) => violation('PREV-002', `results[${i}] (${JSON.stringify(result?.deploy_target ?? '')}): ${p}`, { summary: result?.summary, no_change: result?.no_change, diff_language: language }));
  });
  return [...perTarget, ...perResult];
}

/** PREV-003: a request without running_deployment_source (a new application) is answered OK. */
export function checkPreviewWithoutRunningSource(outcome: CallOutcome): Violation[] {
  if (outcome.ok) return [];
  return [violation('PREV-003', `GetPlanPreview without running_deployment_source (a new application) must answer OK; got ${outcomeText(outcome)}`)];
}

/** PREV-004: a preview makes no PluginService writes (`callbacks` are the call's own). */
export function checkPreviewReadOnly(label: string, callbacks: JournalEntry[]): Violation[] {
  return callbacks
    .filter((e) => WRITE_RPC.test(e.rpc))
    .map((e) => violation('PREV-004', `${label}: made ${entryLabel(e)}; plan preview is a dry run and must not write`, { seq: e.seq, request: e.request }));
}

/** A callback already in flight when the deadline passed is not held against the plugin. */
export const DEADLINE_SLACK_MS = 250;

export interface DeadlineTrial {
  outcome: CallOutcome;
  /** Wall-clock ms when the call was sent. */
  startedAt: number;
  deadlineMs: number;
  /** Callbacks attributed to this call, including any that arrived after it ended. */
  callbacks: JournalEntry[];
}

/**
 * PREV-005: with a short deadline, the call either finished in time or ended DEADLINE_EXCEEDED/CANCELLED, and the
 * plugin stopped working when the deadline passed: no callback for the call arrives after it.
 */
export function checkPreviewDeadline(trial: DeadlineTrial): Violation[] {
  const found: Violation[] = [];
  const { outcome, startedAt, deadlineMs } = trial;
  if (!outcome.ok && !['DEADLINE_EXCEEDED', 'CANCELLED'].includes(outcome.status.codeName)) {
    found.push(violation('PREV-005', `GetPlanPreview with a ${deadlineMs} ms deadline must finish or end DEADLINE_EXCEEDED/CANCELLED; got ${outcomeText(outcome)}`));
  }
  const cutoff = startedAt + deadlineMs + DEADLINE_SLACK_MS;
  for (const entry of trial.callbacks.filter((e) => e.time > cutoff)) {
    found.push(violation('PREV-005', `${entryLabel(entry)} arrived ${entry.time - startedAt} ms after a GetPlanPreview whose deadline was ${deadlineMs} ms; stop working when the deadline passes`, { seq: entry.seq, rpc: entry.rpc }));
  }
  return found;
}

/** PREV-006: empty deploy_targets → INVALID_ARGUMENT. */
export function checkPreviewEmptyTargets(outcome: CallOutcome): Violation[] {
  if (!outcome.ok && outcome.status.codeName === 'INVALID_ARGUMENT') return [];
  return [violation('PREV-006', `GetPlanPreview with empty deploy_targets must answer INVALID_ARGUMENT; got ${outcomeText(outcome)}`)];
}

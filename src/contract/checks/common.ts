// Helpers every check shares: int64 parsing, and the wording that tells a person where a fact came from.
import type { JournalEntry } from '../../host/types.js';
import type { CallOutcome } from '../../session-types.js';
import type { Violation } from '../violation.js';

/** Builds a Violation, leaving `evidence` out when there is none. */
export function violation(rule: string, message: string, evidence?: unknown): Violation {
  return evidence === undefined ? { rule, message } : { rule, message, evidence };
}

/**
 * Reads an int64 as decoded (decimal string, number, bigint or Long); absent means the proto default 0.
 * Returns undefined when the value is not an integer at all.
 */
export function toBigInt(value: unknown): bigint | undefined {
  if (value === undefined || value === null) return 0n;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : undefined;
  const text = typeof value === 'string' ? value : String(value);
  return /^-?\d+$/.test(text.trim()) ? BigInt(text.trim()) : undefined;
}

/** An enum as decoded with `enums: String`: its name, or `undefined value N` when the number has no name. */
export function enumText(value: unknown): string {
  return typeof value === 'string' ? value : `undefined value ${String(value)}`;
}

/** True when a decoded PipelineStage is a rollback stage. */
export function isRollback(stage: any): boolean {
  return stage?.rollback === true;
}

/** A stage's `index` as a number (int32 decodes as a number; absent means 0). */
export function stageIndex(stage: any): number {
  return Number(stage?.index ?? 0);
}

/** Where a stage sits in a response: `stages[1] "WAIT" (index 2, rollback)`. */
export function stageLabel(stage: any, position: number): string {
  const rollback = isRollback(stage) ? ', rollback' : '';
  return `stages[${position}] ${JSON.stringify(stage?.name ?? '')} (index ${stageIndex(stage)}${rollback})`;
}

/** A call's result in words: `OK`, or `INTERNAL (13): boom`. */
export function outcomeText(outcome: CallOutcome): string {
  if (outcome.ok) return 'OK';
  const { code, codeName, details } = outcome.status;
  return `${codeName} (${code})${details ? `: ${details}` : ''}`;
}

/** A callback in words: `callback #7 ReportStageLogs`. */
export function entryLabel(entry: JournalEntry): string {
  return `callback #${entry.seq} ${entry.rpc}`;
}

/** The stage-log key piped stores logs under: (deployment_id, stage_id, retried_count). */
export function logKey(request: any): string {
  return JSON.stringify([request?.deployment_id ?? '', request?.stage_id ?? '', Number(request?.retried_count ?? 0)]);
}

/** A stage-log key in words: `deployment "d1" stage "s1" retried_count 0`. */
export function logKeyText(request: any): string {
  const [deployment, stage, retried] = JSON.parse(logKey(request)) as [string, string, number];
  return `deployment ${JSON.stringify(deployment)} stage ${JSON.stringify(stage)} retried_count ${retried}`;
}

/** The status name a call gets when the harness gave up waiting (src/session.ts): the plugin never answered. */
export const HARNESS_TIMEOUT = 'HARNESS_TIMEOUT';

/** True when the call got no answer within the harness's budget (a hang, as far as piped is concerned). */
export function noAnswer(outcome: CallOutcome): boolean {
  return !outcome.ok && outcome.status.codeName === HARNESS_TIMEOUT;
}

// SVC-*: the PluginService callbacks a plugin makes, judged in arrival order.
import type { JournalEntry } from '../../host/types.js';
import type { Violation } from '../violation.js';
import { entryLabel, enumText, logKey, logKeyText, toBigInt, violation } from './common.js';

/** The two stage-log RPCs; both carry LogBlocks and share one index space per stage. */
export const LOG_RPCS: readonly string[] = ['ReportStageLogs', 'ReportStageLogsFromLastCheckpoint'];

const SEVERITIES = new Set(['INFO', 'SUCCESS', 'ERROR']);
const DAY_SECONDS = 86_400n;

function isLogEntry(entry: JournalEntry): boolean {
  return LOG_RPCS.includes(entry.rpc);
}

function blocksOf(entry: JournalEntry): any[] {
  return Array.isArray(entry.request?.blocks) ? entry.request.blocks : [];
}

/** Where a block sits: `callback #4 ReportStageLogs (deployment "d1" stage "s1" retried_count 0) blocks[2]`. */
function blockLabel(entry: JournalEntry, position: number): string {
  return `${entryLabel(entry)} (${logKeyText(entry.request)}) blocks[${position}]`;
}

/** SVC-002: every callback request satisfies the `(validate.rules)` annotations. */
export function checkCallbackRequestsValid(entries: JournalEntry[]): Violation[] {
  return entries
    .filter((entry) => entry.violations.length > 0)
    .map((entry) => {
      const broken = entry.violations.map((v) => `${v.path} (${v.rule})`).join(', ');
      return violation('SVC-002', `${entryLabel(entry)} must satisfy its validate rules; broke ${broken}`, {
        seq: entry.seq,
        rpc: entry.rpc,
        violations: entry.violations,
      });
    });
}

/** SVC-003: each LogBlock has text, a defined severity and a created_at in Unix seconds near `nowSeconds`. */
export function checkLogBlocks(entries: JournalEntry[], nowSeconds: number): Violation[] {
  const now = BigInt(Math.trunc(nowSeconds));
  return entries.filter(isLogEntry).flatMap((entry) =>
    blocksOf(entry).flatMap((block, i) =>
      blockProblems(block, now).map((problem) => violation('SVC-003', `${blockLabel(entry, i)}: ${problem}`, block)),
    ),
  );
}

/** What is wrong with one LogBlock, one sentence per field. */
function blockProblems(block: any, now: bigint): string[] {
  const problems: string[] = [];
  if (typeof block?.log !== 'string' || block.log === '') problems.push('log must be non-empty');
  if (!SEVERITIES.has(block?.severity)) problems.push(`severity must be INFO, SUCCESS or ERROR; got ${enumText(block?.severity)}`);
  const created = toBigInt(block?.created_at);
  const shown = JSON.stringify(block?.created_at ?? null);
  if (created === undefined || created <= 0n) problems.push(`created_at must be > 0; got ${shown}`);
  else if (created < now - DAY_SECONDS || created > now + DAY_SECONDS) {
    problems.push(`created_at must be Unix seconds within 1 day of now (${now}); got ${shown}`);
  }
  return problems;
}

/** What a block says, to tell a resend of the same block from a different block under a reused index. */
function blockSignature(block: any): string {
  return JSON.stringify([block?.log ?? '', block?.severity ?? null, String(toBigInt(block?.created_at) ?? block?.created_at)]);
}

interface IndexState {
  seen: Map<bigint, string>;
  max?: bigint;
}

/**
 * SVC-004: per (deployment, stage, retried_count), indexes strictly increase within a request; across requests an
 * index already seen carries the same block (checkpoints resend), and a new index exceeds every earlier one.
 */
export function checkLogIndexes(entries: JournalEntry[]): Violation[] {
  const states = new Map<string, IndexState>();
  return entries.filter(isLogEntry).flatMap((entry) => {
    const key = logKey(entry.request);
    const state = states.get(key) ?? { seen: new Map<bigint, string>() };
    states.set(key, state);
    const indexed = blocksOf(entry)
      .map((block, position) => ({ block, position, index: toBigInt(block?.index) }))
      .filter((b): b is { block: any; position: number; index: bigint } => b.index !== undefined);
    const found = [...withinRequest(entry, indexed), ...againstEarlier(entry, indexed, state)];
    for (const { block, index } of indexed) {
      if (!state.seen.has(index)) state.seen.set(index, blockSignature(block));
      if (state.max === undefined || index > state.max) state.max = index;
    }
    return found;
  });
}

type IndexedBlock = { block: any; position: number; index: bigint };

/** SVC-004 within one request: each index is greater than the one before it. */
function withinRequest(entry: JournalEntry, indexed: IndexedBlock[]): Violation[] {
  return indexed.slice(1).flatMap((b, i) => {
    const prev = indexed[i];
    if (b.index > prev.index) return [];
    const message = `${blockLabel(entry, b.position)}: index must be greater than the previous block's; got ${b.index} after ${prev.index}`;
    return [violation('SVC-004', message, [prev.block, b.block])];
  });
}

/** SVC-004 across requests: compared with what earlier requests for the same key sent. */
function againstEarlier(entry: JournalEntry, indexed: IndexedBlock[], state: IndexState): Violation[] {
  return indexed.flatMap(({ block, position, index }) => {
    const earlier = state.seen.get(index);
    if (earlier !== undefined) {
      if (earlier === blockSignature(block)) return [];
      const message = `${blockLabel(entry, position)}: index ${index} was already sent with a different block (reused index)`;
      return [violation('SVC-004', message, { earlier: JSON.parse(earlier), now: block })];
    }
    if (state.max === undefined || index > state.max) return [];
    const message = `${blockLabel(entry, position)}: new index ${index} must be greater than every index sent before (max ${state.max})`;
    return [violation('SVC-004', message, block)];
  });
}

/**
 * SVC-005: once a ReportStageLogsFromLastCheckpoint with completed=true was accepted for a stage log, no further log
 * RPC targets it (piped would answer FAILED_PRECONDITION). A rejected completion seals nothing, so its retry is fine.
 */
export function checkNothingAfterCompleted(entries: JournalEntry[]): Violation[] {
  const sealedBy = new Map<string, JournalEntry>();
  return entries.filter(isLogEntry).flatMap((entry) => {
    const key = logKey(entry.request);
    const seal = sealedBy.get(key);
    if (seal) {
      const message = `${entryLabel(entry)} sent logs for ${logKeyText(entry.request)} after ${entryLabel(seal)} completed it`;
      return [violation('SVC-005', message, { seq: entry.seq, rpc: entry.rpc, request: entry.request, completedBy: seal.seq })];
    }
    const accepted = entry.status === undefined || entry.status.code === 0;
    if (entry.rpc === 'ReportStageLogsFromLastCheckpoint' && entry.request?.completed === true && accepted) sealedBy.set(key, entry);
    return [];
  });
}

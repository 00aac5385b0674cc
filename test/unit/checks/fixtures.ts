// Small factories for check tests: decoded messages as the harness sees them (keepCase, int64 strings, enum names).
import type { JournalEntry } from '../../../src/host/types.js';
import type { CallOutcome } from '../../../src/session-types.js';

/** A fixed "now" in Unix seconds, so time-window checks are deterministic. */
export const NOW_SECONDS = 1_760_000_000;

/** A built PipelineStage that passes PLAN-016, with overrides. */
export function stage(overrides: Record<string, unknown> = {}): any {
  return {
    id: '',
    name: 'WAIT',
    desc: '',
    index: 0,
    predefined: false,
    requires: [],
    visible: false,
    status: 'STAGE_NOT_STARTED_YET',
    status_reason: '',
    metadata: {},
    retried_count: 0,
    rollback: false,
    completed_at: '0',
    created_at: String(NOW_SECONDS),
    updated_at: String(NOW_SECONDS),
    available_operation: 'MANUAL_OPERATION_UNKNOWN',
    authorized_operators: [],
    ...overrides,
  };
}

/** Request stages `{name, index}` from `[name, index]` pairs. */
export function requestStages(...pairs: [string, number][]): { name: string; index: number }[] {
  return pairs.map(([name, index]) => ({ name, index }));
}

/** An OK call outcome. */
export function ok(response: any, callbacks: JournalEntry[] = []): CallOutcome {
  return { ok: true, response, durationMs: 5, callbacks };
}

/** A failed call outcome with a gRPC status. */
export function failed(code: number, codeName: string, details = '', callbacks: JournalEntry[] = []): CallOutcome {
  return { ok: false, status: { code, codeName, details }, durationMs: 5, callbacks };
}

let nextSeq = 1;

/** A journal entry for any PluginService RPC, answered OK unless `status` is given. */
export function journalEntry(rpc: string, request: any, extra: Partial<JournalEntry> = {}): JournalEntry {
  const seq = extra.seq ?? nextSeq++;
  return { seq, time: 0, durationMs: 1, rpc, request, response: extra.status ? undefined : {}, violations: [], ...extra };
}

/** A LogBlock that passes SVC-003, with overrides. */
export function block(index: number | string, overrides: Record<string, unknown> = {}): any {
  return { index: String(index), log: `line ${index}`, severity: 'INFO', created_at: String(NOW_SECONDS), ...overrides };
}

export interface LogEntryOptions {
  rpc?: 'ReportStageLogs' | 'ReportStageLogsFromLastCheckpoint';
  deployment_id?: string;
  stage_id?: string;
  retried_count?: number;
  completed?: boolean;
  blocks?: any[];
  /** Journal fields such as `status` or `violations`. */
  entry?: Partial<JournalEntry>;
}

/** A stage-log callback (ReportStageLogs by default) for deployment d1, stage s1. */
export function logEntry(options: LogEntryOptions = {}): JournalEntry {
  const rpc = options.rpc ?? 'ReportStageLogs';
  const request: any = {
    deployment_id: options.deployment_id ?? 'd1',
    stage_id: options.stage_id ?? 's1',
    retried_count: options.retried_count ?? 0,
    blocks: options.blocks ?? [],
  };
  if (rpc === 'ReportStageLogsFromLastCheckpoint') request.completed = options.completed ?? false;
  return journalEntry(rpc, request, options.entry);
}

/** A checkpoint report (ReportStageLogsFromLastCheckpoint). */
export function checkpointEntry(options: Omit<LogEntryOptions, 'rpc'> = {}): JournalEntry {
  return logEntry({ ...options, rpc: 'ReportStageLogsFromLastCheckpoint' });
}

/** An ExecuteStageRequest for deployment `deploymentId` and stage `stageId`. */
export function executeRequest(deploymentId = 'd1', stageId = 's1'): any {
  return { input: { deployment: { id: deploymentId }, stage: stage({ id: stageId }), stage_config: Buffer.alloc(0) } };
}

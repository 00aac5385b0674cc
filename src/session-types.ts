// Outcomes of calls the harness makes to the plugin: the facts pure checks judge.
import type { JournalEntry, RecordedStatus } from './host/types.js';

export type CallOutcome<T = any> =
  | { ok: true; response: T; durationMs: number; callbacks: JournalEntry[] }
  | { ok: false; status: RecordedStatus; durationMs: number; callbacks: JournalEntry[] };

/** One call the harness made, as the session logs it (PROC-018 looks for answers refused for their size). */
export interface CallRecord {
  service: string;
  method: string;
  ok: boolean;
  status?: RecordedStatus;
  durationMs: number;
  request?: unknown;
  /** The answer, when OK. */
  response?: unknown;
  /** True when the harness cancelled the call (its cancel() or its budget), as piped cancels (EXEC-002). */
  cancelled?: boolean;
}

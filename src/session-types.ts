// Outcomes of calls the harness makes to the plugin: the facts pure checks judge.
import type { JournalEntry, RecordedStatus } from './host/types.js';

export type CallOutcome<T = any> =
  | { ok: true; response: T; durationMs: number; callbacks: JournalEntry[] }
  | { ok: false; status: RecordedStatus; durationMs: number; callbacks: JournalEntry[] };

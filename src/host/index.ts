// The fake piped: what suites and the session import.
export { startFakePiped } from './server.js';
export type { ArrivedCall, FakePipedOptions, FaultKind, FaultRule, JournalEntry, RecordedStatus, RunningHost, StageLog } from './types.js';

// The fake piped: what suites and the session import.
export { startFakePiped } from './server.js';
export { FAULT_PLANS, faultPlan, scopePlan, type FaultPlanSpec, type FaultScope } from './fault-plans.js';
export type {
  ArrivedCall, DeploymentWindow, FakePipedOptions, FaultKind, FaultRule, InstalledTool, JournalEntry, RecordedStatus, RunningHost, SeededTool, StageLog,
} from './types.js';

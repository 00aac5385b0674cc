// The fake piped's public surface: what suites and the session see of the PluginService the plugin calls back.
import type { FieldViolation } from '../protocol/validate.js';

/** A gRPC status as recorded: numeric code, its name, and the details text. */
export interface RecordedStatus {
  code: number;
  codeName: string;
  details: string;
}

/** One PluginService call made by the plugin, as the fake piped saw and answered it. */
export interface JournalEntry {
  /** Monotonic sequence number within one host. */
  seq: number;
  /** Wall-clock ms (Date.now()) when the call arrived. */
  time: number;
  /** ms the fake took to answer (includes injected latency). */
  durationMs: number;
  /** PluginService method name, e.g. `ReportStageLogs`. */
  rpc: string;
  request: any;
  /** Present when the fake answered OK. */
  response?: any;
  /** Present when the fake answered with an error. */
  status?: RecordedStatus;
  /** Violations of `(validate.rules)` in the request (non-empty means the fake answered INVALID_ARGUMENT). */
  violations: FieldViolation[];
  /**
   * The case in flight: the one that opened the entry's deployment (for application-scoped calls, the one that last
   * opened a deployment of that application), else the host's current case.
   */
  caseId?: string;
  /** Name of an injected fault that shaped this answer, if any. */
  fault?: string;
  /** Names of the gRPC metadata entries the call carried, lower-case (e.g. `user-agent`); SVC-001 looks for credentials. */
  metadataKeys?: string[];
  /**
   * Encoded size of the request in bytes (PROC-018). Above 4 MiB the fake answers RESOURCE_EXHAUSTED, as piped does;
   * requests above 64 MiB are refused by gRPC before they reach the journal.
   */
  requestBytes?: number;
}

/**
 * A call as it arrived, before it is answered (added beyond the original surface: lets suites see a call that an
 * injected `hang` holds, and wait for it without polling).
 */
export interface ArrivedCall {
  /** Wall-clock ms (Date.now()) when the call arrived. */
  time: number;
  rpc: string;
  request: any;
  caseId?: string;
  /** Names of the gRPC metadata entries the call carried, lower-case. */
  metadataKeys?: string[];
  /** Encoded size of the request in bytes. */
  requestBytes?: number;
}

/** One opening of a deployment's metadata window (openDeployment … closeDeployment), for SVC-008. */
export interface DeploymentWindow {
  deploymentId: string;
  applicationId?: string;
  caseId?: string;
  /** Wall-clock ms (Date.now()) of openDeployment. */
  openedAt: number;
  /** Wall-clock ms of the matching closeDeployment; absent while the window is open. */
  closedAt?: number;
}

/** A tool InstallTool handed out, and whether anything read or ran the file at its path since (SVC-015). */
export interface InstalledTool {
  name: string;
  version: string;
  installedPath: string;
  /**
   * True once the file at `installedPath` was read or executed after InstallTool answered (seen through its access
   * time); undefined when the file system does not update access times (e.g. mounted noatime) or the file is gone.
   */
  used?: boolean;
  /** Set when the tool came from `--tool` (the path given there) rather than from running the install script. */
  seededFrom?: string;
}

/**
 * A tool the user already has, given with `--tool NAME[@VERSION]=PATH`: InstallTool for `name` (and `version`, when
 * set; any version otherwise) answers with a copy of `path` in the tools folder instead of running the install script.
 */
export interface SeededTool {
  name: string;
  /** Absent: every version of `name`. */
  version?: string;
  /** Absolute path of an executable file. */
  path: string;
}

export type FaultKind = 'error' | 'latency' | 'hang';

/** One rule of a fault plan. Plans are data so scripted cases can carry them. */
export interface FaultRule {
  /** PluginService method name, or `*` for every method. */
  rpc: string;
  kind: FaultKind;
  /** For `error`: a grpc status name such as `UNAVAILABLE`, `UNKNOWN`, `NOT_FOUND`. */
  code?: string;
  message?: string;
  /** For `latency`: extra delay before the normal answer. */
  delayMs?: number;
  /** Apply to the first N matching calls only (default: all). */
  times?: number;
  /** Only calls whose request has these field values, e.g. `{ deployment_id: 'd1' }`. */
  match?: Record<string, string>;
}

/** A stage log as the fake stored it: blocks deduplicated by index, sealed after `completed=true`. */
export interface StageLog {
  deploymentId: string;
  stageId: string;
  retriedCount: number;
  blocks: any[];
  completed: boolean;
}

export interface FakePipedOptions {
  /**
   * Folder for InstallTool results (`<toolsDir>/<name>-<version>`); created if missing, kept on close. By default a
   * fresh temp dir, which close() removes.
   */
  toolsDir?: string;
  /** Fixed port (attach mode lets users pass it to their plugin); 0 = any free port. */
  port?: number;
  /**
   * Tools InstallTool answers without running the install script (`--tool`); an exact version wins over an
   * any-version entry. Other tools are installed by their script as usual.
   */
  tools?: SeededTool[];
}

/** A listening fake piped. */
export interface RunningHost {
  /** `127.0.0.1:<port>`, the value for `--piped-plugin-service`. */
  readonly address: string;
  readonly port: number;
  readonly toolsDir: string;

  /** Every call recorded so far, in arrival order. */
  journal(): readonly JournalEntry[];
  /** Calls recorded after sequence number `seq`. */
  journalSince(seq: number): JournalEntry[];
  /** Sequence number of the latest entry (0 when empty). */
  lastSeq(): number;
  /** Resolves with the first entry (arriving from now on) that satisfies `predicate`, or undefined after `timeoutMs` or when the host closes. */
  waitFor(predicate: (entry: JournalEntry) => boolean, timeoutMs: number): Promise<JournalEntry | undefined>;

  /** Calls received but not answered yet (held by a `hang`/`latency` fault, or still working, e.g. InstallTool). */
  inFlight(): ArrivedCall[];
  /** Resolves with the first call arriving from now on that satisfies `predicate` (before it is answered), or undefined after `timeoutMs`. */
  waitForArrival(predicate: (call: ArrivedCall) => boolean, timeoutMs: number): Promise<ArrivedCall | undefined>;

  /** The case that calls are attributed to when their deployment names none. */
  setCurrentCase(caseId: string | undefined): void;

  /**
   * Opens the deployment's metadata window as piped does when planning or executing starts: seeds stage metadata
   * from `deployment.stages[].metadata`, plugin metadata from `metadata_v2.plugins[name].keyValues`, shared from
   * `metadata_v2.shared.keyValues`. Re-opening merges the new snapshot under what is stored (stored values win).
   * Throws when the deployment has no id.
   * Outside an open window metadata RPCs answer UNKNOWN "metadata store not found for deployment <id>".
   */
  openDeployment(deployment: any, caseId?: string): void;
  /** Closes the window (stores are kept for inspection; later metadata calls get UNKNOWN). */
  closeDeployment(deploymentId: string): void;

  /** Sets the unhandled commands ListStageCommands returns for a stage, every call, until cleared. */
  setStageCommands(deploymentId: string, stageId: string, commands: any[]): void;
  /** What piped does when ExecuteStage returns: the stage's commands become handled. */
  clearStageCommands(deploymentId: string, stageId: string): void;

  /** The stored stage log for (deployment, stage, retried_count), if any. */
  stageLog(deploymentId: string, stageId: string, retriedCount?: number): StageLog | undefined;
  /** Current stage metadata of (deployment, stage), including seeded values. */
  stageMetadata(deploymentId: string, stageId: string): Record<string, string>;
  /** Current plugin metadata namespace of a deployment. */
  pluginMetadata(deploymentId: string, pluginName: string): Record<string, string>;
  /** Application shared object bytes, if stored. */
  sharedObject(applicationId: string, pluginName: string, key: string): Buffer | undefined;
  /** Stores an application shared object, as an earlier deployment would have (SVC-017 re-runs with it present). */
  putSharedObject(applicationId: string, pluginName: string, key: string, object: Uint8Array): void;

  /** Every metadata window opened so far, in opening order (SVC-008). */
  deploymentWindows(): DeploymentWindow[];
  /** Every tool InstallTool answered with a path, in order, with whether it was used since (SVC-015). */
  installedTools(): InstalledTool[];

  /**
   * Replaces the fault plan (resetting `times` budgets). An empty list means no faults. Throws on a malformed rule
   * (unknown method, kind or status name; latency without delayMs). An `error` rule without `code` answers UNAVAILABLE.
   */
  setFaults(rules: FaultRule[]): void;

  /** Stops the server; pending hung calls are released with UNAVAILABLE. */
  close(): Promise<void>;
}

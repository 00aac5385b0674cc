// What every launcher produces: a plugin process (or container, or attached endpoint) the session can talk to.

/** piped's `spec.plugins[]` entry as marshalled into `--config` (CATALOGUE §1.3). */
export interface PipedPluginConfig {
  name: string;
  url: string;
  port: number;
  config?: unknown;
  deployTargets?: { name: string; labels?: Record<string, string>; config: unknown }[];
}

/** How a plugin process ended. */
export interface ExitInfo {
  code: number | null;
  signal: string | null;
  /** True when the harness asked it to stop (SIGTERM/SIGKILL from stop()). */
  requested: boolean;
}

export interface StopResult extends ExitInfo {
  /** ms from SIGTERM to exit. */
  elapsedMs: number;
  /** True when SIGKILL was needed after the grace period. */
  killed: boolean;
}

/** A started plugin. Distinct from its Launcher so nothing can be configured once running. */
export interface RunningPlugin {
  /** `127.0.0.1:<port>` where the harness dials the plugin. */
  readonly address: string;
  readonly port: number;
  /** Process id when the harness owns a local process. */
  readonly pid?: number;
  /** The exact argv passed (after the executable). */
  readonly argv: readonly string[];
  /** Resolves when the process exits, for whatever reason. */
  readonly exited: Promise<ExitInfo>;
  /** Set once exited. */
  exitInfo(): ExitInfo | undefined;
  /** The last `n` lines the plugin wrote to stdout and stderr, interleaved in arrival order. */
  recentOutput(n?: number): string[];
  /**
   * `signal` (SIGTERM unless given; SIGINT for PROC-011), then SIGKILL after `graceMs`. Resolves when the process
   * is gone.
   */
  stop(graceMs: number, signal?: StopSignal): Promise<StopResult>;
  /** SIGKILL at once, as a crash or node loss ends a plugin (EXEC-011); absent when the harness cannot kill it. */
  kill?(): Promise<ExitInfo>;
}

export interface LaunchRequest {
  /** `host:port` of the fake piped, passed as `--piped-plugin-service`. */
  hostAddress: string;
  /** The `--config` value: piped's shape, or raw text (to send deliberately malformed configs). */
  config: PipedPluginConfig | string;
  /** The port the plugin should serve on, when `config` is raw text. */
  port?: number;
  /** Extra environment for the plugin (the harness's own environment is inherited, as piped does). */
  env?: Record<string, string>;
  /**
   * Process launches only (PROC-002, PROC-009): `extendEnv: false` makes `env` the whole environment instead of an
   * addition to the inherited one; `cwd` replaces the inherited working directory; `argv` replaces piped's argv
   * (after the executable), e.g. to leave out a required flag. Launchers that start no process ignore them.
   */
  extendEnv?: boolean;
  cwd?: string;
  argv?: readonly string[];
  /**
   * Host folders the plugin must see at the same path, as piped and its plugins share one filesystem (deployment
   * checkouts, installed tools). Processes see them anyway; containers get them bind-mounted.
   */
  sharedDirs?: string[];
}

/** The signals a graceful stop may use: piped sends SIGTERM; SIGINT is the other one the SDK handles. */
export type StopSignal = 'SIGTERM' | 'SIGINT';

/** Something that can start a plugin. */
export interface Launcher {
  /** Human description for messages, e.g. the binary path. */
  readonly description: string;
  /** The piped-style URL to put in `--config`'s `url`. */
  readonly url: string;
  /** The port the plugin serves on when the launcher, not the harness, decides it (attach mode). */
  readonly fixedPort?: number;
  /** False when the plugin runs outside the harness (attach mode): it cannot be started, stopped or restarted. */
  readonly ownsProcess: boolean;
  start(request: LaunchRequest): Promise<RunningPlugin>;
}

/**
 * A resolved target, serialisable so the CLI can hand it to the suites' worker, which rebuilds the Launcher.
 * URL targets (file, https, oci) are fetched by the CLI first and arrive here as `binary` with their original URL.
 */
export type TargetSpec =
  | { kind: 'binary'; executable: string; /** piped-style URL for `--config`; the original URL for fetched plugins. */ url: string }
  | { kind: 'container'; image: string; /** Labels the harness puts on its containers (run id, owner pid). */ labels: Record<string, string> }
  | { kind: 'address'; address: string; port: number; url: string };

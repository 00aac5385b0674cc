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
  /** SIGTERM, then SIGKILL after `graceMs`. Resolves when the process is gone. */
  stop(graceMs: number): Promise<StopResult>;
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
}

/** Something that can start a plugin. */
export interface Launcher {
  /** Human description for messages, e.g. the binary path. */
  readonly description: string;
  /** The piped-style URL to put in `--config`'s `url`. */
  readonly url: string;
  start(request: LaunchRequest): Promise<RunningPlugin>;
}

// What the CLI hands to the suites (through vitest's provide): everything needed to start the plugin. Serialisable.
import type { PipedPluginConfig } from './target/types.js';

export interface RunSpec {
  /** Absolute path of the plugin executable. */
  executable: string;
  configFile?: string;
  pluginName: string;
  pluginConfig?: unknown;
  deployTargets: NonNullable<PipedPluginConfig['deployTargets']>;
  readyTimeoutMs: number;
  /** SIGTERM→SIGKILL grace, piped's default 30 s. */
  graceMs: number;
  protoRoot?: string;
}

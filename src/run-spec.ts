// What the CLI hands to the suites (through vitest's provide): everything needed to start the plugin. Serialisable.
import type { PropertySettings } from './generate/properties.js';
import type { SeededTool } from './host/types.js';
import type { RunInputs } from './piped/inputs.js';
import type { OciIndexFacts } from './launch/oci.js';
import type { PipedPluginConfig, TargetSpec } from './launch/types.js';

/** What a release build asked to be checked (--release, --expect-version): suites/13-release.test.ts judges it. */
export interface ReleaseSpec {
  /** --expect-version V: the version the plugin's `version` subcommand must print. */
  expectVersion?: string;
  /**
   * An oci:// target's image index with each manifest's layers, read by the CLI (which holds the registry
   * credentials); `error` when the index could not be read; absent for other targets.
   */
  oci?: OciIndexFacts | { url: string; error: string };
}

export interface RunSpec {
  /** How the suites start the plugin: the worker rebuilds the Launcher from it (src/launch/resolve.ts launcherFor). */
  target: TargetSpec;
  /** What is tested, for messages: a path, `<url> (fetched to <path>)`, an image, or an address. */
  description: string;
  /** Absolute path of the plugin executable (for URL targets, the fetched copy); unset for images and attach mode. */
  executable?: string;
  /** The piped-style URL in `--config` (the original URL for fetched plugins). */
  url: string;
  /**
   * False in attach mode (--address): the user owns the process, so rules that start, stop or restart it, or read
   * its argv, output or exit, are not run (suites/support/shared.ts requireOwnProcess).
   */
  ownsProcess: boolean;
  /** Fixed port of the fake piped (--host-port; attach mode always has one); unset = any free port. */
  hostPort?: number;
  /** `--tool NAME[@VERSION]=PATH`: tools the fake piped's InstallTool hands out without running the install script. */
  tools?: SeededTool[];
  configFile?: string;
  pluginName: string;
  pluginConfig?: unknown;
  deployTargets: NonNullable<PipedPluginConfig['deployTargets']>;
  readyTimeoutMs: number;
  /** SIGTERM→SIGKILL grace, piped's default 30 s. */
  graceMs: number;
  protoRoot?: string;
  /** Absolute reports folder; the suites leave facts for results.json there (src/report/capabilities-file.ts). */
  reportsDir?: string;
  /** Seed, runs, time budget and replay of the property-generated cases (suites/11-*, suites/12-*). */
  properties?: PropertySettings;
  /** Example apps and stage examples: the stage configs the harness plans and executes with (src/piped/inputs.ts). */
  inputs: RunInputs;
  /** The file where workers record plugin pids for the CLI's reaper (src/launch/reaper.ts); set by the CLI. */
  pidFile?: string;
  /** The run's folder for DeploymentSource checkouts, removed by the CLI after the run. */
  workDir?: string;
  /**
   * The user's environment as the CLI found it, before the test runner added its own variables (VITEST*, NODE_ENV,
   * MODE, ...): what plugin processes inherit, as piped's plugins inherit piped's. Kept in memory, never written.
   */
  pluginEnv?: Record<string, string | undefined>;
  /** Release checks to run (RELEASE-*); absent unless --release or --expect-version was given. */
  release?: ReleaseSpec;
}

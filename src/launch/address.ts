// Attach mode (`--address host:port`): a plugin the user started, e.g. under a debugger. The harness does not own
// the process: it cannot see its argv, output or exit, nor stop or restart it; suites that need that skip.
import { SetupError, UsageError } from '../errors.js';
import { pipedArgv } from './binary.js';
import type { ExitInfo, LaunchRequest, Launcher, PipedPluginConfig, RunningPlugin, StopResult } from './types.js';

/** A placeholder `url` for `--config`: attached plugins were not downloaded, but the SDK insists on a valid scheme. */
export const ATTACHED_URL = 'file:///plugin-conformance/attached-plugin';

/** Parses `--address`: `host:port` on a loopback address (the harness only talks to this machine). */
export function parseAddress(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port < 1 || port > 65535) throw new UsageError(`--address takes host:port of the running plugin (e.g. 127.0.0.1:7001), got "${text}"`);
  const host = match[1] ?? match[2];
  if (!/^(localhost|127\.\d+\.\d+\.\d+|::1)$/.test(host)) {
    throw new UsageError(`--address ${text}: only loopback addresses (127.0.0.1, localhost, ::1) are supported, as piped dials its plugins on localhost`);
  }
  return { host, port };
}

/** The command line the user runs to start their plugin against this run's fake piped (arguments shell-quoted). */
export function attachCommand(executableHint: string, hostAddress: string, config: PipedPluginConfig): string {
  return [executableHint, ...pipedArgv(hostAddress, JSON.stringify(config)).map(shellQuote)].join(' ');
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export class AddressLauncher implements Launcher {
  readonly description: string;
  readonly url = ATTACHED_URL;
  readonly ownsProcess = false;
  readonly fixedPort: number;

  constructor(readonly address: string) {
    this.fixedPort = parseAddress(address).port;
    this.description = `the plugin you started at ${address}`;
  }

  async start(request: LaunchRequest): Promise<RunningPlugin> {
    if (typeof request.config === 'string') {
      throw new SetupError('harness bug: attach mode cannot pass a raw --config; suites that need their own process must skip when the harness does not own it');
    }
    return new AttachedPlugin(this.address, this.fixedPort, pipedArgv(request.hostAddress, JSON.stringify(request.config)));
  }
}

/** An endpoint, not a process: it never "exits" as far as the harness can tell, and stop() only lets go of it. */
class AttachedPlugin implements RunningPlugin {
  readonly exited: Promise<ExitInfo> = new Promise(() => undefined);

  constructor(readonly address: string, readonly port: number, readonly argv: readonly string[]) {}

  exitInfo(): ExitInfo | undefined {
    return undefined;
  }

  recentOutput(): string[] {
    return ['(attach mode: the plugin runs outside the harness; see its own output)'];
  }

  async stop(): Promise<StopResult> {
    return { code: null, signal: null, requested: true, elapsedMs: 0, killed: false };
  }
}

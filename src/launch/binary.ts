// Launches a plugin executable exactly as piped does: `<bin> start --piped-plugin-service <addr> --config <json>`,
// inheriting environment and working directory, stdin closed, stdout/stderr captured for diagnostics. The process
// suites override environment, working directory or argv per launch (LaunchRequest) to probe PROC-002/PROC-009.
import { execa, type ResultPromise } from 'execa';
import { pathToFileURL } from 'node:url';
import { recordChild } from './reaper.js';
import type { ExitInfo, LaunchRequest, Launcher, RunningPlugin, StopResult, StopSignal } from './types.js';

const OUTPUT_LINES_KEPT = 400;

/** The argv piped passes (CATALOGUE §1.2), after the executable. */
export function pipedArgv(hostAddress: string, configJson: string): string[] {
  return ['start', '--piped-plugin-service', hostAddress, '--config', configJson];
}

export class BinaryLauncher implements Launcher {
  readonly description: string;
  readonly url: string;
  readonly ownsProcess = true;

  /** `options.url`: the URL the plugin was fetched from (piped puts the original URL in `--config`). */
  constructor(readonly executable: string, private readonly options: { cwd?: string; extendEnv?: boolean; url?: string; pidFile?: string; baseEnv?: Record<string, string | undefined> } = {}) {
    this.description = options.url && options.url !== pathToFileURL(executable).href ? `${options.url} (fetched to ${executable})` : executable;
    this.url = options.url ?? pathToFileURL(executable).href;
  }

  async start(request: LaunchRequest): Promise<RunningPlugin> {
    const configJson = typeof request.config === 'string' ? request.config : JSON.stringify(request.config);
    const port = typeof request.config === 'string' ? request.port ?? 0 : request.config.port;
    const argv = request.argv ? [...request.argv] : pipedArgv(request.hostAddress, configJson);
    const child = execa(this.executable, argv, {
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      cleanup: true,
      // the grace period is ours to enforce (stop()); execa's own 5 s SIGKILL would hide a plugin ignoring SIGTERM
      forceKillAfterDelay: false,
      cwd: request.cwd ?? this.options.cwd,
      // As piped's plugins inherit piped's environment, the plugin inherits the user's (baseEnv, captured by the CLI
      // before the test runner added its own variables); only without one (unit tests) this process's environment.
      ...inheritedEnv(request, this.options),
    });
    recordChild(this.options.pidFile, child.pid);
    return new LocalProcess(child, argv, port);
  }
}

function inheritedEnv(request: LaunchRequest, options: { extendEnv?: boolean; baseEnv?: Record<string, string | undefined> }): { env?: Record<string, string | undefined>; extendEnv: boolean } {
  const extend = request.extendEnv ?? options.extendEnv ?? true;
  if (!extend || !options.baseEnv) return { env: request.env, extendEnv: extend };
  return { env: { ...options.baseEnv, ...request.env }, extendEnv: false };
}

/** A running child process with its output kept in a ring buffer. */
class LocalProcess implements RunningPlugin {
  readonly address: string;
  readonly exited: Promise<ExitInfo>;
  private readonly lines: string[] = [];
  private exit: ExitInfo | undefined;
  private stopRequested = false;

  constructor(private readonly child: ResultPromise, readonly argv: readonly string[], readonly port: number) {
    this.address = `127.0.0.1:${port}`;
    for (const stream of [child.stdout, child.stderr]) this.captureLines(stream);
    this.exited = child.then((result) => {
      const spawnError = result.failed && result.exitCode === undefined && !result.signal ? result.originalMessage || result.shortMessage : undefined;
      if (spawnError) this.lines.push(`[plugin-conformance] could not start the process: ${spawnError}`);
      this.exit = { code: result.exitCode ?? null, signal: result.signal ?? null, requested: this.stopRequested };
      return this.exit;
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  exitInfo(): ExitInfo | undefined {
    return this.exit;
  }

  recentOutput(n = 40): string[] {
    return this.lines.slice(-n);
  }

  async kill(): Promise<ExitInfo> {
    if (this.exit) return this.exit;
    this.stopRequested = true;
    this.child.kill('SIGKILL');
    return this.exited;
  }

  async stop(graceMs: number, signal: StopSignal = 'SIGTERM'): Promise<StopResult> {
    const started = Date.now();
    if (this.exit) return { ...this.exit, elapsedMs: 0, killed: false };
    this.stopRequested = true;
    this.child.kill(signal);
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      this.child.kill('SIGKILL');
    }, graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return { ...exit, requested: true, elapsedMs: Date.now() - started, killed };
  }

  private captureLines(stream: NodeJS.ReadableStream | null | undefined): void {
    if (!stream) return;
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      this.keep(parts);
    });
    stream.on('end', () => partial && this.keep([partial]));
  }

  private keep(newLines: string[]): void {
    this.lines.push(...newLines);
    if (this.lines.length > OUTPUT_LINES_KEPT) this.lines.splice(0, this.lines.length - OUTPUT_LINES_KEPT);
  }
}

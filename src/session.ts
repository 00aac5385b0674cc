// One running plugin with its fake piped and clients: start (host first, as piped does), readiness, calls, stop.
import * as grpc from '@grpc/grpc-js';
import { SetupError } from './errors.js';
import { startFakePiped } from './host/index.js';
import type { JournalEntry, RunningHost, SeededTool } from './host/types.js';
import { Workspace } from './host/workspace.js';
import { loadProtocol, type Protocol, type ServiceKey } from './protocol/load.js';
import type { CallOutcome, CallRecord } from './session-types.js';
import { freePort } from './launch/ports.js';
import type { ExitInfo, Launcher, PipedPluginConfig, RunningPlugin, StopResult, StopSignal } from './launch/types.js';

export interface SessionOptions {
  launcher: Launcher;
  /** The plugin's identity (`--config` name). */
  pluginName: string;
  /** The plugin's own `config` (absent = left out of `--config`, as piped does). */
  pluginConfig?: unknown;
  deployTargets?: PipedPluginConfig['deployTargets'];
  /** How long the plugin may take to answer its first FetchDefinedStages. */
  readyTimeoutMs?: number;
  protoRoot?: string;
  /** Extra environment for the plugin process. */
  env?: Record<string, string>;
  /** Fixed port for the fake piped (attach mode: the user's plugin was told it); default any free port. */
  hostPort?: number;
  /** `--tool` seeds: InstallTool answers them with a copy of the user's file instead of running the script. */
  tools?: SeededTool[];
  /** The run's folder for DeploymentSource checkouts (the CLI removes it after the run); default the OS temp folder. */
  workDir?: string;
}

/** What readiness looked like: the facts PROC-001/005/006 are judged on. */
export interface Readiness {
  ready: boolean;
  waitedMs: number;
  deadlineMs: number;
  attempts: number;
  lastError?: string;
  exit?: ExitInfo;
  /** Wall-clock ms (Date.now()) of the first OK answer; callbacks that arrived earlier were made during start-up (PROC-019). */
  readyAt?: number;
}

export interface CallOptions {
  /** Harness-side budget: the call is cancelled (as piped cancels) after this long. No gRPC deadline is sent. */
  budgetMs?: number;
  /** Send a real gRPC deadline instead (plan preview carries one in piped). */
  deadlineMs?: number;
  /** Case the call belongs to, for journal attribution. */
  caseId?: string;
}

const DEFAULT_READY_TIMEOUT_MS = 30_000;
const DEFAULT_CALL_BUDGET_MS = 60_000;
const HARNESS_TIMEOUT = 'HARNESS_TIMEOUT';
/** A refused IPv6 connection fails at once; this only bounds a plugin that accepts but does not answer. */
const IPV6_PROBE_MS = 300;

export class Session {
  private readonly clients = new Map<ServiceKey, grpc.Client>();
  private readonly calls: CallRecord[] = [];
  /** What start() was given, so restart() can launch the plugin the same way. */
  private launchOptions: SessionOptions | undefined;
  /** Where calls go: the plugin's address, or its IPv6-loopback twin when only that answered (PROC-004 judges it). */
  private dialAddress: string;

  private constructor(
    readonly protocol: Protocol,
    readonly host: RunningHost,
    readonly plugin: RunningPlugin,
    readonly config: PipedPluginConfig,
    readonly readiness: Readiness,
    /** Real directories behind the DeploymentSources this session sends; removed by stop(). */
    readonly workspace: Workspace,
  ) {
    this.dialAddress = plugin.address;
  }

  /** The address the harness dials the plugin on. */
  get address(): string {
    return this.dialAddress;
  }

  /** Every call made so far through this session, in the order they ended (PROC-018 looks at their statuses). */
  callLog(): readonly CallRecord[] {
    return this.calls;
  }

  /** Starts the fake piped, then the plugin, then waits until FetchDefinedStages answers OK. */
  static async start(options: SessionOptions): Promise<Session> {
    const protocol = loadProtocol(options.protoRoot);
    const workspace = Workspace.create(options.workDir);
    const host = await startFakePiped(protocol, { port: options.hostPort, tools: options.tools });
    let plugin: RunningPlugin | undefined;
    try {
      const config = pipedPluginConfig(options, options.launcher.url, options.launcher.fixedPort ?? (await freePort()));
      plugin = await options.launcher.start({ hostAddress: host.address, config, env: options.env, sharedDirs: [workspace.root, host.toolsDir] });
      const session = new Session(protocol, host, plugin, config, undefined as unknown as Readiness, workspace);
      session.launchOptions = options;
      (session as { readiness: Readiness }).readiness = await session.waitUntilReady(options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
      if (!session.readiness.ready) throw new SetupError(session.describeNotReady());
      return session;
    } catch (error) {
      await plugin?.stop(2_000);
      await host.close();
      workspace.remove();
      throw error;
    }
  }

  /** Calls a unary method of the plugin. Never throws for gRPC errors: they are facts for checks. */
  call<T = any>(service: ServiceKey, method: string, request: unknown, options: CallOptions = {}): Promise<CallOutcome<T>> {
    return this.callCancellable<T>(service, method, request, options).outcome;
  }

  /** Like call(), plus a cancel() that cancels the call the way piped does (RST_STREAM). */
  callCancellable<T = any>(service: ServiceKey, method: string, request: unknown, options: CallOptions = {}): { outcome: Promise<CallOutcome<T>>; cancel: () => void } {
    const client = this.client(service) as any;
    if (typeof client[method] !== 'function') throw new Error(`harness bug: ${service} has no method ${method}`);
    if (options.caseId !== undefined) this.host.setCurrentCase(options.caseId);
    const seqBefore = this.host.lastSeq();
    const started = Date.now();
    const callOptions: grpc.CallOptions = options.deadlineMs ? { deadline: Date.now() + options.deadlineMs } : {};
    let call: grpc.ClientUnaryCall | undefined;
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    let cancelled = false;
    const outcome = new Promise<CallOutcome<T>>((resolve) => {
      call = client[method](request, new grpc.Metadata(), callOptions, (error: grpc.ServiceError | null, response: T) => {
        clearTimeout(timer);
        const durationMs = Date.now() - started;
        const callbacks = this.host.journalSince(seqBefore);
        if (!error) {
          this.calls.push({ service, method, ok: true, durationMs, request, response, cancelled });
          return resolve({ ok: true, response, durationMs, callbacks });
        }
        const status = timedOut
          ? { code: grpc.status.DEADLINE_EXCEEDED, codeName: HARNESS_TIMEOUT, details: `no answer within ${options.budgetMs ?? DEFAULT_CALL_BUDGET_MS} ms; the harness cancelled the call` }
          : { code: error.code, codeName: grpc.status[error.code] ?? String(error.code), details: error.details ?? error.message };
        this.calls.push({ service, method, ok: false, status, durationMs, request, cancelled });
        resolve({ ok: false, status, durationMs, callbacks });
      });
      if (!options.deadlineMs) {
        timer = setTimeout(() => {
          timedOut = true;
          cancelled = true;
          call?.cancel();
        }, options.budgetMs ?? DEFAULT_CALL_BUDGET_MS);
      }
    });
    const cancel = () => {
      cancelled = true;
      call?.cancel();
    };
    return { outcome, cancel };
  }

  /**
   * SIGKILL now, as a crash, an OOM kill or the loss of the node ends a plugin: no chance to clean up. Throws a
   * SetupError when the launcher cannot kill the plugin (e.g. one the harness attached to).
   */
  async kill(): Promise<ExitInfo> {
    if (!this.plugin.kill) throw new SetupError(`the harness cannot kill the plugin at ${this.plugin.address} (it did not start it)`);
    this.closeClients();
    return this.plugin.kill();
  }

  /**
   * Launches the plugin again as a restarted piped would: the same `--config` on a new port, against the same fake
   * piped, whose journal and stores are kept. A process still running is stopped first (SIGTERM, then SIGKILL after
   * `graceMs`). Waits for readiness like start() and throws a SetupError when the new process does not get ready.
   */
  async restart(graceMs = 30_000): Promise<Readiness> {
    const options = this.launchOptions;
    if (!options?.launcher.ownsProcess) throw new SetupError('the harness cannot restart a plugin it did not start');
    if (!this.plugin.exitInfo()) await this.plugin.stop(graceMs);
    this.closeClients();
    const config = { ...this.config, port: options.launcher.fixedPort ?? (await freePort()) };
    const plugin = await options.launcher.start({ hostAddress: this.host.address, config, env: options.env, sharedDirs: [this.workspace.root, this.host.toolsDir] });
    Object.assign(this as { plugin: RunningPlugin; config: PipedPluginConfig }, { plugin, config });
    this.dialAddress = plugin.address;
    const readiness = await this.waitUntilReady(options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
    (this as { readiness: Readiness }).readiness = readiness;
    if (!readiness.ready) throw new SetupError(this.describeNotReady());
    return readiness;
  }

  /** SIGTERM (or `signal`), then SIGKILL after `graceMs`; closes clients and the fake piped, removes the workspace. */
  async stop(graceMs = 30_000, signal?: StopSignal): Promise<StopResult> {
    this.closeClients();
    try {
      return await this.plugin.stop(graceMs, signal);
    } finally {
      await this.host.close();
      this.workspace.remove();
    }
  }

  private closeClients(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }

  private client(service: ServiceKey): grpc.Client {
    let client = this.clients.get(service);
    if (!client) {
      client = new this.protocol.clients[service](this.dialAddress, grpc.credentials.createInsecure());
      this.clients.set(service, client);
    }
    return client;
  }

  /** Polls FetchDefinedStages until OK, the process exits, or the deadline passes. */
  private async waitUntilReady(deadlineMs: number): Promise<Readiness> {
    const started = Date.now();
    let attempts = 0;
    let lastError: string | undefined;
    let exit: ExitInfo | undefined;
    void this.plugin.exited.then((info) => (exit = info));
    while (Date.now() - started < deadlineMs) {
      attempts += 1;
      const remaining = deadlineMs - (Date.now() - started);
      const outcome = await this.call('deployment', 'FetchDefinedStages', {}, { deadlineMs: Math.max(50, Math.min(1_000, remaining)) });
      if (outcome.ok || (outcome.status.code === grpc.status.UNAVAILABLE && (await this.answersOnIpv6Loopback()))) {
        return { ready: true, waitedMs: Date.now() - started, deadlineMs, attempts, readyAt: Date.now() };
      }
      lastError = `${outcome.status.codeName}: ${outcome.status.details}`;
      if (exit) break;
      await Promise.race([delay(100), this.plugin.exited]);
      if (exit) break;
    }
    return { ready: false, waitedMs: Date.now() - started, deadlineMs, attempts, lastError, exit };
  }

  /**
   * A plugin that listens on ::1 only is unreachable on 127.0.0.1, yet piped reaches it where `localhost` resolves to
   * ::1. Then the session dials [::1] from now on, so the other rules can still be judged; PROC-004 reports it.
   */
  private async answersOnIpv6Loopback(): Promise<boolean> {
    const ipv6 = ipv6LoopbackTwin(this.plugin.address);
    if (!ipv6) return false;
    const client = new this.protocol.clients.deployment(ipv6, grpc.credentials.createInsecure()) as any;
    try {
      const ok = await new Promise<boolean>((resolve) => client.FetchDefinedStages({}, { deadline: Date.now() + IPV6_PROBE_MS }, (error: unknown) => resolve(!error)));
      if (ok) {
        this.closeClients();
        this.dialAddress = ipv6;
      }
      return ok;
    } finally {
      client.close();
    }
  }

  private describeNotReady(): string {
    const r = this.readiness;
    const output = this.plugin.recentOutput(40);
    const tail = output.length ? `\nLast ${output.length} line(s) of plugin output:\n  ${output.join('\n  ')}` : '\n(the plugin printed nothing)';
    const tools = failedToolInstalls(this.host.journal());
    if (r.exit) {
      const how = r.exit.signal ? `was killed by ${r.exit.signal}` : `exited with code ${r.exit.code}`;
      return `the plugin ${how} after ${r.waitedMs} ms, before it answered FetchDefinedStages on ${this.plugin.address}.${tools}${tail}`;
    }
    return (
      `the plugin did not answer FetchDefinedStages on ${this.plugin.address} within ${r.deadlineMs} ms ` +
      `(${r.attempts} attempt(s); last error ${r.lastError}). Does it serve plaintext gRPC on the \`port\` from --config?${tools}${tail}`
    );
  }
}

/** The `--config` JSON piped would pass: `{name, url, port, config?, deployTargets?}`, empty fields left out. */
export function pipedPluginConfig(options: SessionOptions, url: string, port: number): PipedPluginConfig {
  const config: PipedPluginConfig = { name: options.pluginName, url, port };
  if (options.pluginConfig !== undefined) config.config = options.pluginConfig;
  if (options.deployTargets?.length) {
    config.deployTargets = options.deployTargets.map((t) => ({ name: t.name, ...(t.labels && Object.keys(t.labels).length ? { labels: t.labels } : {}), config: t.config ?? null }));
  }
  return config;
}

/**
 * The fake piped's InstallTool failures (not injected faults) whose name-version never installed afterwards, as a
 * paragraph for a plugin that did not start: each message names the tool and version and the `--tool` that supplies
 * it offline. Empty when there were none.
 */
export function failedToolInstalls(journal: readonly JournalEntry[]): string {
  const installs = journal.filter((e) => e.rpc === 'InstallTool' && e.fault === undefined);
  const installed = new Set(installs.filter((e) => !e.status).map((e) => `${e.request?.name}\0${e.request?.version}`));
  const failed = new Map<string, JournalEntry>();
  for (const entry of installs) {
    const key = `${entry.request?.name}\0${entry.request?.version}`;
    if (entry.status && !installed.has(key)) failed.set(key, entry);
  }
  if (!failed.size) return '';
  const messages = [...failed.values()].map((e) => `  ${e.status!.details.split('\n').join('\n    ')}`);
  return `\nThe plugin's InstallTool call(s) failed on the fake piped:\n${messages.join('\n')}`;
}

/** `[::1]:<port>` for a `127.0.0.1:<port>` address; undefined for any other address (e.g. attach mode). */
export function ipv6LoopbackTwin(address: string): string | undefined {
  const port = /^127\.0\.0\.1:(\d+)$/.exec(address)?.[1];
  return port ? `[::1]:${port}` : undefined;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// One running plugin with its fake piped and clients: start (host first, as piped does), readiness, calls, stop.
import * as grpc from '@grpc/grpc-js';
import { SetupError } from './errors.js';
import { startFakePiped } from './host/index.js';
import type { RunningHost } from './host/types.js';
import { loadProtocol, type Protocol, type ServiceKey } from './protocol/load.js';
import type { CallOutcome } from './session-types.js';
import { freePort } from './target/ports.js';
import type { ExitInfo, Launcher, PipedPluginConfig, RunningPlugin, StopResult } from './target/types.js';

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
}

/** What readiness looked like: the facts PROC-001/005/006 are judged on. */
export interface Readiness {
  ready: boolean;
  waitedMs: number;
  deadlineMs: number;
  attempts: number;
  lastError?: string;
  exit?: ExitInfo;
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

export class Session {
  private readonly clients = new Map<ServiceKey, grpc.Client>();

  private constructor(
    readonly protocol: Protocol,
    readonly host: RunningHost,
    readonly plugin: RunningPlugin,
    readonly config: PipedPluginConfig,
    readonly readiness: Readiness,
  ) {}

  /** Starts the fake piped, then the plugin, then waits until FetchDefinedStages answers OK. */
  static async start(options: SessionOptions): Promise<Session> {
    const protocol = loadProtocol(options.protoRoot);
    const host = await startFakePiped(protocol);
    let plugin: RunningPlugin | undefined;
    try {
      const config = pipedPluginConfig(options, options.launcher.url, await freePort());
      plugin = await options.launcher.start({ hostAddress: host.address, config, env: options.env });
      const session = new Session(protocol, host, plugin, config, undefined as unknown as Readiness);
      (session as { readiness: Readiness }).readiness = await session.waitUntilReady(options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
      if (!session.readiness.ready) throw new SetupError(session.describeNotReady());
      return session;
    } catch (error) {
      await plugin?.stop(2_000);
      await host.close();
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
    const outcome = new Promise<CallOutcome<T>>((resolve) => {
      call = client[method](request, new grpc.Metadata(), callOptions, (error: grpc.ServiceError | null, response: T) => {
        clearTimeout(timer);
        const durationMs = Date.now() - started;
        const callbacks = this.host.journalSince(seqBefore);
        if (!error) return resolve({ ok: true, response, durationMs, callbacks });
        const status = timedOut
          ? { code: grpc.status.DEADLINE_EXCEEDED, codeName: HARNESS_TIMEOUT, details: `no answer within ${options.budgetMs ?? DEFAULT_CALL_BUDGET_MS} ms; the harness cancelled the call` }
          : { code: error.code, codeName: grpc.status[error.code] ?? String(error.code), details: error.details ?? error.message };
        resolve({ ok: false, status, durationMs, callbacks });
      });
      if (!options.deadlineMs) {
        timer = setTimeout(() => {
          timedOut = true;
          call?.cancel();
        }, options.budgetMs ?? DEFAULT_CALL_BUDGET_MS);
      }
    });
    return { outcome, cancel: () => call?.cancel() };
  }

  /** SIGTERM, then SIGKILL after `graceMs`; closes clients and the fake piped. */
  async stop(graceMs = 30_000): Promise<StopResult> {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
    try {
      return await this.plugin.stop(graceMs);
    } finally {
      await this.host.close();
    }
  }

  private client(service: ServiceKey): grpc.Client {
    let client = this.clients.get(service);
    if (!client) {
      client = new this.protocol.clients[service](this.plugin.address, grpc.credentials.createInsecure());
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
      if (outcome.ok) return { ready: true, waitedMs: Date.now() - started, deadlineMs, attempts };
      lastError = `${outcome.status.codeName}: ${outcome.status.details}`;
      if (exit) break;
      await Promise.race([delay(100), this.plugin.exited]);
      if (exit) break;
    }
    return { ready: false, waitedMs: Date.now() - started, deadlineMs, attempts, lastError, exit };
  }

  private describeNotReady(): string {
    const r = this.readiness;
    const output = this.plugin.recentOutput(40);
    const tail = output.length ? `\nLast ${output.length} line(s) of plugin output:\n  ${output.join('\n  ')}` : '\n(the plugin printed nothing)';
    if (r.exit) {
      const how = r.exit.signal ? `was killed by ${r.exit.signal}` : `exited with code ${r.exit.code}`;
      return `the plugin ${how} after ${r.waitedMs} ms, before it answered FetchDefinedStages on ${this.plugin.address}.${tail}`;
    }
    return (
      `the plugin did not answer FetchDefinedStages on ${this.plugin.address} within ${r.deadlineMs} ms ` +
      `(${r.attempts} attempt(s); last error ${r.lastError}). Does it serve plaintext gRPC on the \`port\` from --config?${tail}`
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

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

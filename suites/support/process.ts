// Plugin processes a suite starts on its own (bad configs, odd launches, shutdown): a fresh fake piped each, always
// cleaned up, every wait bounded. The scenarios gather facts; the checks in src/contract/checks judge them.
import * as grpc from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {
  BadConfigFacts, InterruptFacts, LaunchFacts, LoopbackFacts, LoopbackProbe, RenamedExecution, RenamedFacts, SignalStop,
} from '../../src/contract/checks/index.js';
import * as req from '../../src/generate/requests.js';
import { startFakePiped } from '../../src/host/index.js';
import type { FaultRule, RunningHost } from '../../src/host/types.js';
import { loadProtocol } from '../../src/protocol/load.js';
import { pipedPluginConfig, Session, type SessionOptions } from '../../src/session.js';
import type { CallOutcome } from '../../src/session-types.js';
import { BinaryLauncher } from '../../src/launch/binary.js';
import { freePort } from '../../src/launch/ports.js';
import type { ExitInfo, Launcher, PipedPluginConfig, RunningPlugin, StopSignal } from '../../src/launch/types.js';
import { appWithPipeline, deployTargetsFor, planFacts, type PlanFacts } from './facts.js';
import { runSpec, sessionOptions } from './shared.js';

/** One FetchDefinedStages attempt with a short deadline: answered OK, or the error. */
export async function probeFetchDefinedStages(address: string, deadlineMs = 300): Promise<{ answered: boolean; error?: string }> {
  const protocol = loadProtocol(runSpec().protoRoot);
  const client = new protocol.clients.deployment(address, grpc.credentials.createInsecure()) as any;
  try {
    return await new Promise((resolve) =>
      client.FetchDefinedStages({}, { deadline: Date.now() + deadlineMs }, (error: grpc.ServiceError | null) =>
        resolve(error ? { answered: false, error: `${grpc.status[error.code] ?? error.code}: ${error.details ?? error.message}` } : { answered: true }),
      ),
    );
  } finally {
    client.close();
  }
}

/** One FetchDefinedStages attempt with a short deadline: true when it answered OK. */
export async function answersFetchDefinedStages(address: string, deadlineMs = 300): Promise<boolean> {
  return (await probeFetchDefinedStages(address, deadlineMs)).answered;
}

/** Replaces piped's argv, e.g. to leave out a required flag (PROC-009). */
export type ArgvOf = (hostAddress: string, configText: string) => string[];

/**
 * Launches the plugin with `configText` as `--config` (and `argv` instead of piped's argv, when given) and watches it
 * for `waitMs`: did it exit, did it serve?
 */
export async function launchWithRawConfig(variant: string, configText: (port: number) => string, waitMs = 10_000, argv?: ArgvOf): Promise<BadConfigFacts> {
  const protocol = loadProtocol(runSpec().protoRoot);
  const host = await startFakePiped(protocol, { tools: runSpec().tools });
  const port = await freePort();
  const { launcher } = sessionOptions();
  let plugin: RunningPlugin | undefined;
  const started = Date.now();
  try {
    const config = configText(port);
    plugin = await launcher.start({ hostAddress: host.address, config, port, ...(argv ? { argv: argv(host.address, config) } : {}) });
    let exit: ExitInfo | undefined;
    void plugin.exited.then((info) => (exit = info));
    let served = false;
    // Serving is already the finding; waiting on for an exit that will not come only costs time.
    while (!exit && !served && Date.now() - started < waitMs) {
      served ||= await answersFetchDefinedStages(`127.0.0.1:${port}`);
      if (!exit) await Promise.race([plugin.exited, new Promise((r) => setTimeout(r, 200))]);
    }
    return { variant, exit, served, waitedMs: Date.now() - started };
  } finally {
    await plugin?.stop(2_000);
    await host.close();
  }
}

/** How long cleanup waits for an own process after SIGTERM; cleanup is not judged, so it need not be piped's 30 s. */
const CLEANUP_GRACE_MS = 2_000;

/** The run's `--config` for an own launch on `port`, as piped would send it. */
export function runConfig(port: number, url: string): PipedPluginConfig {
  return pipedPluginConfig(sessionOptions(), url, port);
}

/** Session options for an extra session: the run's plugin, but never the run's fixed fake-piped port (--host-port). */
export function ownSessionOptions(overrides: Partial<SessionOptions> = {}): SessionOptions {
  const { hostPort: _fixed, ...options } = sessionOptions(overrides) as SessionOptions & { hostPort?: number };
  return options;
}

/** What an own launch changes from piped's defaults. */
export interface OwnLaunch {
  /** The condition in words, for messages. */
  variant: string;
  /** The `--config` for the port the plugin should serve on; default: the run's config. */
  config?: (port: number, url: string) => PipedPluginConfig | string;
  launcher?: Launcher;
  env?: Record<string, string>;
  extendEnv?: boolean;
  cwd?: string;
  /**
   * Start the fake piped only this long after the plugin first tried to reach it, on the address already passed to
   * it (PROC-007). Counting from the first attempt, not from launch, keeps a slowly starting plugin (a loaded
   * machine) from meeting an already listening PluginService.
   */
  hostDelayMs?: number;
  /** Faults the fake applies from the first callback on, e.g. latency for start-up callbacks (PROC-019). */
  hostFaults?: FaultRule[];
}

/** How long a late-PluginService launch waits for the plugin's first connection attempt before counting anyway. */
const FIRST_ATTEMPT_WAIT_MS = 10_000;

/**
 * Stands in for a PluginService that is not up yet: every connection is reset at once, which a gRPC client treats
 * like a refused one (a transient failure, retried with backoff), and the first attempt is noted.
 */
async function resetConnections(port: number): Promise<{ firstAttempt: Promise<void>; close(): Promise<void> }> {
  let attempted!: () => void;
  const firstAttempt = new Promise<void>((resolve) => (attempted = resolve));
  const server = net.createServer((socket) => {
    attempted();
    socket.resetAndDestroy();
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
  return { firstAttempt, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Launches the plugin once under `launch`'s conditions, waits until it is ready, exits or times out; always stops it. */
export async function launchUntilReady(launch: OwnLaunch): Promise<LaunchFacts & { hostStartedAfterMs?: number }> {
  const spec = runSpec();
  const protocol = loadProtocol(spec.protoRoot);
  const launcher = launch.launcher ?? sessionOptions().launcher;
  const [hostPort, port] = [await freePort(), await freePort()];
  const startHost = async () => {
    const started = await startFakePiped(protocol, { port: hostPort, tools: spec.tools });
    if (launch.hostFaults) started.setFaults(launch.hostFaults);
    return started;
  };
  let host: RunningHost | undefined;
  let plugin: RunningPlugin | undefined;
  const placeholder = launch.hostDelayMs ? await resetConnections(hostPort) : undefined;
  try {
    if (!placeholder) host = await startHost();
    const config = (launch.config ?? runConfig)(port, launcher.url);
    const started = Date.now();
    plugin = await launcher.start({
      hostAddress: `127.0.0.1:${hostPort}`, config, port, env: launch.env, extendEnv: launch.extendEnv, cwd: launch.cwd, ...(host ? { sharedDirs: [host.toolsDir] } : {}),
    });
    let hostStartedAfterMs: number | undefined;
    if (placeholder) {
      await Promise.race([placeholder.firstAttempt, delay(FIRST_ATTEMPT_WAIT_MS), plugin.exited]);
      await Promise.race([delay(launch.hostDelayMs!), plugin.exited]);
      await placeholder.close();
      if (!plugin.exitInfo()) {
        host = await startHost();
        hostStartedAfterMs = Date.now() - started;
      }
    }
    const ready = await awaitReady(plugin, port, started, spec.readyTimeoutMs + (hostStartedAfterMs ?? 0));
    return { variant: launch.variant, ...ready, output: plugin.recentOutput(20), ...(hostStartedAfterMs === undefined ? {} : { hostStartedAfterMs }) };
  } finally {
    await plugin?.stop(CLEANUP_GRACE_MS);
    await placeholder?.close();
    await host?.close();
  }
}

/**
 * Polls FetchDefinedStages until it answers, the process exits, or the deadline passes. Both loopback addresses count
 * as ready here; which one `localhost` needs is PROC-004's question alone.
 */
async function awaitReady(plugin: RunningPlugin, port: number, started: number, deadlineMs: number): Promise<Omit<LaunchFacts, 'variant'>> {
  let lastError: string | undefined;
  while (Date.now() - started < deadlineMs && !plugin.exitInfo()) {
    for (const address of [`127.0.0.1:${port}`, `[::1]:${port}`]) {
      const probe = await probeFetchDefinedStages(address);
      if (probe.answered) return { ready: true, waitedMs: Date.now() - started, deadlineMs };
      lastError = probe.error;
    }
    await Promise.race([delay(100), plugin.exited]);
  }
  const exit = plugin.exitInfo();
  return { ready: false, waitedMs: Date.now() - started, deadlineMs, ...(exit ? { exit } : {}), ...(lastError ? { lastError } : {}) };
}

/** A fresh temporary folder for `use`, removed afterwards. */
export async function withTempDir<T>(prefix: string, use: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  try {
    return await use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** PROC-002: only PATH and HOME in the environment, an empty working directory, stdin /dev/null (always, see binary.ts). */
export function launchInBareEnvironment(): Promise<LaunchFacts> {
  const env = Object.fromEntries(['PATH', 'HOME'].flatMap((key) => (process.env[key] === undefined ? [] : [[key, process.env[key]!]])));
  return withTempDir('pc-proc002-', (cwd) =>
    launchUntilReady({ variant: 'only PATH and HOME in the environment, an empty working directory and stdin /dev/null', env, extendEnv: false, cwd }),
  );
}

/** PROC-003: the executable copied to `<tmp>/plugins/<name>` (mode 0755), alone in that folder, and run from there. */
export function launchAsInstalledCopy(executable: string): Promise<LaunchFacts> {
  return withTempDir('pc-proc003-', (dir) => {
    const pluginsDir = path.join(dir, 'plugins');
    mkdirSync(pluginsDir);
    const copy = path.join(pluginsDir, runSpec().pluginName);
    copyFileSync(executable, copy);
    chmodSync(copy, 0o755);
    // --config keeps the URL piped downloaded from; only the file on disk moved.
    const launcher = new BinaryLauncher(copy, { url: sessionOptions().launcher.url, pidFile: runSpec().pidFile, baseEnv: runSpec().pluginEnv });
    return launchUntilReady({ variant: `a copy of the executable at ${copy}, alone in its folder`, launcher });
  });
}

/** PROC-004: FetchDefinedStages on the running plugin's port via 127.0.0.1, ::1 and whatever `localhost` resolves to. */
export async function probeLoopbacks(port: number): Promise<LoopbackFacts> {
  const localhost = (await lookup('localhost', { all: true, verbatim: true }).catch(() => [])).map((a) => a.address);
  const hosts = [...new Set(['127.0.0.1', '::1', ...localhost])];
  const probes: LoopbackProbe[] = await Promise.all(
    hosts.map(async (host) => ({ host, ...(await probeFetchDefinedStages(host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`, 1_000)) })),
  );
  return { port, localhost, probes };
}

/** PROC-011: one own session stopped with SIGTERM, another with SIGINT, concurrently; each given piped's grace. */
export function stopWithEachSignal(signals: StopSignal[] = ['SIGTERM', 'SIGINT']): Promise<SignalStop[]> {
  const graceMs = runSpec().graceMs;
  return Promise.all(
    signals.map(async (signal) => {
      const session = await Session.start(ownSessionOptions());
      return { signal, result: await session.stop(graceMs, signal) };
    }),
  );
}

/** How long the stage gets to show it is running (its first callback) before SIGTERM is sent anyway. */
const STAGE_RUNNING_WAIT_MS = 5_000;
/** PROC-012's bound on the end of the call after SIGTERM: well before piped's grace period. */
const PROMPT_CANCEL_MS = 10_000;

/** 10 s, or half the grace period when that is shorter, so SIGKILL (at the grace period) can never end the call first. */
export function promptCancelBoundMs(graceMs: number): number {
  return Math.min(PROMPT_CANCEL_MS, Math.floor(graceMs / 2));
}

/** A planned stage that waits for approval: one nobody approves keeps running until cancelled. */
function waitingStage(plan: PlanFacts): any | undefined {
  const outcome = plan.pipeline.noRollback.outcome;
  const stages: any[] = outcome.ok ? outcome.response.stages ?? [] : [];
  const stage = stages.find((s) => !s.rollback && s.available_operation === 'MANUAL_OPERATION_APPROVE');
  return stage && req.assignStageIds([stage])[0];
}

export type Interrupted = { facts: InterruptFacts } | { unsupported: string };

/**
 * PROC-012/013: an own plugin executes a stage that waits for an approval that never comes; once the stage made its
 * first callback (or after a few seconds), SIGTERM. Facts: when the ExecuteStage call ended, how the process
 * stopped, and the callbacks for the deployment.
 */
export async function interruptWaitingStage(shared: Session): Promise<Interrupted> {
  const plan = await planFacts(shared);
  const stage = waitingStage(plan);
  if (!stage) return { unsupported: 'the plugin plans no stage that waits for approval (available_operation MANUAL_OPERATION_APPROVE)' };
  const graceMs = runSpec().graceMs;
  const boundMs = promptCancelBoundMs(graceMs);
  const own = await Session.start(ownSessionOptions());
  try {
    const dep = req.deployment({ ids: req.freshIds(), pluginName: own.config.name, deployTargets: deployTargetsFor(own, plan.kind), stages: [stage], status: 'DEPLOYMENT_PLANNED', syncStrategy: 'PIPELINE' });
    const sources = own.workspace.sources(plan.app, true);
    const stageConfig = plan.pipelineStages.find((s) => s.index === stage.index)?.with ?? {};
    const caseId = 'PROC-012/013 SIGTERM mid-stage';
    own.host.openDeployment(dep, caseId);
    const running = own.host.waitForArrival((c) => c.request?.deployment_id === dep.id, STAGE_RUNNING_WAIT_MS);
    const { outcome } = own.callCancellable('deployment', 'ExecuteStage', req.executeRequest(dep, stage, stageConfig, sources.target, sources.running), { caseId, budgetMs: graceMs + boundMs + 10_000 });
    let endedAt: number | undefined;
    void outcome.then(() => (endedAt = Date.now()));
    await Promise.race([running, outcome]);
    if (endedAt !== undefined) return { unsupported: `the approval stage ${JSON.stringify(stage.name)} ended before it could be interrupted (${resultText(await outcome)})` };
    const sigtermAt = Date.now();
    const stopping = own.plugin.stop(graceMs);
    await Promise.race([outcome, delay(boundMs)]);
    const callEndedAfterMs = endedAt === undefined ? undefined : (endedAt as number) - sigtermAt;
    const stop = await stopping;
    const callResult = resultText(await outcome);
    const callbacks = own.host.journal().filter((e) => e.request?.deployment_id === dep.id);
    return { facts: { stage: { name: stage.name, id: stage.id }, deploymentId: dep.id, boundMs, callEndedAfterMs, callResult, stop, callbacks } };
  } finally {
    await own.stop(CLEANUP_GRACE_MS);
  }
}

function resultText(outcome: CallOutcome): string {
  return outcome.ok ? `OK ${outcome.response?.status ?? ''}`.trim() : `${outcome.status.codeName}: ${outcome.status.details}`;
}

/** A forward stage that needs no approval, from the plugin's own pipeline plan. */
function simpleStage(plan: PlanFacts): any | undefined {
  const outcome = plan.pipeline.noRollback.outcome;
  const stages: any[] = outcome.ok ? outcome.response.stages ?? [] : [];
  const stage = stages.find((s) => !s.rollback && s.available_operation !== 'MANUAL_OPERATION_APPROVE');
  return stage && req.assignStageIds([stage])[0];
}

/** Executes `stage` alone in a fresh deployment of `session`, with deploy targets keyed by the session's own name. */
async function executeStageOf(session: Session, plan: PlanFacts, stage: any, caseId: string): Promise<CallOutcome> {
  const app = appWithPipeline(session.config.name, plan.pipelineStages);
  const dep = req.deployment({ ids: req.freshIds(), pluginName: session.config.name, deployTargets: deployTargetsFor(session, plan.kind), stages: [stage], status: 'DEPLOYMENT_PLANNED', syncStrategy: 'PIPELINE' });
  const sources = session.workspace.sources(app, true);
  const stageConfig = plan.pipelineStages.find((s) => s.index === stage.index)?.with ?? {};
  session.host.openDeployment(dep, caseId);
  try {
    return await session.call('deployment', 'ExecuteStage', req.executeRequest(dep, stage, stageConfig, sources.target, sources.running), { caseId, budgetMs: 120_000 });
  } finally {
    session.host.closeDeployment(dep.id);
  }
}

/**
 * CONF-003: an own plugin launched as `conf-<random>` executes a simple stage (targets keyed by that name) and, for a
 * deployment plugin, answers GetLivestate; the same stage also runs on the shared plugin as the baseline.
 */
export async function runUnderRandomName(shared: Session): Promise<RenamedFacts> {
  const plan = await planFacts(shared);
  const name = `conf-${randomBytes(4).toString('hex')}`;
  const stage = simpleStage(plan);
  const own = await Session.start(ownSessionOptions({ pluginName: name }));
  try {
    const caseId = 'CONF-003 random plugin name';
    let execution: RenamedExecution | undefined;
    if (stage) {
      const [usual, renamed] = await Promise.all([executeStageOf(shared, plan, stage, caseId), executeStageOf(own, plan, stage, caseId)]);
      execution = { stageName: stage.name, deployTargets: deployTargetsFor(own, plan.kind) ?? [], usual, renamed };
    }
    const livestate = plan.kind === 'deployment' ? await livestateOf(own, plan) : undefined;
    return { name, usualName: shared.config.name, callbacks: [...own.host.journal()], ...(execution ? { execution } : {}), ...(livestate ? { livestate } : {}) };
  } finally {
    await own.stop(CLEANUP_GRACE_MS);
  }
}

function livestateOf(session: Session, plan: PlanFacts): Promise<CallOutcome> {
  const app = appWithPipeline(session.config.name, plan.pipelineStages);
  const request = req.livestateRequest(req.freshIds(), app, deployTargetsFor(session, plan.kind) ?? [], session.workspace.source(app));
  return session.call('livestate', 'GetLivestate', request, { caseId: 'CONF-003 random plugin name' });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Process-contract checks (PROC): how the plugin starts, rejects bad input, stays up and stops.
import type { JournalEntry } from '../../host/types.js';
import { describeViolations } from '../../protocol/validate.js';
import type { CallRecord } from '../../session-types.js';
import type { ExitInfo, StopResult, StopSignal } from '../../launch/types.js';
import type { Violation } from '../violation.js';
import { entryLabel, logKeyText, violation } from './common.js';

/** Facts of the start-up wait: did FetchDefinedStages answer OK, and how long did it take. */
export interface ReadinessFacts {
  ready: boolean;
  waitedMs: number;
  deadlineMs: number;
  lastError?: string;
  exit?: ExitInfo;
}

/** What happened to a plugin launched with a deliberately broken `--config`. */
export interface BadConfigFacts {
  variant: string;
  /** Undefined when it was still running at the end of the wait. */
  exit?: ExitInfo;
  /** True when FetchDefinedStages answered OK at some point. */
  served: boolean;
  waitedMs: number;
}

function exitText(exit: ExitInfo): string {
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}

/** PROC-001: launched with exactly `start --piped-plugin-service <addr> --config <json>`, the plugin starts serving. */
export function checkStartsWithPipedArgv(argv: readonly string[], readiness: ReadinessFacts): Violation[] {
  const shapeOk = argv.length === 5 && argv[0] === 'start' && argv[1] === '--piped-plugin-service' && argv[3] === '--config';
  if (!shapeOk) return [violation('PROC-001', `harness bug: launched with unexpected argv ${JSON.stringify(argv)}`)];
  if (readiness.ready) return [];
  const why = readiness.exit ? `the process ended (${exitText(readiness.exit)})` : `last error: ${readiness.lastError ?? 'none'}`;
  return [violation('PROC-001', `the plugin did not start serving when launched as piped does; ${why}`, { argv })];
}

/** PROC-005: the harness dials plaintext (as piped does); readiness over plaintext proves h2c serving. */
export function checkServesPlaintext(readiness: ReadinessFacts): Violation[] {
  return readiness.ready ? [] : [violation('PROC-005', `no plaintext gRPC answer from the plugin; last error: ${readiness.lastError ?? 'none'}`)];
}

/** PROC-006: ready (first OK FetchDefinedStages) without any prior RPC, within the deadline. */
export function checkReadyInTime(readiness: ReadinessFacts): Violation[] {
  if (readiness.ready && readiness.waitedMs <= readiness.deadlineMs) return [];
  return [violation('PROC-006', `FetchDefinedStages did not answer OK within ${readiness.deadlineMs} ms of launch (waited ${readiness.waitedMs} ms)`)];
}

/** PROC-008: a bad `--config` makes the plugin exit non-zero without ever serving. */
export function checkRejectsBadConfig(facts: BadConfigFacts): Violation[] {
  const out: Violation[] = [];
  if (facts.served) out.push(violation('PROC-008', `with ${facts.variant}, the plugin served FetchDefinedStages instead of refusing to start`));
  if (!facts.exit) out.push(violation('PROC-008', `with ${facts.variant}, the plugin was still running after ${facts.waitedMs} ms; it should exit non-zero`));
  else if (facts.exit.code === 0) out.push(violation('PROC-008', `with ${facts.variant}, the plugin exited with code 0; a bad config must give a non-zero exit`));
  return out;
}

/** PROC-010: after SIGTERM the plugin exits within the grace period (else piped SIGKILLs it). */
export function checkStopsWithinGrace(stop: StopResult, graceMs: number): Violation[] {
  if (!stop.killed && stop.elapsedMs <= graceMs) return [];
  return [violation('PROC-010', `the plugin did not exit within ${graceMs} ms of SIGTERM${stop.killed ? ' and had to be SIGKILLed' : ` (took ${stop.elapsedMs} ms)`}`, stop)];
}

/** PROC-014: the plugin never exits on its own while piped is alive (piped never restarts it). */
export function checkNoUnexpectedExit(exit: ExitInfo | undefined, recentOutput: string[] = []): Violation[] {
  if (!exit || exit.requested) return [];
  return [violation('PROC-014', `the plugin exited on its own (${exitText(exit)}) while the harness was still using it; piped would never restart it`, { lastOutput: recentOutput.slice(-10) })];
}

/** A launch made to see whether the plugin becomes ready under one condition (PROC-002/003/007/019, CONF-001/002/005). */
export interface LaunchFacts {
  /** What was special about the launch, in words, e.g. `a scrubbed environment`. */
  variant: string;
  ready: boolean;
  /** ms from launch to the first OK FetchDefinedStages, or to giving up. */
  waitedMs: number;
  deadlineMs: number;
  exit?: ExitInfo;
  lastError?: string;
  /** The plugin's last output lines, shown when it did not become ready. */
  output?: string[];
}

/** Why a launch did not become ready, in words: `exited with code 1 after 420 ms` or `did not answer … within …`. */
export function notReadyText(facts: LaunchFacts): string {
  if (facts.exit) return `${exitText(facts.exit).replace(/^exit code/, 'exited with code')} after ${facts.waitedMs} ms without answering FetchDefinedStages`;
  return `did not answer FetchDefinedStages within ${facts.deadlineMs} ms (last error: ${facts.lastError ?? 'none'})`;
}

/** The violation for a launch that should have become ready; `why` says what piped relies on. */
export function notReadyViolation(rule: string, facts: LaunchFacts, why: string): Violation[] {
  if (facts.ready) return [];
  const evidence = facts.output?.length ? { lastOutput: facts.output.slice(-10) } : undefined;
  return [violation(rule, `with ${facts.variant}, the plugin ${notReadyText(facts)}; ${why}`, evidence)];
}

/** PROC-002: ready with only PATH and HOME in the environment, an empty working directory and stdin /dev/null. */
export function checkStartsInBareEnvironment(facts: LaunchFacts): Violation[] {
  return notReadyViolation('PROC-002', facts, 'piped passes no flag, environment variable, working directory or stdin data of its own');
}

/** PROC-003: ready when run as a copy named after the plugin, alone in its folder (how piped installs plugins). */
export function checkRunsAsInstalledCopy(facts: LaunchFacts): Violation[] {
  return notReadyViolation('PROC-003', facts, 'piped runs the plugin as a single file copied to <pluginsDir>/<name>, with no sibling files');
}

/** One dial of FetchDefinedStages on a loopback address. */
export interface LoopbackProbe {
  /** `127.0.0.1` or `::1` (or another address `localhost` resolved to). */
  host: string;
  answered: boolean;
  error?: string;
}

/** Where the plugin answered, and what `localhost` resolves to on this machine (PROC-004). */
export interface LoopbackFacts {
  port: number;
  /** The addresses `localhost` resolves to, in the resolver's order; piped dials `localhost:<port>`. */
  localhost: string[];
  probes: LoopbackProbe[];
}

/** `answers on 127.0.0.1 and ::1` / `answers on ::1 only` / `answers on no loopback address`, for reports. */
export function loopbackSummary(facts: LoopbackFacts): string {
  const answered = facts.probes.filter((p) => p.answered).map((p) => p.host);
  const tried = facts.probes.map((p) => p.host);
  if (!answered.length) return `port ${facts.port} answers on no loopback address (tried ${tried.join(', ')})`;
  const only = answered.length < tried.length ? ' only' : '';
  return `port ${facts.port} answers on ${answered.join(' and ')}${only}; \`localhost\` resolves to ${facts.localhost.join(', ') || 'nothing'}`;
}

/** PROC-004: the address `localhost` resolves to first (the one piped tries first) answers on config.port. */
export function checkReachableAsLocalhost(facts: LoopbackFacts): Violation[] {
  const first = facts.localhost[0] ?? '127.0.0.1';
  const probe = facts.probes.find((p) => p.host === first);
  if (probe?.answered) return [];
  const why = probe ? `FetchDefinedStages on ${hostPort(first, facts.port)} failed (${probe.error ?? 'no answer'})` : `the harness did not dial ${first}`;
  return [violation('PROC-004', `\`localhost\` resolves to ${first} first, which piped dials, but ${why}; ${loopbackSummary(facts)}. Listen on all interfaces (\`:port\`, as the SDK does) or on both loopback addresses`, facts)];
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A launch whose PluginService came up only `hostDelayMs` after the plugin first tried to reach it (PROC-007). */
export interface LateHostFacts extends LaunchFacts {
  hostDelayMs: number;
  /** ms from launch until the PluginService listened; undefined when the plugin exited before that. */
  hostStartedAfterMs?: number;
}

/** PROC-007: the plugin waits for (or retries) an unreachable PluginService instead of exiting. */
export function checkWaitsForPluginService(facts: LateHostFacts): Violation[] {
  const why = facts.hostStartedAfterMs === undefined ? 'it gave up before the PluginService came up; ' : '';
  return notReadyViolation(
    'PROC-007',
    { ...facts, variant: `the PluginService unreachable until ${facts.hostDelayMs} ms after the plugin first tried it` },
    `${why}wait or retry until the PluginService answers, as the SDK blocks on the dial`,
  );
}

/** PROC-009: without a required flag the plugin exits non-zero without serving. */
export function checkRejectsMissingFlag(facts: BadConfigFacts): Violation[] {
  const out: Violation[] = [];
  if (facts.served) out.push(violation('PROC-009', `launched ${facts.variant}, the plugin served FetchDefinedStages instead of refusing to start`));
  if (!facts.exit) out.push(violation('PROC-009', `launched ${facts.variant}, the plugin was still running after ${facts.waitedMs} ms; it should exit non-zero`));
  else if (facts.exit.code === 0) out.push(violation('PROC-009', `launched ${facts.variant}, the plugin exited with code 0; a missing required flag must give a non-zero exit`));
  return out;
}

/** How one graceful stop went (PROC-011). */
export interface SignalStop {
  signal: StopSignal;
  result: StopResult;
}

/** PROC-011: after a graceful SIGTERM or SIGINT the plugin exits by itself with code 0. */
export function checkExitsZeroAfterSignal(stops: SignalStop[]): Violation[] {
  return stops.flatMap(({ signal, result }) => {
    if (!result.killed && result.code === 0) return [];
    const how = result.killed ? `did not exit within ${result.elapsedMs} ms and was SIGKILLed` : result.signal ? `was ended by ${result.signal} (no exit code)` : `exited with code ${result.code}`;
    return [violation('PROC-011', `after ${signal}, the plugin ${how}; a graceful stop should end with exit code 0`, result)];
  });
}

/** An ExecuteStage in flight on a waiting stage when SIGTERM arrived (PROC-012, PROC-013). */
export interface InterruptFacts {
  stage: { name: string; id: string };
  deploymentId: string;
  /** How long the call may take to end after SIGTERM. */
  boundMs: number;
  /** ms from SIGTERM to the end of the ExecuteStage call (answer or broken stream); undefined if it outlived the bound. */
  callEndedAfterMs?: number;
  /** The call's result in words, e.g. `OK STAGE_FAILURE` or `UNAVAILABLE: …`. */
  callResult?: string;
  stop: StopResult;
  /** Every PluginService call the plugin made for the deployment. */
  callbacks: JournalEntry[];
}

/** PROC-012: on SIGTERM, in-flight handlers are cancelled, so the waiting stage's call ends within the bound. */
export function checkCancelsInFlightOnSigterm(facts: InterruptFacts): Violation[] {
  if (facts.callEndedAfterMs !== undefined && facts.callEndedAfterMs <= facts.boundMs) return [];
  const when = facts.callEndedAfterMs === undefined ? `had not ended ${facts.boundMs} ms after SIGTERM` : `ended only ${facts.callEndedAfterMs} ms after SIGTERM (bound ${facts.boundMs} ms)`;
  const kill = facts.stop.killed ? `; the process had to be SIGKILLed after ${facts.stop.elapsedMs} ms` : '';
  return [violation('PROC-012', `ExecuteStage of the waiting stage ${JSON.stringify(facts.stage.name)} ${when}${kill}; cancel in-flight handlers on SIGTERM so long stages return promptly`, { callResult: facts.callResult, stop: facts.stop })];
}

/** PROC-013: the stage log of a stage interrupted by SIGTERM is not sealed with completed=true. */
export function checkInterruptedLogLeftOpen(facts: InterruptFacts): Violation[] {
  return facts.callbacks
    .filter((e) => e.rpc === 'ReportStageLogsFromLastCheckpoint' && e.request?.completed === true)
    .filter((e) => e.request?.deployment_id === facts.deploymentId && e.request?.stage_id === facts.stage.id)
    .map((e) => violation('PROC-013', `${entryLabel(e)} marked the log of ${logKeyText(e.request)} completed, but the stage was interrupted by SIGTERM; leave it open so a restarted piped can keep appending`));
}

/** gRPC's default receive limit, kept by piped for plugin answers and for PluginService requests (CATALOGUE §1.7). */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** grpc-js's (and grpc-go's) words for a message refused for its size. */
const TOO_LARGE = /larger than max/i;

/** PROC-018: no callback request above 4 MiB, and no answer the harness refused for its size. */
export function checkMessageSizes(callbacks: readonly JournalEntry[], calls: readonly CallRecord[]): Violation[] {
  const bigRequests = callbacks
    .filter((e) => (e.requestBytes ?? 0) > MAX_MESSAGE_BYTES)
    .map((e) => violation('PROC-018', `${entryLabel(e)}: the request is ${e.requestBytes} bytes, over the 4 MiB (${MAX_MESSAGE_BYTES}) piped accepts; piped refuses it with RESOURCE_EXHAUSTED`));
  const bigAnswers = calls
    .filter((c) => !c.ok && c.status?.codeName === 'RESOURCE_EXHAUSTED' && TOO_LARGE.test(c.status.details))
    .map((c) => violation('PROC-018', `the answer to ${c.service}.${c.method} was over 4 MiB and refused (${c.status!.details}); piped refuses it the same way`));
  return [...bigRequests, ...bigAnswers];
}

/** PROC-019: PluginService calls made before the plugin was ready are valid requests. */
export function checkStartupCallbacksValid(journal: readonly JournalEntry[], readyAt: number): Violation[] {
  return journal
    .filter((e) => e.time < readyAt && e.violations.length > 0)
    .map((e) => violation('PROC-019', `${entryLabel(e)}, made during start-up, breaks its validate rules: ${describeViolations(e.violations)}`, { request: e.request }));
}

/** A launch whose start-up callbacks the fake answered only after `delayMs` (PROC-019). */
export interface SlowStartupFacts extends LaunchFacts {
  delayMs: number;
}

/** PROC-019: the plugin still becomes ready when its start-up callbacks are answered slowly. */
export function checkReadyDespiteSlowStartupCallbacks(facts: SlowStartupFacts): Violation[] {
  return notReadyViolation('PROC-019', facts, `start-up callbacks may be slow (piped's InstallTool downloads tools); wait for them rather than give up`);
}

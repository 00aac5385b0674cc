// Process-contract checks (PROC): how the plugin starts, rejects bad input, stays up and stops.
import type { ExitInfo, StopResult } from '../../target/types.js';
import type { Violation } from '../violation.js';
import { violation } from './common.js';

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

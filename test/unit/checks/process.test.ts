import { describe, it, expect } from 'vitest';
import {
  checkNoUnexpectedExit,
  checkReadyInTime,
  checkRejectsBadConfig,
  checkServesPlaintext,
  checkStartsWithPipedArgv,
  checkStopsWithinGrace,
  type ReadinessFacts,
} from '../../../src/contract/checks/process.js';

const ARGV = ['start', '--piped-plugin-service', '127.0.0.1:4000', '--config', '{"name":"p","url":"file:///p","port":5000}'];

function readiness(overrides: Partial<ReadinessFacts> = {}): ReadinessFacts {
  return { ready: true, waitedMs: 120, deadlineMs: 30_000, ...overrides };
}

describe('process checks', () => {
  it('PROC-001 passes when the plugin started serving with piped argv', () => {
    expect(checkStartsWithPipedArgv(ARGV, readiness())).toEqual([]);
  });

  it('PROC-001 flags a plugin that exited instead of serving, naming the exit code', () => {
    const found = checkStartsWithPipedArgv(ARGV, readiness({ ready: false, exit: { code: 2, signal: null, requested: false } }));
    expect(found.map((v) => v.rule)).toEqual(['PROC-001']);
    expect(found[0].message).toContain('did not start serving');
    expect(found[0].message).toContain('exit code 2');
    expect(found[0].evidence).toEqual({ argv: ARGV });
  });

  it('PROC-001 flags a plugin killed by a signal, naming the signal', () => {
    const found = checkStartsWithPipedArgv(ARGV, readiness({ ready: false, exit: { code: null, signal: 'SIGSEGV', requested: false } }));
    expect(found.map((v) => v.rule)).toEqual(['PROC-001']);
    expect(found[0].message).toContain('killed by SIGSEGV');
  });

  it('PROC-001 flags a plugin still not serving, quoting the last dial error', () => {
    const found = checkStartsWithPipedArgv(ARGV, readiness({ ready: false, lastError: 'UNAVAILABLE: connection refused' }));
    expect(found.map((v) => v.rule)).toEqual(['PROC-001']);
    expect(found[0].message).toContain('last error: UNAVAILABLE: connection refused');
  });

  it('PROC-001 reports a harness bug when argv is not the piped shape', () => {
    const found = checkStartsWithPipedArgv(['start', '--config', '{}'], readiness());
    expect(found.map((v) => v.rule)).toEqual(['PROC-001']);
    expect(found[0].message).toContain('harness bug');
    expect(found[0].message).toContain('["start","--config","{}"]');
  });

  it('PROC-005 passes when readiness over plaintext succeeded', () => {
    expect(checkServesPlaintext(readiness())).toEqual([]);
  });

  it('PROC-005 flags no plaintext answer, quoting the last error', () => {
    const found = checkServesPlaintext(readiness({ ready: false, lastError: 'Protocol error: TLS handshake expected' }));
    expect(found.map((v) => v.rule)).toEqual(['PROC-005']);
    expect(found[0].message).toContain('no plaintext gRPC answer');
    expect(found[0].message).toContain('Protocol error: TLS handshake expected');
  });

  it('PROC-005 says "none" when there was no error to quote', () => {
    const found = checkServesPlaintext(readiness({ ready: false }));
    expect(found[0].message).toContain('last error: none');
  });

  it('PROC-006 passes when ready within the deadline (boundary included)', () => {
    expect(checkReadyInTime(readiness({ waitedMs: 500, deadlineMs: 1000 }))).toEqual([]);
    expect(checkReadyInTime(readiness({ waitedMs: 1000, deadlineMs: 1000 }))).toEqual([]);
  });

  it('PROC-006 flags a plugin that became ready after the deadline, with both times', () => {
    const found = checkReadyInTime(readiness({ waitedMs: 1500, deadlineMs: 1000 }));
    expect(found.map((v) => v.rule)).toEqual(['PROC-006']);
    expect(found[0].message).toContain('within 1000 ms');
    expect(found[0].message).toContain('waited 1500 ms');
  });

  it('PROC-006 flags a plugin that never became ready', () => {
    const found = checkReadyInTime(readiness({ ready: false, waitedMs: 1000, deadlineMs: 1000 }));
    expect(found.map((v) => v.rule)).toEqual(['PROC-006']);
    expect(found[0].message).toContain('waited 1000 ms');
  });

  it('PROC-008 passes when a bad config gives a non-zero exit without serving', () => {
    expect(checkRejectsBadConfig({ variant: 'malformed JSON', exit: { code: 1, signal: null, requested: false }, served: false, waitedMs: 80 })).toEqual([]);
  });

  it('PROC-008 flags exit code 0 on a bad config, naming the variant', () => {
    const found = checkRejectsBadConfig({ variant: 'malformed JSON', exit: { code: 0, signal: null, requested: false }, served: false, waitedMs: 80 });
    expect(found.map((v) => v.rule)).toEqual(['PROC-008']);
    expect(found[0].message).toContain('with malformed JSON');
    expect(found[0].message).toContain('exited with code 0');
  });

  it('PROC-008 flags a plugin that served and kept running on a bad config', () => {
    const found = checkRejectsBadConfig({ variant: 'port missing', served: true, waitedMs: 5000 });
    expect(found.map((v) => v.rule)).toEqual(['PROC-008', 'PROC-008']);
    expect(found[0].message).toContain('served FetchDefinedStages');
    expect(found[1].message).toContain('still running after 5000 ms');
  });

  it('PROC-010 passes when the plugin exits on SIGTERM within the grace period', () => {
    expect(checkStopsWithinGrace({ code: 0, signal: null, requested: true, elapsedMs: 40, killed: false }, 1000)).toEqual([]);
  });

  it('PROC-010 flags a plugin that needed SIGKILL', () => {
    const stop = { code: null, signal: 'SIGKILL', requested: true, elapsedMs: 1003, killed: true };
    const found = checkStopsWithinGrace(stop, 1000);
    expect(found.map((v) => v.rule)).toEqual(['PROC-010']);
    expect(found[0].message).toContain('within 1000 ms of SIGTERM');
    expect(found[0].message).toContain('had to be SIGKILLed');
    expect(found[0].evidence).toEqual(stop);
  });

  it('PROC-010 flags a plugin that exited after the grace period, with the time it took', () => {
    const found = checkStopsWithinGrace({ code: 0, signal: null, requested: true, elapsedMs: 1200, killed: false }, 1000);
    expect(found.map((v) => v.rule)).toEqual(['PROC-010']);
    expect(found[0].message).toContain('took 1200 ms');
  });

  it('PROC-014 passes while the plugin is running or when the harness stopped it', () => {
    expect(checkNoUnexpectedExit(undefined)).toEqual([]);
    expect(checkNoUnexpectedExit({ code: null, signal: 'SIGTERM', requested: true })).toEqual([]);
  });

  it('PROC-014 flags a plugin that exited on its own, with its exit code and last output', () => {
    const found = checkNoUnexpectedExit({ code: 3, signal: null, requested: false }, ['panic: boom']);
    expect(found.map((v) => v.rule)).toEqual(['PROC-014']);
    expect(found[0].message).toContain('exited on its own (exit code 3)');
    expect(found[0].evidence).toEqual({ lastOutput: ['panic: boom'] });
  });

  it('PROC-014 flags a plugin killed by a signal it did not get from the harness', () => {
    const found = checkNoUnexpectedExit({ code: null, signal: 'SIGABRT', requested: false });
    expect(found.map((v) => v.rule)).toEqual(['PROC-014']);
    expect(found[0].message).toContain('killed by SIGABRT');
  });
});

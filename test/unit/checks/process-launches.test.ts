// Unit tests of the process checks that judge the harness's own launches (PROC-002…019).
import { describe, expect, it } from 'vitest';
import {
  checkCancelsInFlightOnSigterm,
  checkExitsZeroAfterSignal,
  checkInterruptedLogLeftOpen,
  checkMessageSizes,
  checkReachableAsLocalhost,
  checkReadyDespiteSlowStartupCallbacks,
  checkRejectsMissingFlag,
  checkRunsAsInstalledCopy,
  checkStartsInBareEnvironment,
  checkStartupCallbacksValid,
  checkWaitsForPluginService,
  loopbackSummary,
  MAX_MESSAGE_BYTES,
  type InterruptFacts,
  type LaunchFacts,
  type LoopbackFacts,
} from '../../../src/contract/checks/process.js';
import type { CallRecord } from '../../../src/session-types.js';
import { journalEntry } from './fixtures.js';

function launch(overrides: Partial<LaunchFacts> = {}): LaunchFacts {
  return { variant: 'a test launch', ready: true, waitedMs: 300, deadlineMs: 30_000, ...overrides };
}

const EXITED_1 = { code: 1, signal: null, requested: false };

describe('PROC-002 bare environment', () => {
  it('PROC-002 passes when the plugin became ready', () => {
    expect(checkStartsInBareEnvironment(launch())).toEqual([]);
  });

  it('PROC-002 flags a plugin that exited, with the variant, the exit code and its last output', () => {
    const found = checkStartsInBareEnvironment(launch({ variant: 'only PATH and HOME set', ready: false, exit: EXITED_1, waitedMs: 420, output: ['error: $KUBECONFIG not set'] }));
    expect(found.map((v) => v.rule)).toEqual(['PROC-002']);
    expect(found[0].message).toContain('with only PATH and HOME set, the plugin exited with code 1 after 420 ms');
    expect(found[0].evidence).toEqual({ lastOutput: ['error: $KUBECONFIG not set'] });
  });

  it('PROC-002 flags a plugin that never answered, quoting the last error', () => {
    const found = checkStartsInBareEnvironment(launch({ ready: false, waitedMs: 30_000, lastError: 'UNAVAILABLE: connection refused' }));
    expect(found[0].message).toContain('did not answer FetchDefinedStages within 30000 ms (last error: UNAVAILABLE: connection refused)');
  });
});

describe('PROC-003 installed copy', () => {
  it('PROC-003 passes when the copy became ready', () => {
    expect(checkRunsAsInstalledCopy(launch())).toEqual([]);
  });

  it('PROC-003 flags a copy that could not start, saying how piped installs plugins', () => {
    const found = checkRunsAsInstalledCopy(launch({ variant: 'a copy at /tmp/x/plugins/p', ready: false, exit: EXITED_1 }));
    expect(found.map((v) => v.rule)).toEqual(['PROC-003']);
    expect(found[0].message).toContain('<pluginsDir>/<name>');
  });
});

describe('PROC-004 localhost', () => {
  const facts = (answered: Record<string, boolean>, localhost = ['127.0.0.1']): LoopbackFacts => ({
    port: 7000,
    localhost,
    probes: Object.entries(answered).map(([host, ok]) => ({ host, answered: ok, ...(ok ? {} : { error: 'UNAVAILABLE: connection refused' }) })),
  });

  it('PROC-004 passes when the first address of localhost answers, even if the other does not', () => {
    expect(checkReachableAsLocalhost(facts({ '127.0.0.1': true, '::1': false }))).toEqual([]);
    expect(checkReachableAsLocalhost(facts({ '127.0.0.1': false, '::1': true }, ['::1', '127.0.0.1']))).toEqual([]);
  });

  it('PROC-004 flags a plugin that answers on ::1 only where localhost resolves to 127.0.0.1', () => {
    const found = checkReachableAsLocalhost(facts({ '127.0.0.1': false, '::1': true }));
    expect(found.map((v) => v.rule)).toEqual(['PROC-004']);
    expect(found[0].message).toContain('resolves to 127.0.0.1 first');
    expect(found[0].message).toContain('127.0.0.1:7000 failed (UNAVAILABLE: connection refused)');
    expect(found[0].message).toContain('answers on ::1 only');
  });

  it('PROC-004 brackets an IPv6 address and falls back to 127.0.0.1 when localhost resolved to nothing', () => {
    expect(checkReachableAsLocalhost(facts({ '127.0.0.1': true, '::1': false }, []))).toEqual([]);
    const found = checkReachableAsLocalhost(facts({ '127.0.0.1': true, '::1': false }, ['::1']));
    expect(found[0].message).toContain('[::1]:7000 failed');
  });

  it('PROC-004 summarises where the plugin answered', () => {
    expect(loopbackSummary(facts({ '127.0.0.1': true, '::1': true }))).toBe('port 7000 answers on 127.0.0.1 and ::1; `localhost` resolves to 127.0.0.1');
    expect(loopbackSummary(facts({ '127.0.0.1': false, '::1': false }))).toBe('port 7000 answers on no loopback address (tried 127.0.0.1, ::1)');
  });
});

describe('PROC-007 late PluginService', () => {
  it('PROC-007 passes when the plugin became ready after the PluginService came up', () => {
    expect(checkWaitsForPluginService({ ...launch({ waitedMs: 3_900 }), hostDelayMs: 3_000, hostStartedAfterMs: 3_500 })).toEqual([]);
  });

  it('PROC-007 flags a plugin that exited before the PluginService came up', () => {
    const found = checkWaitsForPluginService({ ...launch({ ready: false, exit: EXITED_1, waitedMs: 1_600 }), hostDelayMs: 3_000 });
    expect(found.map((v) => v.rule)).toEqual(['PROC-007']);
    expect(found[0].message).toContain('with the PluginService unreachable until 3000 ms after the plugin first tried it, the plugin exited with code 1 after 1600 ms');
    expect(found[0].message).toContain('; it gave up before the PluginService came up; wait or retry');
  });

  it('PROC-007 flags a plugin still not ready after the PluginService came up, without the "before" remark', () => {
    const found = checkWaitsForPluginService({ ...launch({ ready: false, waitedMs: 30_000, lastError: 'UNAVAILABLE' }), hostDelayMs: 3_000, hostStartedAfterMs: 3_400 });
    expect(found[0].message).not.toContain('gave up before');
  });
});

describe('PROC-009 missing flags', () => {
  const exit = (code: number) => ({ code, signal: null, requested: false });

  it('PROC-009 passes on a non-zero exit without serving', () => {
    expect(checkRejectsMissingFlag({ variant: 'without --config', exit: exit(1), served: false, waitedMs: 90 })).toEqual([]);
  });

  it('PROC-009 flags exit code 0, naming the missing flag', () => {
    const found = checkRejectsMissingFlag({ variant: 'without --piped-plugin-service', exit: exit(0), served: false, waitedMs: 90 });
    expect(found.map((v) => v.rule)).toEqual(['PROC-009']);
    expect(found[0].message).toContain('launched without --piped-plugin-service, the plugin exited with code 0');
  });

  it('PROC-009 flags a plugin that kept running and served', () => {
    const found = checkRejectsMissingFlag({ variant: 'without --config', served: true, waitedMs: 10_000 });
    expect(found.map((v) => v.rule)).toEqual(['PROC-009', 'PROC-009']);
    expect(found[1].message).toContain('still running after 10000 ms');
  });
});

describe('PROC-011 exit code', () => {
  const stopped = (code: number | null, extra: Partial<{ signal: string | null; killed: boolean }> = {}) => ({ code, signal: null, requested: true, elapsedMs: 50, killed: false, ...extra });

  it('PROC-011 passes on exit code 0 after SIGTERM and SIGINT', () => {
    expect(checkExitsZeroAfterSignal([{ signal: 'SIGTERM', result: stopped(0) }, { signal: 'SIGINT', result: stopped(0) }])).toEqual([]);
  });

  it('PROC-011 flags a non-zero code, an exit by signal and a SIGKILL, one violation each', () => {
    const found = checkExitsZeroAfterSignal([
      { signal: 'SIGTERM', result: stopped(1) },
      { signal: 'SIGINT', result: stopped(null, { signal: 'SIGINT' }) },
      { signal: 'SIGTERM', result: stopped(null, { signal: 'SIGKILL', killed: true }) },
    ]);
    expect(found.map((v) => v.rule)).toEqual(['PROC-011', 'PROC-011', 'PROC-011']);
    expect(found[0].message).toContain('after SIGTERM, the plugin exited with code 1');
    expect(found[1].message).toContain('after SIGINT, the plugin was ended by SIGINT');
    expect(found[2].message).toContain('was SIGKILLed');
  });
});

describe('PROC-012 and PROC-013 SIGTERM mid-stage', () => {
  const checkpoint = (completed: boolean, stageId = 's1') =>
    journalEntry('ReportStageLogsFromLastCheckpoint', { deployment_id: 'd1', stage_id: stageId, retried_count: 0, blocks: [], completed });
  const interrupt = (overrides: Partial<InterruptFacts> = {}): InterruptFacts => ({
    stage: { name: 'APPROVAL', id: 's1' },
    deploymentId: 'd1',
    boundMs: 10_000,
    callEndedAfterMs: 40,
    callResult: 'OK STAGE_FAILURE',
    stop: { code: 0, signal: null, requested: true, elapsedMs: 60, killed: false },
    callbacks: [checkpoint(false)],
    ...overrides,
  });

  it('PROC-012 passes when the call ended within the bound', () => {
    expect(checkCancelsInFlightOnSigterm(interrupt())).toEqual([]);
    expect(checkCancelsInFlightOnSigterm(interrupt({ callEndedAfterMs: 10_000 }))).toEqual([]);
  });

  it('PROC-012 flags a call that outlived the bound, and says when SIGKILL was needed', () => {
    const found = checkCancelsInFlightOnSigterm(interrupt({ callEndedAfterMs: undefined, stop: { code: null, signal: 'SIGKILL', requested: true, elapsedMs: 30_000, killed: true } }));
    expect(found.map((v) => v.rule)).toEqual(['PROC-012']);
    expect(found[0].message).toContain('"APPROVAL" had not ended 10000 ms after SIGTERM');
    expect(found[0].message).toContain('SIGKILLed after 30000 ms');
  });

  it('PROC-012 flags a call that ended late, with both times', () => {
    const found = checkCancelsInFlightOnSigterm(interrupt({ callEndedAfterMs: 12_500 }));
    expect(found[0].message).toContain('ended only 12500 ms after SIGTERM (bound 10000 ms)');
  });

  it('PROC-013 passes when the log was flushed without completed=true, and ignores other stages', () => {
    expect(checkInterruptedLogLeftOpen(interrupt({ callbacks: [checkpoint(false), checkpoint(true, 'other')] }))).toEqual([]);
  });

  it('PROC-013 flags a completed=true checkpoint of the interrupted stage', () => {
    const found = checkInterruptedLogLeftOpen(interrupt({ callbacks: [checkpoint(false), checkpoint(true)] }));
    expect(found.map((v) => v.rule)).toEqual(['PROC-013']);
    expect(found[0].message).toContain('ReportStageLogsFromLastCheckpoint marked the log of deployment "d1" stage "s1" retried_count 0 completed');
  });
});

describe('PROC-018 message sizes', () => {
  const record = (overrides: Partial<CallRecord>): CallRecord => ({ service: 'planPreview', method: 'GetPlanPreview', ok: true, durationMs: 3, ...overrides });

  it('PROC-018 passes for requests up to 4 MiB and answers not refused for size', () => {
    const callbacks = [journalEntry('ReportStageLogs', {}, { requestBytes: MAX_MESSAGE_BYTES })];
    const calls = [record({}), record({ ok: false, status: { code: 8, codeName: 'RESOURCE_EXHAUSTED', details: 'quota used up' } })];
    expect(checkMessageSizes(callbacks, calls)).toEqual([]);
  });

  it('PROC-018 flags a callback request over 4 MiB, with its size', () => {
    const found = checkMessageSizes([journalEntry('ReportStageLogs', {}, { seq: 9, requestBytes: 5_242_980 })], []);
    expect(found.map((v) => v.rule)).toEqual(['PROC-018']);
    expect(found[0].message).toContain('callback #9 ReportStageLogs: the request is 5242980 bytes');
  });

  it('PROC-018 flags an answer the harness refused as larger than max', () => {
    const details = 'Received message larger than max (5242900 vs 4194304)';
    const found = checkMessageSizes([], [record({ ok: false, status: { code: 8, codeName: 'RESOURCE_EXHAUSTED', details } })]);
    expect(found.map((v) => v.rule)).toEqual(['PROC-018']);
    expect(found[0].message).toContain('planPreview.GetPlanPreview');
    expect(found[0].message).toContain(details);
  });
});

describe('PROC-019 start-up callbacks', () => {
  const violations = [{ path: 'name', rule: 'string.min_len', message: 'name must be at least 1 characters' }];

  it('PROC-019 passes for valid start-up calls and ignores invalid calls after readiness', () => {
    const journal = [journalEntry('InstallTool', { name: 't' }, { time: 100 }), journalEntry('InstallTool', { name: '' }, { time: 900, violations })];
    expect(checkStartupCallbacksValid(journal, 500)).toEqual([]);
  });

  it('PROC-019 flags an invalid call made before readiness, naming the field', () => {
    const found = checkStartupCallbacksValid([journalEntry('InstallTool', { name: '' }, { seq: 1, time: 100, violations })], 500);
    expect(found.map((v) => v.rule)).toEqual(['PROC-019']);
    expect(found[0].message).toContain('callback #1 InstallTool, made during start-up, breaks its validate rules: name');
  });

  it('PROC-019 passes when the plugin became ready despite slow start-up callbacks', () => {
    expect(checkReadyDespiteSlowStartupCallbacks({ ...launch({ waitedMs: 2_600 }), delayMs: 2_000 })).toEqual([]);
  });

  it('PROC-019 flags a plugin that gave up on slow start-up callbacks', () => {
    const found = checkReadyDespiteSlowStartupCallbacks({ ...launch({ variant: 'start-up callbacks answered after 2000 ms', ready: false, exit: EXITED_1 }), delayMs: 2_000 });
    expect(found.map((v) => v.rule)).toEqual(['PROC-019']);
    expect(found[0].message).toContain('with start-up callbacks answered after 2000 ms, the plugin exited with code 1');
  });
});

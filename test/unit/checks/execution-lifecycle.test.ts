// Checks over ExecuteStage scenarios in time: EXEC-004, EXEC-005, EXEC-011, EXEC-015, EXEC-016, API-005.
import { describe, expect, it } from 'vitest';
import {
  approverNames,
  checkApprovalCommands,
  checkApproversRecorded,
  checkConcurrentCalls,
  checkNoShortInternalDeadline,
  checkResumesAfterRestart,
  checkStopsAfterCancel,
  resumeLimitMs,
  type ApprovalFacts,
  type CancellationFacts,
  type ConcurrencyFacts,
  type ResumeFacts,
} from '../../../src/contract/checks/index.js';
import type { CallOutcome } from '../../../src/session-types.js';
import { failed, journalEntry, logEntry, ok } from './fixtures.js';

const rulesOf = (found: { rule: string }[]) => found.map((v) => v.rule);
const status = (value: string, durationMs = 5): CallOutcome => ({ ...ok({ status: value, message: '' }), durationMs });

describe('EXEC-004 cancellation', () => {
  const cancelledAt = 1_000_000;
  const poll = (msAfter: number) => journalEntry('ListStageCommands', { deployment_id: 'd1', stage_id: 's1' }, { time: cancelledAt + msAfter });
  const facts = (overrides: Partial<CancellationFacts> = {}): CancellationFacts => ({
    label: 'REF_APPROVAL', cancelledAt, boundMs: 10_000, quietMs: 1_500, callbacksAfterCancel: [], alive: ok({ stages: [] }), ...overrides,
  });

  it('EXEC-004 passes when the stage falls silent, even after a final flush within the bound', () => {
    expect(checkStopsAfterCancel(facts({ callbacksAfterCancel: [logEntry({ entry: { time: cancelledAt + 4_000 } })] }))).toEqual([]);
  });

  it('EXEC-004 flags callbacks later than the bound', () => {
    const found = checkStopsAfterCancel(facts({ callbacksAfterCancel: [poll(1_000), poll(9_000), poll(10_500)] }));
    expect(rulesOf(found)).toEqual(['EXEC-004']);
    expect(found[0].message).toContain('1 callback(s) later than 10 s after the cancel, the last 10.5 s after it');
  });

  it('EXEC-004 flags a plugin that stopped serving or exited', () => {
    const found = checkStopsAfterCancel(facts({ alive: failed(14, 'UNAVAILABLE', 'connection refused'), exit: { code: null, signal: 'SIGSEGV', requested: false } }));
    expect(rulesOf(found)).toEqual(['EXEC-004', 'EXEC-004']);
    expect(found[1].message).toContain('was killed by SIGSEGV');
  });
});

describe('EXEC-005 no internal deadline', () => {
  it('EXEC-005 passes when the held stage succeeds', () => {
    expect(checkNoShortInternalDeadline({ label: 'REF_APPROVAL', releaseAfterMs: 3_000, outcome: status('STAGE_SUCCESS', 3_400) })).toEqual([]);
  });

  it('EXEC-005 flags a stage that gave up before it was approved', () => {
    const found = checkNoShortInternalDeadline({ label: 'REF_APPROVAL', releaseAfterMs: 3_000, outcome: status('STAGE_FAILURE', 2_010) });
    expect(rulesOf(found)).toEqual(['EXEC-005']);
    expect(found[0].message).toContain('it ended after 2.0 s with STAGE_FAILURE, before the harness approved it at 3.0 s');
  });

  it('EXEC-005 flags a DEADLINE_EXCEEDED of the plugin\'s own making', () => {
    const found = checkNoShortInternalDeadline({ label: 'WAIT', releaseAfterMs: 0, outcome: { ...failed(4, 'DEADLINE_EXCEEDED', 'context deadline exceeded'), durationMs: 1_000 } });
    expect(rulesOf(found)).toEqual(['EXEC-005']);
    expect(found[0].message).toContain('it ended after 1.0 s with DEADLINE_EXCEEDED (4)');
  });
});

describe('EXEC-011 resume after a restart', () => {
  const facts = (resumed: CallOutcome, storedBeforeKill: Record<string, string> = { startTime: '1' }): ResumeFacts => ({
    label: 'REF_WAIT', durationMs: 2_000, killedAfterMs: 700, resumedAfterMs: 1_600, storedBeforeKill, resumed,
  });

  it('EXEC-011 the limit sits halfway between resuming and starting over', () => {
    expect(resumeLimitMs({ durationMs: 2_000, resumedAfterMs: 1_600 })).toBe(1_200);
    expect(resumeLimitMs({ durationMs: 2_000, resumedAfterMs: 5_000 })).toBe(1_000);
  });

  it('EXEC-011 passes when the re-execution waits only the rest', () => {
    expect(checkResumesAfterRestart(facts(status('STAGE_SUCCESS', 420)))).toEqual([]);
  });

  it('EXEC-011 flags a stage that starts over, and says what was stored', () => {
    const found = checkResumesAfterRestart(facts(status('STAGE_SUCCESS', 2_010), {}));
    expect(rulesOf(found)).toEqual(['EXEC-011']);
    expect(found[0].message).toContain('took 2010 ms; a stage that resumes needs about 400 ms (limit 1200 ms)');
    expect(found[0].message).toContain('Nothing was stored in stage metadata before the kill');
  });

  it('EXEC-011 flags a re-execution that fails', () => {
    expect(rulesOf(checkResumesAfterRestart(facts(status('STAGE_FAILURE', 10))))).toEqual(['EXEC-011']);
  });
});

describe('EXEC-015 approvals and skips from ListStageCommands', () => {
  const single = { outcome: status('STAGE_SUCCESS'), approvers: 'alice', commanders: ['alice'] };
  const twoUsers = {
    outcome: status('STAGE_SUCCESS'), approvers: 'alice,bob', commanders: ['alice', 'bob'], firstUser: 'alice', endedBeforeRepoll: false, secondUserAdded: true,
  };
  const facts = (overrides: Partial<ApprovalFacts> = {}): ApprovalFacts => ({ stageLabel: 'REF_APPROVAL', single, twoUsers, ...overrides });

  it('EXEC-015 passes for one reaction per approval and a skip that skips', () => {
    expect(checkApprovalCommands([facts()], [{ stageLabel: 'ANALYSIS', outcome: status('STAGE_SKIPPED') }])).toEqual([]);
  });

  it('EXEC-015 passes when approvers are not recorded at all (that is EXEC-016)', () => {
    expect(checkApprovalCommands([facts({ single: { ...single, approvers: undefined } })], [])).toEqual([]);
  });

  it('EXEC-015 flags a duplicated command counted twice', () => {
    const found = checkApprovalCommands([facts({ single: { ...single, approvers: 'alice, alice, mallory' } })], []);
    expect(rulesOf(found)).toEqual(['EXEC-015']);
    expect(found[0].message).toContain('names "alice" more than once and names "mallory", who did not approve this stage');
  });

  it('EXEC-015 flags success on one user\'s approvals when minApproverNum is honoured', () => {
    const early = { ...twoUsers, approvers: 'alice', endedBeforeRepoll: true, secondUserAdded: false, controlSucceeded: false };
    const found = checkApprovalCommands([facts({ twoUsers: early })], []);
    expect(rulesOf(found)).toEqual(['EXEC-015']);
    expect(found[0].message).toContain('succeeded on approvals from "alice" alone');
  });

  it('EXEC-015 flags success after re-polling one user\'s approvals (counted again per poll)', () => {
    const found = checkApprovalCommands([facts({ twoUsers: { ...twoUsers, endedBeforeRepoll: false, secondUserAdded: false } })], []);
    expect(rulesOf(found)).toEqual(['EXEC-015']);
  });

  it('EXEC-015 does not judge duplicates when the plugin ignores minApproverNum', () => {
    const early = { ...twoUsers, endedBeforeRepoll: true, secondUserAdded: false, controlSucceeded: true };
    expect(checkApprovalCommands([facts({ twoUsers: early })], [])).toEqual([]);
  });

  it('EXEC-015 leaves a stage that ended early without success to other rules', () => {
    const timedOut = { ...twoUsers, outcome: status('STAGE_FAILURE'), secondUserAdded: false };
    expect(checkApprovalCommands([facts({ twoUsers: timedOut })], [])).toEqual([]);
  });

  it('EXEC-015 flags a stage that ignores the approval, or a second user', () => {
    const found = checkApprovalCommands([facts({ single: { ...single, outcome: failed(13, 'INTERNAL') }, twoUsers: { ...twoUsers, outcome: status('STAGE_FAILURE') } })], []);
    expect(rulesOf(found)).toEqual(['EXEC-015', 'EXEC-015']);
    expect(found[1].message).toContain('once a second user approved, the stage must succeed; got STAGE_FAILURE');
  });

  it('EXEC-015 flags a skip that did not skip', () => {
    const found = checkApprovalCommands([], [{ stageLabel: 'ANALYSIS', outcome: status('STAGE_SUCCESS') }]);
    expect(rulesOf(found)).toEqual(['EXEC-015']);
    expect(found[0].message).toContain('must end the stage in STAGE_SKIPPED; got STAGE_SUCCESS');
  });
});

describe('EXEC-016 recorded approvers', () => {
  const run = { stageLabel: 'REF_APPROVAL', outcome: status('STAGE_SUCCESS'), commanders: ['alice', 'bob'] };

  it('EXEC-016 passes with comma or comma-space separators', () => {
    expect(checkApproversRecorded([{ ...run, approvers: 'alice,bob' }, { ...run, approvers: 'bob, alice' }])).toEqual([]);
    expect(approverNames(' a ,b,, c')).toEqual(['a', 'b', 'c']);
  });

  it('EXEC-016 does not judge a stage that did not succeed', () => {
    expect(checkApproversRecorded([{ ...run, outcome: status('STAGE_FAILURE') }])).toEqual([]);
  });

  it('EXEC-016 flags a missing key and a list without every approver', () => {
    const found = checkApproversRecorded([run, { ...run, approvers: 'alice' }]);
    expect(rulesOf(found)).toEqual(['EXEC-016', 'EXEC-016']);
    expect(found[0].message).toContain('pipecd/stage-approved-users was never written');
    expect(found[1].message).toContain('it must list the approvers "alice", "bob"');
  });
});

describe('API-005 concurrent calls', () => {
  const calls = [
    { label: 'call 1', deploymentId: 'd1', stageId: 's1', outcome: status('STAGE_SUCCESS') },
    { label: 'call 2', deploymentId: 'd2', stageId: 's2', outcome: status('STAGE_SUCCESS') },
  ];
  const facts = (overrides: Partial<ConcurrencyFacts> = {}): ConcurrencyFacts => ({
    calls,
    callbacks: [logEntry({ deployment_id: 'd1', stage_id: 's1' }), logEntry({ deployment_id: 'd2', stage_id: 's2' }), logEntry({ deployment_id: 'other', stage_id: 'x' })],
    livestate: { alone: ok({}), concurrent: [ok({}), ok({})] },
    ...overrides,
  });

  it('API-005 passes when every call completes and each callback carries one call\'s ids', () => {
    expect(checkConcurrentCalls(facts())).toEqual([]);
  });

  it('API-005 flags a callback mixing two calls\' ids', () => {
    const found = checkConcurrentCalls(facts({ callbacks: [logEntry({ deployment_id: 'd1', stage_id: 's2', entry: { seq: 9 } })] }));
    expect(rulesOf(found)).toEqual(['API-005']);
    expect(found[0].message).toContain('callback #9 ReportStageLogs carries deployment_id "d1" with the stage id of the call for deployment "d2"');
  });

  it('API-005 flags a call that did not complete and a live state that changed', () => {
    const found = checkConcurrentCalls(facts({
      calls: [calls[0], { ...calls[1], outcome: failed(4, 'HARNESS_TIMEOUT', 'no answer') }],
      livestate: { alone: ok({}), concurrent: [failed(13, 'INTERNAL', 'map modified')] },
    }));
    expect(rulesOf(found)).toEqual(['API-005', 'API-005']);
    expect(found[0].message).toContain('call 2: with 2 ExecuteStage calls in parallel');
    expect(found[1].message).toContain('GetLivestate during the parallel ExecuteStage calls answered INTERNAL (13): map modified; alone it answered OK');
  });
});

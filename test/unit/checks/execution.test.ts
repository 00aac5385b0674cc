import { describe, it, expect } from 'vitest';
import {
  LEGAL_FINAL_STATUSES,
  checkAcceptsAbsentRunningSource,
  checkCallbackScope,
  checkExecuteStatus,
  checkStagePluginRunsWithoutTargets,
  checkUnknownStageNotSuccess,
} from '../../../src/contract/checks/index.js';
import { executeRequest, failed, journalEntry, logEntry, ok } from './fixtures.js';

const rulesOf = (found: { rule: string }[]) => found.map((v) => v.rule);

describe('ExecuteStage status', () => {
  it('EXEC-001 passes for every legal final status', () => {
    for (const status of LEGAL_FINAL_STATUSES) expect(checkExecuteStatus(ok({ status, message: '' }))).toEqual([]);
  });

  it('EXEC-001 passes on a non-OK outcome (that is a stage failure, not a stuck stage)', () => {
    expect(checkExecuteStatus(failed(13, 'INTERNAL'))).toEqual([]);
  });

  it('EXEC-001 flags an empty response (STAGE_NOT_STARTED_YET)', () => {
    const found = checkExecuteStatus(ok({ status: 'STAGE_NOT_STARTED_YET', message: '' }));
    expect(rulesOf(found)).toEqual(['EXEC-001']);
    expect(found[0].message).toContain('got STAGE_NOT_STARTED_YET (what an empty response decodes to)');
  });

  it('EXEC-001 flags RUNNING, CANCELLED and undefined values', () => {
    for (const status of ['STAGE_RUNNING', 'STAGE_CANCELLED', 42]) {
      expect(rulesOf(checkExecuteStatus(ok({ status, message: '' })))).toEqual(['EXEC-001']);
    }
  });

  it('EXEC-008 passes when a stage plugin runs without targets', () => {
    expect(checkStagePluginRunsWithoutTargets('stage', ok({ status: 'STAGE_SUCCESS' }))).toEqual([]);
  });

  it('EXEC-008 flags a stage plugin that rejects a missing target', () => {
    const found = checkStagePluginRunsWithoutTargets('stage', failed(3, 'INVALID_ARGUMENT', 'no deploy targets'));
    expect(rulesOf(found)).toEqual(['EXEC-008']);
    expect(found[0].message).toContain('INVALID_ARGUMENT (3): no deploy targets');
  });

  it('EXEC-008 flags a stage plugin answering a non-final status', () => {
    expect(rulesOf(checkStagePluginRunsWithoutTargets('stage', ok({ status: 'STAGE_RUNNING' })))).toEqual(['EXEC-008']);
  });

  it('EXEC-008 does not apply to deployment plugins', () => {
    expect(checkStagePluginRunsWithoutTargets('deployment', failed(3, 'INVALID_ARGUMENT'))).toEqual([]);
  });

  it('EXEC-009 passes when a first deployment gets a final status', () => {
    expect(checkAcceptsAbsentRunningSource(ok({ status: 'STAGE_FAILURE' }))).toEqual([]);
  });

  it('EXEC-009 flags a rejected first deployment', () => {
    const found = checkAcceptsAbsentRunningSource(failed(13, 'INTERNAL', 'running source is nil'));
    expect(rulesOf(found)).toEqual(['EXEC-009']);
    expect(found[0].evidence).toEqual({ code: 13, codeName: 'INTERNAL', details: 'running source is nil' });
  });

  it('EXEC-013 passes for FAILURE or a non-OK status', () => {
    expect(checkUnknownStageNotSuccess(ok({ status: 'STAGE_FAILURE' }))).toEqual([]);
    expect(checkUnknownStageNotSuccess(failed(13, 'INTERNAL'))).toEqual([]);
  });

  it('EXEC-013 flags SUCCESS for an unknown stage', () => {
    expect(rulesOf(checkUnknownStageNotSuccess(ok({ status: 'STAGE_SUCCESS' })))).toEqual(['EXEC-013']);
  });
});

describe('callback scope', () => {
  const request = executeRequest('d1', 's1');

  it('EXEC-006 passes when callbacks carry the ids of the call', () => {
    const callbacks = [
      logEntry(),
      journalEntry('PutStageMetadata', { deployment_id: 'd1', stage_id: 's1', key: 'k', value: 'v' }),
      journalEntry('GetDeploymentPluginMetadata', { deployment_id: 'd1', plugin_name: 'p', key: 'k' }),
      journalEntry('GetApplicationSharedObject', { application_id: 'a1', plugin_name: 'p', key: 'k' }),
    ];
    expect(checkCallbackScope(request, callbacks)).toEqual([]);
  });

  it('EXEC-006 flags a stage-scoped callback for another stage', () => {
    const wrong = journalEntry('ListStageCommands', { deployment_id: 'd1', stage_id: 's2' }, { seq: 41 });
    const found = checkCallbackScope(request, [logEntry(), wrong]);
    expect(rulesOf(found)).toEqual(['EXEC-006']);
    expect(found[0].message).toContain('callback #41 ListStageCommands');
    expect(found[0].message).toContain('deployment_id "d1", stage_id "s1"');
    expect(found[0].message).toContain('got deployment_id "d1", stage_id "s2"');
  });

  it('EXEC-006 flags a deployment-scoped callback for another deployment', () => {
    const wrong = journalEntry('PutDeploymentPluginMetadata', { deployment_id: 'd9', plugin_name: 'p', key: 'k', value: 'v' });
    const found = checkCallbackScope(request, [wrong]);
    expect(rulesOf(found)).toEqual(['EXEC-006']);
    expect(found[0].message).toContain('got deployment_id "d9"');
  });
});

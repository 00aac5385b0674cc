import { describe, it, expect } from 'vitest';
import {
  checkBadStageConfigsRefused, checkManualOperations, checkNamesKeptPerIndex, checkPlanningWritesNothing, checkQuickSyncHasStages, checkQuickSyncPlan,
  checkQuickSyncRollback, checkRollbackFollowsRequest, checkSamePlan, checkSeededMetadataReadable, wrongTypedVariant,
} from '../../../src/contract/checks/index.js';
import { failed, journalEntry, ok, requestStages, stage } from './fixtures.js';

const rulesOf = (found: { rule: string }[]) => found.map((v) => v.rule);
const none = (overrides: Record<string, unknown> = {}) => stage({ available_operation: 'MANUAL_OPERATION_NONE', ...overrides });

describe('pipeline plan checks', () => {
  it('PLAN-013 passes when non-rollback stages keep their names (rollback stages may differ)', () => {
    const stages = [none({ name: 'WAIT', index: 1 }), none({ name: 'SYNC', index: 3 }), none({ name: 'ROLLBACK', index: 1, rollback: true })];
    expect(checkNamesKeptPerIndex(requestStages(['WAIT', 1], ['SYNC', 3]), stages)).toEqual([]);
  });

  it('PLAN-013 flags a renamed stage', () => {
    const found = checkNamesKeptPerIndex(requestStages(['WAIT', 1], ['SYNC', 3]), [none({ name: 'SYNC', index: 1 }), none({ name: 'SYNC', index: 3 })]);
    expect(rulesOf(found)).toEqual(['PLAN-013']);
    expect(found[0].message).toContain('"WAIT" for index 1');
  });

  it('PLAN-015 passes without rollback stages when not asked, and with one when asked', () => {
    expect(checkRollbackFollowsRequest('deployment', false, [none()], 'plan')).toEqual([]);
    expect(checkRollbackFollowsRequest('deployment', true, [none(), none({ rollback: true })], 'plan')).toEqual([]);
    expect(checkRollbackFollowsRequest('stage', true, [none()], 'plan')).toEqual([]);
  });

  it('PLAN-015 flags rollback stages nobody asked for, and a deployment plugin without one when asked', () => {
    expect(rulesOf(checkRollbackFollowsRequest('stage', false, [none(), none({ rollback: true })], 'plan'))).toEqual(['PLAN-015']);
    expect(rulesOf(checkRollbackFollowsRequest('deployment', true, [none()], 'plan'))).toEqual(['PLAN-015']);
  });

  it('PLAN-017 passes for NONE, SKIP and APPROVE with operators', () => {
    const stages = [none(), none({ available_operation: 'MANUAL_OPERATION_SKIP' }), none({ available_operation: 'MANUAL_OPERATION_APPROVE', authorized_operators: ['alice'] })];
    expect(checkManualOperations(stages, 'plan')).toEqual([]);
  });

  it('PLAN-017 flags UNKNOWN, operators without APPROVE, and blank operators', () => {
    const found = checkManualOperations([
      stage({ available_operation: 'MANUAL_OPERATION_UNKNOWN' }),
      none({ authorized_operators: ['alice'] }),
      none({ available_operation: 'MANUAL_OPERATION_APPROVE', authorized_operators: [''] }),
    ], 'plan');
    expect(rulesOf(found)).toEqual(['PLAN-017', 'PLAN-017', 'PLAN-017']);
    expect(found[0].message).toContain('MANUAL_OPERATION_UNKNOWN');
    expect(found[1].message).toContain('only an APPROVE stage');
  });

  it('PLAN-020 builds the wrongly typed variant from the first option that is not null', () => {
    expect(wrongTypedVariant({ duration: '2s' })).toEqual({ duration: 12345 });
    expect(wrongTypedVariant({ minApproverNum: 2, approvers: ['alice'] })).toEqual({ minApproverNum: 'not-a-number', approvers: ['alice'] });
    expect(wrongTypedVariant({ dryRun: true })).toEqual({ dryRun: 'not-a-number' });
    expect(wrongTypedVariant({ approvers: ['alice'] })).toEqual({ approvers: 'not-a-list' });
    expect(wrongTypedVariant({ env: { A: '1' } })).toEqual({ env: 'not-a-mapping' });
    expect(wrongTypedVariant({ skip: null, run: 'echo hi' })).toEqual({ skip: null, run: 12345 });
    for (const unusable of [{}, { only: null }, [], 'text', null, undefined]) expect(wrongTypedVariant(unusable)).toBeUndefined();
  });

  it('PLAN-020 passes for a refusal at planning, and for an accepted config that then runs', () => {
    const variant = { duration: 12345 };
    expect(checkBadStageConfigsRefused([])).toEqual([]);
    expect(checkBadStageConfigsRefused([{ label: 'stage WAIT', variant, planned: failed(3, 'INVALID_ARGUMENT', 'duration must be a string') }])).toEqual([]);
    const tolerated = { label: 'stage WAIT', variant, planned: ok({ stages: [none()] }), executed: ok({ status: 'STAGE_SUCCESS' }) };
    expect(checkBadStageConfigsRefused([tolerated])).toEqual([]);
  });

  it('PLAN-020 flags no answer or a crash at planning, and an accepted config whose execution fails', () => {
    const variant = { duration: 12345 };
    const hang = checkBadStageConfigsRefused([{ label: 'stage WAIT', variant, planned: failed(4, 'HARNESS_TIMEOUT') }]);
    expect(rulesOf(hang)).toEqual(['PLAN-020']);
    expect(hang[0].message).toContain('no answer');
    expect(rulesOf(checkBadStageConfigsRefused([{ label: 'stage WAIT', variant, planned: failed(14, 'UNAVAILABLE', 'connection reset') }]))).toEqual(['PLAN-020']);
    const later = checkBadStageConfigsRefused([
      { label: 'stage WAIT', variant, planned: ok({ stages: [none()] }), executed: ok({ status: 'STAGE_FAILURE', message: 'duration must be a string' }) },
      { label: 'stage APPROVAL', variant: { approvers: 'not-a-list' }, planned: ok({ stages: [none()] }), executed: failed(3, 'INVALID_ARGUMENT', 'approvers must be a list') },
    ]);
    expect(rulesOf(later)).toEqual(['PLAN-020', 'PLAN-020']);
    expect(later[0].message).toContain('accepted {"duration":12345} at planning, then failed when executed: a plan that fails later');
    expect(later[0].message).toContain('duration must be a string');
    expect(later[1].message).toContain('approvers must be a list');
    const log = journalEntry('ReportStageLogs', { blocks: [{ log: 'Stage failed: duration must look like "2s"', severity: 'ERROR' }] });
    const logged = checkBadStageConfigsRefused([{ label: 'stage WAIT', variant, planned: ok({ stages: [none()] }), executed: ok({ status: 'STAGE_FAILURE' }, [log]) }]);
    expect(logged[0].message).toContain('STAGE_FAILURE; stage log: Stage failed: duration must look like "2s"');
  });

  it('PLAN-022 passes for plans that differ only in ids and timestamps', () => {
    const first = ok({ stages: [none({ id: 'a', created_at: '1', updated_at: '1' })] });
    const second = ok({ stages: [none({ id: 'b', created_at: '2', updated_at: '3' })] });
    expect(checkSamePlan('BuildPipelineSyncStages', [first, second])).toEqual([]);
  });

  it('PLAN-022 flags a plan that changed, and a Put callback while planning', () => {
    const changed = checkSamePlan('BuildPipelineSyncStages', [ok({ stages: [none({ desc: 'x (#1)' })] }), ok({ stages: [none({ desc: 'x (#2)' })] })]);
    expect(rulesOf(changed)).toEqual(['PLAN-022']);
    const put = journalEntry('PutDeploymentPluginMetadata', { deployment_id: 'd', plugin_name: 'p', key: 'k', value: 'v' });
    const writes = checkPlanningWritesNothing('planning', ok({ stages: [] }, [put, journalEntry('GetStageMetadata', {})]));
    expect(rulesOf(writes)).toEqual(['PLAN-022']);
    expect(writes[0].message).toContain('PutDeploymentPluginMetadata');
  });
});

describe('PLAN-019 seeded stage metadata', () => {
  const planned = [none({ id: 's1', metadata: { 'pipecd/stage-display-metadata': 'Waiting' } })];
  const read = (stageId: string, key: string, response: any) => journalEntry('GetStageMetadata', { deployment_id: 'd', stage_id: stageId, key }, { response });

  it('PLAN-019 passes when a read of a seeded key returns the seeded value', () => {
    expect(checkSeededMetadataReadable(planned, [read('s1', 'pipecd/stage-display-metadata', { value: 'Waiting', found: true })])).toEqual([]);
  });

  it('PLAN-019 ignores keys the stage wrote itself before reading them', () => {
    const put = journalEntry('PutStageMetadata', { deployment_id: 'd', stage_id: 's1', key: 'pipecd/stage-display-metadata', value: 'Approved' });
    expect(checkSeededMetadataReadable(planned, [put, read('s1', 'pipecd/stage-display-metadata', { value: 'Approved', found: true })])).toEqual([]);
  });

  it('PLAN-019 flags an empty key, which GetStageMetadata cannot read', () => {
    const found = checkSeededMetadataReadable([none({ id: 's1', metadata: { '': 'Waiting' } })], []);
    expect(rulesOf(found)).toEqual(['PLAN-019']);
    expect(found[0].message).toContain('empty key');
  });

  it('PLAN-019 flags a seeded key that could not be read back', () => {
    const found = checkSeededMetadataReadable(planned, [read('s1', 'pipecd/stage-display-metadata', { value: '', found: false })]);
    expect(rulesOf(found)).toEqual(['PLAN-019']);
    expect(found[0].message).toContain('found=false');
  });
});

describe('quick-sync plan checks', () => {
  it('PLAN-030 passes for valid defined stages, and for an empty stage-plugin plan', () => {
    expect(checkQuickSyncPlan('deployment', ['SYNC', 'ROLLBACK'], ok({ stages: [none({ name: 'SYNC' }), none({ name: 'ROLLBACK', rollback: true })] }), 'quick')).toEqual([]);
    expect(checkQuickSyncPlan('stage', ['WAIT'], ok({ stages: [] }), 'quick')).toEqual([]);
  });

  it('PLAN-030 flags a refusal, stages from a stage plugin, bad fields and undefined names', () => {
    expect(rulesOf(checkQuickSyncPlan('deployment', ['SYNC'], failed(13, 'INTERNAL'), 'quick'))).toEqual(['PLAN-030']);
    expect(rulesOf(checkQuickSyncPlan('stage', ['SYNC'], ok({ stages: [none({ name: 'SYNC' })] }), 'quick'))).toEqual(['PLAN-030']);
    const found = checkQuickSyncPlan('deployment', ['SYNC'], ok({ stages: [none({ name: 'SYNC', status: 'STAGE_RUNNING' }), none({ name: 'OTHER' })] }), 'quick');
    expect(rulesOf(found)).toEqual(['PLAN-030', 'PLAN-030']);
  });

  it('PLAN-031 passes when rollback stages follow the request', () => {
    expect(checkQuickSyncRollback(true, [none(), none({ rollback: true })], 'quick')).toEqual([]);
    expect(checkQuickSyncRollback(false, [none()], 'quick')).toEqual([]);
  });

  it('PLAN-031 flags a missing and an unasked rollback stage', () => {
    expect(rulesOf(checkQuickSyncRollback(true, [none()], 'quick'))).toEqual(['PLAN-031']);
    expect(rulesOf(checkQuickSyncRollback(false, [none(), none({ rollback: true })], 'quick'))).toEqual(['PLAN-031']);
  });

  it('PLAN-032 passes with a non-rollback stage and flags only-rollback or empty plans', () => {
    expect(checkQuickSyncHasStages([none()], 'quick')).toEqual([]);
    expect(rulesOf(checkQuickSyncHasStages([none({ rollback: true })], 'quick'))).toEqual(['PLAN-032']);
    expect(checkQuickSyncHasStages([], 'quick')[0].message).toContain('got none');
  });
});

import { describe, it, expect } from 'vitest';
import {
  checkBuiltStageFields,
  checkIndexesFromRequest,
  checkNoDuplicateIndexes,
  checkNonRollbackIndexesMatchRequest,
  checkStagePluginUnsupported,
  checkStrategyAnswer,
  pluginKindFromQuickSync,
} from '../../../src/contract/checks/index.js';
import { requestStages, stage } from './fixtures.js';

const rulesOf = (found: { rule: string }[]) => found.map((v) => v.rule);
const SOURCE = 'BuildPipelineSyncStages rollback=true';

describe('strategy checks', () => {
  it('PLAN-004 passes for unsupported=true', () => {
    expect(checkStrategyAnswer({ sync_strategy: 'AUTO', summary: '', unsupported: true })).toEqual([]);
  });

  it('PLAN-004 passes for QUICK_SYNC and PIPELINE', () => {
    expect(checkStrategyAnswer({ sync_strategy: 'QUICK_SYNC', summary: 'x', unsupported: false })).toEqual([]);
    expect(checkStrategyAnswer({ sync_strategy: 'PIPELINE', summary: 'x', unsupported: false })).toEqual([]);
  });

  it('PLAN-004 flags AUTO with unsupported=false (an empty response)', () => {
    const found = checkStrategyAnswer({ sync_strategy: 'AUTO', summary: '', unsupported: false });
    expect(rulesOf(found)).toEqual(['PLAN-004']);
    expect(found[0].message).toContain('sync_strategy=AUTO, unsupported=false');
  });

  it('PLAN-004 flags an undefined enum number', () => {
    const found = checkStrategyAnswer({ sync_strategy: 7, summary: '', unsupported: false });
    expect(rulesOf(found)).toEqual(['PLAN-004']);
    expect(found[0].message).toContain('undefined value 7');
  });

  it('PLAN-005 passes when a stage plugin answers unsupported=true', () => {
    expect(checkStagePluginUnsupported('stage', { sync_strategy: 'AUTO', unsupported: true })).toEqual([]);
  });

  it('PLAN-005 flags a stage plugin that picks a strategy', () => {
    const found = checkStagePluginUnsupported('stage', { sync_strategy: 'PIPELINE', unsupported: false });
    expect(rulesOf(found)).toEqual(['PLAN-005']);
    expect(found[0].message).toContain('sync_strategy=PIPELINE');
  });

  it('PLAN-005 does not apply to deployment plugins', () => {
    expect(checkStagePluginUnsupported('deployment', { sync_strategy: 'PIPELINE', unsupported: false })).toEqual([]);
  });

  it('PLAN-005 plugin kind comes from BuildQuickSyncStages: empty means stage plugin', () => {
    expect(pluginKindFromQuickSync({ stages: [] })).toBe('stage');
    expect(pluginKindFromQuickSync({})).toBe('stage');
    expect(pluginKindFromQuickSync({ stages: [stage({ name: 'K8S_SYNC' })] })).toBe('deployment');
  });
});

describe('pipeline index checks', () => {
  const request = requestStages(['WAIT', 0], ['WAIT', 2]);

  it('PLAN-010 passes when non-rollback indexes equal the request indexes', () => {
    const stages = [stage({ index: 2 }), stage({ index: 0 }), stage({ index: 0, rollback: true })];
    expect(checkNonRollbackIndexesMatchRequest(request, stages)).toEqual([]);
  });

  it('PLAN-010 flags a dropped stage', () => {
    const found = checkNonRollbackIndexesMatchRequest(request, [stage({ index: 0 }), stage({ index: 2, rollback: true })]);
    expect(rulesOf(found)).toEqual(['PLAN-010']);
    expect(found[0].message).toContain('"WAIT" at index 2 has no non-rollback stage');
    expect(found[0].evidence).toEqual({ name: 'WAIT', index: 2 });
  });

  it('PLAN-010 flags an extra non-rollback index', () => {
    const found = checkNonRollbackIndexesMatchRequest(request, [stage({ index: 0 }), stage({ index: 2 }), stage({ index: 3 })]);
    expect(rulesOf(found)).toEqual(['PLAN-010']);
    expect(found[0].message).toContain('stages[2] "WAIT" (index 3)');
    expect(found[0].message).toContain('[0, 2]');
  });

  it('PLAN-011 passes when a rollback stage shares an index with a non-rollback one', () => {
    expect(checkNoDuplicateIndexes([stage({ index: 0 }), stage({ index: 2 }), stage({ index: 0, rollback: true })])).toEqual([]);
  });

  it('PLAN-011 flags two non-rollback stages at one index', () => {
    const found = checkNoDuplicateIndexes([stage({ index: 0 }), stage({ index: 0, name: 'OTHER' })]);
    expect(rulesOf(found)).toEqual(['PLAN-011']);
    expect(found[0].message).toContain('non-rollback stages');
    expect(found[0].message).toContain('stages[0] "WAIT" (index 0), stages[1] "OTHER" (index 0) share index 0');
  });

  it('PLAN-011 flags two rollback stages at one index', () => {
    const found = checkNoDuplicateIndexes([stage({ index: 1, rollback: true }), stage({ index: 0 }), stage({ index: 1, rollback: true })]);
    expect(rulesOf(found)).toEqual(['PLAN-011']);
    expect(found[0].message).toMatch(/^rollback stages/);
  });

  it('PLAN-012 passes when every index, rollback included, is a request index', () => {
    expect(checkIndexesFromRequest(request, [stage({ index: 0 }), stage({ index: 2 }), stage({ index: 0, rollback: true })])).toEqual([]);
  });

  it('PLAN-012 flags a rollback stage at an index the request did not send', () => {
    const stages = [stage({ index: 0 }), stage({ index: 2 }), stage({ index: 1, rollback: true, name: 'WAIT_ROLLBACK' })];
    const found = checkIndexesFromRequest(request, stages);
    expect(rulesOf(found)).toEqual(['PLAN-012']);
    expect(found[0].message).toContain('stages[2] "WAIT_ROLLBACK" (index 1, rollback)');
    expect(found[0].evidence).toBe(stages[2]);
  });
});

describe('built stage fields', () => {
  it('PLAN-016 passes for a freshly built stage', () => {
    expect(checkBuiltStageFields([stage(), stage({ available_operation: 'MANUAL_OPERATION_APPROVE' })], SOURCE)).toEqual([]);
  });

  it('PLAN-016 flags a stage returned as STAGE_SUCCESS', () => {
    const found = checkBuiltStageFields([stage(), stage({ index: 2, status: 'STAGE_SUCCESS' })], SOURCE);
    expect(rulesOf(found)).toEqual(['PLAN-016']);
    expect(found[0].message).toContain(`${SOURCE}: stages[1] "WAIT" (index 2)`);
    expect(found[0].message).toContain('got STAGE_SUCCESS');
  });

  it('PLAN-016 flags zero timestamps and a negative completed_at', () => {
    const found = checkBuiltStageFields([stage({ created_at: '0', updated_at: '0', completed_at: '-1' })], SOURCE);
    expect(found.map((v) => v.message.split(': ').pop())).toEqual([
      'created_at must be > 0; got "0"',
      'updated_at must be > 0; got "0"',
      'completed_at must be >= 0; got "-1"',
    ]);
  });

  it('PLAN-016 compares int64 strings beyond double precision', () => {
    expect(checkBuiltStageFields([stage({ created_at: '9223372036854775807' })], SOURCE)).toEqual([]);
  });

  it('PLAN-016 flags an empty name and undefined enum numbers', () => {
    const found = checkBuiltStageFields([stage({ name: '', status: 9, available_operation: 4 })], SOURCE);
    expect(rulesOf(found)).toEqual(['PLAN-016', 'PLAN-016', 'PLAN-016']);
    expect(found[0].message).toContain('name must be non-empty');
    expect(found[1].message).toContain('status must be STAGE_NOT_STARTED_YET; got undefined value 9');
    expect(found[2].message).toContain('available_operation must be a defined ManualOperation; got undefined value 4');
  });
});

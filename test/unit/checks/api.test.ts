import { describe, it, expect } from 'vitest';
import { checkFetchDefinedStagesAnswered, checkOptionalServiceAnswer } from '../../../src/contract/checks/index.js';
import { failed, ok } from './fixtures.js';

describe('api checks', () => {
  it('API-001 passes when FetchDefinedStages answers OK', () => {
    expect(checkFetchDefinedStagesAnswered(ok({ stages: ['WAIT'] }))).toEqual([]);
  });

  it('API-001 flags a non-OK FetchDefinedStages and names the code', () => {
    const found = checkFetchDefinedStagesAnswered(failed(12, 'UNIMPLEMENTED', 'unknown service'));
    expect(found).toHaveLength(1);
    expect(found[0].rule).toBe('API-001');
    expect(found[0].message).toContain('UNIMPLEMENTED (12): unknown service');
    expect(found[0].evidence).toEqual({ code: 12, codeName: 'UNIMPLEMENTED', details: 'unknown service' });
  });

  it('API-002 passes when an optional service answers OK', () => {
    expect(checkOptionalServiceAnswer('LivestateService.GetLivestate', ok({}))).toEqual([]);
  });

  it('API-002 passes when an optional service answers UNIMPLEMENTED', () => {
    expect(checkOptionalServiceAnswer('PlanPreviewService.GetPlanPreview', failed(12, 'UNIMPLEMENTED'))).toEqual([]);
  });

  it('API-002 flags any other code and names the service and the code', () => {
    const found = checkOptionalServiceAnswer('LivestateService.GetLivestate', failed(13, 'INTERNAL', 'not supported'));
    expect(found.map((v) => v.rule)).toEqual(['API-002']);
    expect(found[0].message).toContain('LivestateService.GetLivestate');
    expect(found[0].message).toContain('INTERNAL (13)');
  });
});

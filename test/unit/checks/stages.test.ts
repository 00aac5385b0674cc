import { describe, it, expect } from 'vitest';
import { checkDefinedStageNames, checkDefinedStagesStable, checkEmittedStagesDefined } from '../../../src/contract/checks/index.js';
import { failed, ok, stage } from './fixtures.js';

describe('stage definition checks', () => {
  it('DEF-001 passes when every call returns the same list', () => {
    const call = () => ok({ stages: ['A', 'B'] });
    expect(checkDefinedStagesStable([call(), call(), call()])).toEqual([]);
  });

  it('DEF-001 flags a reordered list and says which call differed', () => {
    const found = checkDefinedStagesStable([ok({ stages: ['A', 'B'] }), ok({ stages: ['A', 'B'] }), ok({ stages: ['B', 'A'] })]);
    expect(found.map((v) => v.rule)).toEqual(['DEF-001']);
    expect(found[0].message).toContain('call 3 of 3');
    expect(found[0].message).toContain('call 1');
    expect(found[0].evidence).toEqual({ call: 3, stages: ['B', 'A'], expected: ['A', 'B'] });
  });

  it('DEF-001 flags a failed call', () => {
    const found = checkDefinedStagesStable([ok({ stages: ['A'] }), failed(14, 'UNAVAILABLE')]);
    expect(found.map((v) => v.rule)).toEqual(['DEF-001']);
    expect(found[0].message).toContain('call 2 of 2');
    expect(found[0].message).toContain('UNAVAILABLE (14)');
  });

  it('DEF-002 passes for non-empty unique names', () => {
    expect(checkDefinedStageNames(['SCRIPT_RUN', 'SCRIPT_RUN_ROLLBACK'])).toEqual([]);
  });

  it('DEF-002 flags an empty list', () => {
    expect(checkDefinedStageNames([]).map((v) => v.rule)).toEqual(['DEF-002']);
  });

  it('DEF-002 flags an empty name and a duplicate', () => {
    const found = checkDefinedStageNames(['WAIT', '', 'WAIT']);
    expect(found.map((v) => v.rule)).toEqual(['DEF-002', 'DEF-002']);
    expect(found[0].message).toContain('stages[1]');
    expect(found[1].message).toContain('"WAIT" appears at stages[0], stages[2]');
  });

  it('DEF-004 passes when every emitted name, rollback included, is defined', () => {
    const stages = [stage({ name: 'K8S_SYNC' }), stage({ name: 'K8S_ROLLBACK', rollback: true })];
    expect(checkEmittedStagesDefined(['K8S_SYNC', 'K8S_ROLLBACK'], stages, 'BuildQuickSyncStages rollback=true')).toEqual([]);
  });

  it('DEF-004 flags an undeclared rollback stage with its source and position', () => {
    const stages = [stage({ name: 'K8S_SYNC' }), stage({ name: 'K8S_ROLLBACK', rollback: true })];
    const found = checkEmittedStagesDefined(['K8S_SYNC'], stages, 'BuildPipelineSyncStages rollback=true');
    expect(found.map((v) => v.rule)).toEqual(['DEF-004']);
    expect(found[0].message).toContain('BuildPipelineSyncStages rollback=true');
    expect(found[0].message).toContain('stages[1] "K8S_ROLLBACK" (index 0, rollback)');
    expect(found[0].evidence).toBe(stages[1]);
  });

  it('PLAN-014 flags an undeclared name when the DEF-004 check runs under its ID', () => {
    const found = checkEmittedStagesDefined(['A'], [stage({ name: 'B' })], 'BuildPipelineSyncStages rollback=false', 'PLAN-014');
    expect(found.map((v) => v.rule)).toEqual(['PLAN-014']);
  });
});

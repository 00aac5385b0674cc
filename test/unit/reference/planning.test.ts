// The reference plugin's planning answers satisfy the PLAN rules; each planning fault breaks only its own rule.
import { describe, expect, it } from 'vitest';
import { buildPipelineSyncStages, buildQuickSyncStages, determineStrategy, determineVersions } from '../../../fixtures/plugins/reference/deployment/planning.js';
import { FaultSet, type FaultName } from '../../../fixtures/plugins/reference/faults.js';
import { RpcError } from '../../../fixtures/plugins/reference/rpc.js';
import { DEFINED_STAGES, definedStages } from '../../../fixtures/plugins/reference/stages/names.js';
import type { StageConfigRequest } from '../../../fixtures/plugins/reference/wire.js';
import { loadProtocol } from '../../../src/protocol/load.js';
import { validateMessage } from '../../../src/protocol/validate.js';

const none = new FaultSet();
const faults = (...names: FaultName[]) => new FaultSet(names);
const request = (name: string, index: number, config = ''): StageConfigRequest => ({ name, index, desc: '', timeout: '', config: Buffer.from(config) });
const pipeline = [request('REF_WAIT', 1, '{"duration":"2s"}'), request('REF_SYNC', 4), request('REF_APPROVAL', 6, '{"minApproverNum":2}')];

/** PGV violations of a built stage, ignoring `id`, which piped assigns (PLAN-018). */
function stageViolations(stage: object): string[] {
  return validateMessage(loadProtocol().root, 'model.PipelineStage', stage)
    .filter((v) => v.path !== 'id')
    .map((v) => v.message);
}

describe('BuildPipelineSyncStages', () => {
  it('keeps one non-rollback stage per request index and name, plus a rollback at the minimum index (PLAN-010..015)', () => {
    const stages = buildPipelineSyncStages(pipeline, true, none);
    expect(stages.filter((s) => !s.rollback).map((s) => [s.name, s.index])).toEqual([['REF_WAIT', 1], ['REF_SYNC', 4], ['REF_APPROVAL', 6]]);
    expect(stages.filter((s) => s.rollback).map((s) => [s.name, s.index])).toEqual([['REF_ROLLBACK', 1]]);
    expect(buildPipelineSyncStages(pipeline, false, none).some((s) => s.rollback)).toBe(false);
  });

  it('builds valid, not-started stages with names from FetchDefinedStages (PLAN-016, PLAN-017, DEF-004)', () => {
    for (const stage of [...buildPipelineSyncStages(pipeline, true, none), ...buildQuickSyncStages(true, none)]) {
      expect(stageViolations(stage)).toEqual([]);
      expect(stage.status).toBe('STAGE_NOT_STARTED_YET');
      expect(stage.id).toBe('');
      expect(stage.requires).toEqual([]);
      expect(DEFINED_STAGES).toContain(stage.name);
      expect(stage.available_operation).toBe(stage.name === 'REF_APPROVAL' ? 'MANUAL_OPERATION_APPROVE' : 'MANUAL_OPERATION_NONE');
    }
  });

  it('seeds the approval display text (PLAN-019)', () => {
    const approval = buildPipelineSyncStages(pipeline, false, none).find((s) => s.name === 'REF_APPROVAL');
    expect(approval?.metadata).toEqual({ 'pipecd/stage-display-metadata': 'Waiting for 2 approval(s)' });
  });

  it.each([
    ['an unknown name', [request('NOPE', 0)]],
    ['invalid config JSON (PLAN-020)', [request('REF_WAIT', 0, '{nope')]],
    ['an invalid duration', [request('REF_WAIT', 0, '{"duration":"soon"}')]],
    ['a duplicated index', [request('REF_WAIT', 0), request('REF_SYNC', 0)]],
  ])('rejects %s with INVALID_ARGUMENT', (_label, stages) => {
    expect(() => buildPipelineSyncStages(stages, true, none)).toThrow(RpcError);
  });

  it('plan-drop-stage loses exactly one request index', () => {
    const stages = buildPipelineSyncStages(pipeline, true, faults('plan-drop-stage'));
    expect(stages.filter((s) => !s.rollback).map((s) => s.index)).toEqual([1, 4]);
  });

  it('plan-duplicate-rollback-index doubles the rollback stage at the minimum index', () => {
    const stages = buildPipelineSyncStages(pipeline, true, faults('plan-duplicate-rollback-index'));
    expect(stages.filter((s) => s.rollback).map((s) => s.index)).toEqual([1, 1]);
  });

  it('plan-rollback-foreign-index puts the rollback stage past the request indexes', () => {
    const stages = buildPipelineSyncStages(pipeline, true, faults('plan-rollback-foreign-index'));
    expect(stages.filter((s) => s.rollback).map((s) => s.index)).toEqual([7]);
  });

  it('plan-running-status marks every built stage RUNNING', () => {
    const built = [...buildPipelineSyncStages(pipeline, true, faults('plan-running-status')), ...buildQuickSyncStages(true, faults('plan-running-status'))];
    expect(new Set(built.map((s) => s.status))).toEqual(new Set(['STAGE_RUNNING']));
  });

  it('undeclared-rollback-stage emits a rollback name FetchDefinedStages lacks', () => {
    const f = faults('undeclared-rollback-stage');
    const rollbackNames = [...buildPipelineSyncStages(pipeline, true, f), ...buildQuickSyncStages(true, f)].filter((s) => s.rollback).map((s) => s.name);
    expect(rollbackNames.length).toBeGreaterThan(0);
    for (const name of rollbackNames) expect(definedStages(f)).not.toContain(name);
  });
});

describe('BuildQuickSyncStages', () => {
  it('returns REF_SYNC, plus REF_ROLLBACK only when rollback is wanted (PLAN-031, PLAN-032)', () => {
    expect(buildQuickSyncStages(false, none).map((s) => [s.name, s.index, s.rollback])).toEqual([['REF_SYNC', 0, false]]);
    expect(buildQuickSyncStages(true, none).map((s) => [s.name, s.index, s.rollback])).toEqual([
      ['REF_SYNC', 0, false],
      ['REF_ROLLBACK', 0, true],
    ]);
  });
});

describe('FetchDefinedStages', () => {
  it('lists four unique names; duplicate-defined-stage repeats one (DEF-002)', () => {
    expect(new Set(definedStages(none)).size).toBe(4);
    const withFault = definedStages(faults('duplicate-defined-stage'));
    expect(new Set(withFault).size).toBeLessThan(withFault.length);
  });
});

describe('DetermineStrategy and DetermineVersions', () => {
  const deployment = { id: 'd', application_id: 'a', application_name: 'demo', piped_id: 'p', deploy_targets_by_plugin: {}, trigger: null };
  const source = (yaml: string) => ({
    application_directory: '',
    commit_hash: 'abc',
    application_config: Buffer.from(yaml),
    application_config_filename: 'app.pipecd.yaml',
    shared_config_directory: '',
  });
  const withPipeline = source('apiVersion: pipecd.dev/v1beta1\nkind: Application\nspec:\n  pipeline:\n    stages:\n      - name: REF_SYNC\n');
  const withoutPipeline = source('apiVersion: pipecd.dev/v1beta1\nkind: Application\nspec: {}\n');

  it('answers PIPELINE or QUICK_SYNC with a summary (PLAN-004, PLAN-006)', () => {
    expect(determineStrategy({ deployment, running_deployment_source: null, target_deployment_source: withPipeline }, none)).toMatchObject({
      sync_strategy: 'PIPELINE',
      unsupported: false,
    });
    const quick = determineStrategy({ deployment, running_deployment_source: null, target_deployment_source: withoutPipeline }, none);
    expect(quick.sync_strategy).toBe('QUICK_SYNC');
    expect(quick.summary).not.toBe('');
  });

  it('strategy-auto answers AUTO', () => {
    expect(determineStrategy({ deployment, running_deployment_source: null, target_deployment_source: withPipeline }, faults('strategy-auto')).sync_strategy).toBe('AUTO');
  });

  it('rejects an undecodable application config with INTERNAL', () => {
    expect(() => determineStrategy({ deployment, running_deployment_source: null, target_deployment_source: source('apiVersion: v0\nkind: X\n') }, none)).toThrow(RpcError);
  });

  it('reports the target commit without needing the running source (PLAN-002, PLAN-003)', () => {
    expect(determineVersions({ deployment, running_deployment_source: null, target_deployment_source: withPipeline })).toEqual([{ kind: 'UNKNOWN', version: 'abc', name: 'demo', url: '' }]);
  });
});

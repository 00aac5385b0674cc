// The reference plugin as a stage plugin (`config: {kind: stage}`) answers like the SDK's StagePlugin (CATALOGUE §2.9).
import { describe, expect, it } from 'vitest';
import { ConfigError, parsePluginConfig } from '../../../fixtures/plugins/reference/config.js';
import { buildPipelineSyncStages, buildQuickSyncStages, determineStrategy, determineVersions } from '../../../fixtures/plugins/reference/deployment/planning.js';
import { FaultSet, type FaultName } from '../../../fixtures/plugins/reference/faults.js';
import { RpcError } from '../../../fixtures/plugins/reference/rpc.js';
import { stageExecutor } from '../../../fixtures/plugins/reference/stages/index.js';
import { definedStages } from '../../../fixtures/plugins/reference/stages/names.js';
import type { StageConfigRequest } from '../../../fixtures/plugins/reference/wire.js';

const none = new FaultSet();
const faults = (...names: FaultName[]) => new FaultSet(names);
const request = (name: string, index: number, config = ''): StageConfigRequest => ({ name, index, desc: '', timeout: '', config: Buffer.from(config) });
const base = { name: 'ref', url: 'file:///tmp/ref', port: 7001 };
const deployment = { id: 'd', application_id: 'a', application_name: 'demo', piped_id: 'p', deploy_targets_by_plugin: {}, trigger: null };
const source = (yaml: string) => ({ application_directory: '', commit_hash: 'abc', application_config: Buffer.from(yaml), application_config_filename: 'app.pipecd.yaml', shared_config_directory: '' });
const good = source('apiVersion: pipecd.dev/v1beta1\nkind: Application\nspec: {}\n');
const broken = source('apiVersion: pipecd.dev/v1beta1\nspec: [unclosed\n');

describe('reference plugin kind', () => {
  it('is a deployment plugin by default; kind stage needs no deploy targets', () => {
    expect(parsePluginConfig(JSON.stringify({ ...base, deployTargets: [{ name: 'local' }] })).settings.kind).toBe('deployment');
    const stage = parsePluginConfig(JSON.stringify({ ...base, config: { kind: 'stage' } }));
    expect(stage.settings.kind).toBe('stage');
    expect(stage.deployTargets).toEqual([]);
    expect(() => parsePluginConfig(JSON.stringify({ ...base, config: { kind: 'other' } }))).toThrow(ConfigError);
  });

  it('as a stage plugin defines REF_WAIT and REF_APPROVAL only, and executes nothing else', () => {
    expect(definedStages(none, 'stage')).toEqual(['REF_WAIT', 'REF_APPROVAL']);
    expect(stageExecutor('REF_WAIT', none, 'stage')).toBeDefined();
    expect(stageExecutor('REF_SYNC', none, 'stage')).toBeUndefined();
  });

  it('as a stage plugin answers planning like the SDK StagePlugin (PLAN-001, PLAN-005, PLAN-030)', () => {
    const input = { deployment, running_deployment_source: null, target_deployment_source: broken };
    expect(determineVersions(input, { faults: none, kind: 'stage' })).toEqual([]);
    expect(determineStrategy(input, none, 'stage')).toMatchObject({ unsupported: true });
    expect(buildQuickSyncStages(true, none, 'stage')).toEqual([]);
    const stages = buildPipelineSyncStages([request('REF_WAIT', 1), request('REF_APPROVAL', 3)], true, none, 'stage');
    expect(stages.map((s) => [s.name, s.index, s.rollback])).toEqual([['REF_WAIT', 1, false], ['REF_APPROVAL', 3, false]]);
    expect(() => buildPipelineSyncStages([request('REF_SYNC', 0)], false, none, 'stage')).toThrow(RpcError);
  });
});

describe('reference planning faults of issue 3', () => {
  const pipeline = [request('REF_WAIT', 1), request('REF_SYNC', 2), request('REF_APPROVAL', 4)];
  const input = (target = good, running: any = good) => ({ deployment, running_deployment_source: running, target_deployment_source: target });

  it('DetermineVersions parses the app config first (API-004) unless app-config-lenient', () => {
    expect(() => determineVersions(input(broken))).toThrow(RpcError);
    expect(determineVersions(input(broken), { faults: faults('app-config-lenient'), kind: 'deployment' })).toHaveLength(1);
  });

  it('version faults: refused, undefined kind, running source required', () => {
    expect(() => determineVersions(input(), { faults: faults('versions-refused'), kind: 'deployment' })).toThrow(RpcError);
    expect(determineVersions(input(), { faults: faults('version-kind-undefined'), kind: 'deployment' })[0].kind).toBe(7);
    const needsRunning = { faults: faults('versions-require-running-source'), kind: 'deployment' as const };
    expect(determineVersions(input(good, good), needsRunning)).toHaveLength(1);
    expect(() => determineVersions(input(good, null), needsRunning)).toThrow(RpcError);
  });

  it('strategy faults: empty summary, a different summary each call', () => {
    expect(determineStrategy(input(), faults('strategy-empty-summary')).summary).toBe('');
    const f = faults('strategy-nondeterministic');
    expect(determineStrategy(input(), f).summary).not.toBe(determineStrategy(input(), f).summary);
  });

  it('official-stage-name defines WAIT and plans it', () => {
    const f = faults('official-stage-name');
    expect(definedStages(f)).toContain('WAIT');
    expect(buildPipelineSyncStages([request('WAIT', 0)], false, f).map((s) => s.name)).toEqual(['WAIT']);
    expect(stageExecutor('WAIT', f)).toBeDefined();
  });

  it('plan faults: renamed stage, unasked rollback, UNKNOWN operation, empty metadata key, bad config accepted, changing desc', () => {
    expect(buildPipelineSyncStages(pipeline, false, faults('plan-rename-stage'))[0].name).toBe('REF_SYNC');
    expect(buildPipelineSyncStages(pipeline, false, faults('plan-rollback-unasked')).some((s) => s.rollback)).toBe(true);
    const operations = buildPipelineSyncStages(pipeline, false, faults('plan-unknown-operation')).map((s) => s.available_operation);
    expect(operations).toEqual(['MANUAL_OPERATION_UNKNOWN', 'MANUAL_OPERATION_UNKNOWN', 'MANUAL_OPERATION_APPROVE']);
    expect(Object.keys(buildPipelineSyncStages(pipeline, false, faults('plan-metadata-empty-key'))[2].metadata)).toEqual(['']);
    expect(() => buildPipelineSyncStages([request('REF_WAIT', 0, '{"duration":12345}')], false, none)).toThrow(RpcError);
    expect(buildPipelineSyncStages([request('REF_WAIT', 0, '{"duration":12345}')], false, faults('plan-ignore-bad-config'))).toHaveLength(1);
    expect(() => buildPipelineSyncStages([request('REF_WAIT', 0, '{"duration":"soon"}')], false, faults('plan-ignore-bad-config'))).toThrow(RpcError);
    const f = faults('plan-nondeterministic');
    expect(buildPipelineSyncStages(pipeline, false, f)[0].desc).not.toBe(buildPipelineSyncStages(pipeline, false, f)[0].desc);
  });

  it('quick-sync faults: refused, unasked rollback, only the rollback stage', () => {
    expect(() => buildQuickSyncStages(true, faults('quick-sync-refused'))).toThrow(RpcError);
    expect(buildQuickSyncStages(false, faults('quick-sync-rollback-unasked')).map((s) => s.rollback)).toEqual([false, true]);
    expect(buildQuickSyncStages(true, faults('quick-sync-only-rollback')).map((s) => s.rollback)).toEqual([true]);
  });
});

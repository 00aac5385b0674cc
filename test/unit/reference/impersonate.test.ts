// The reference plugin's `impersonate: wait` setting: as a stage plugin it poses as the official wait plugin, defining
// exactly [WAIT] and planning and executing WAIT as it does REF_WAIT (same options). With the fixtures
// reference-official-wait.yaml (name `wait`) and reference-borrowed-wait.yaml (name `my-wait`) it proves DEF-003's
// exception for the official plugin itself (test/e2e/official-stage-name.test.ts).
import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError, parsePluginConfig, type PluginConfig } from '../../../fixtures/plugins/reference/config.js';
import { executeStage } from '../../../fixtures/plugins/reference/deployment/execute.js';
import { buildPipelineSyncStages, buildQuickSyncStages, determineStrategy } from '../../../fixtures/plugins/reference/deployment/planning.js';
import { deploymentService } from '../../../fixtures/plugins/reference/deployment/service.js';
import { FaultSet } from '../../../fixtures/plugins/reference/faults.js';
import type { PipedClient } from '../../../fixtures/plugins/reference/piped-client.js';
import { FakePlatform } from '../../../fixtures/plugins/reference/platform.js';
import { InFlightCalls, RpcError, type CallContext } from '../../../fixtures/plugins/reference/rpc.js';
import { stageExecutor } from '../../../fixtures/plugins/reference/stages/index.js';
import { canonicalStageName, definedStages, IMPERSONATIONS } from '../../../fixtures/plugins/reference/stages/names.js';
import { START_TIME_KEY } from '../../../fixtures/plugins/reference/stages/wait.js';
import type { ExecutePluginInput, PipelineStage, StageConfigRequest } from '../../../fixtures/plugins/reference/wire.js';
import { checkNoOfficialStageNames } from '../../../src/contract/checks/index.js';
import { OFFICIAL_PLUGINS } from '../../../src/contract/official-stages.js';
import { loadProtocol, packageRoot } from '../../../src/protocol/load.js';

const root = packageRoot();
const none = new FaultSet();
const base = { name: 'wait', url: 'file:///tmp/ref', deployTargets: [] };
const request = (name: string, index: number, config: string | object = ''): StageConfigRequest => ({
  name, index, desc: 'a stage', timeout: '', config: Buffer.from(typeof config === 'string' ? config : JSON.stringify(config)),
});
const configOf = (config: unknown, extra: object = {}) => parsePluginConfig(JSON.stringify({ ...base, config, ...extra }));

function entryOf(file: string): any {
  return parse(readFileSync(path.join(root, 'fixtures', 'plugins', file), 'utf8'));
}

/** The plugin config of a YAML file under fixtures/plugins, as piped would pass it (url added). */
function configFromFile(file: string): PluginConfig {
  return parsePluginConfig(JSON.stringify({ ...entryOf(file), url: 'file:///tmp/reference-plugin' }));
}

function refusal(run: () => unknown): { code: number; message: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(RpcError);
    return { code: (error as RpcError).code, message: (error as RpcError).message };
  }
  throw new Error('expected a refusal, the plan was accepted');
}

describe('config.impersonate', () => {
  it('is absent by default, and `wait` with kind: stage', () => {
    expect(configOf({ kind: 'stage' }).settings).not.toHaveProperty('impersonate');
    expect(configOf({ kind: 'stage', impersonate: null }).settings).not.toHaveProperty('impersonate');
    expect(configOf({ kind: 'stage', impersonate: 'wait' }).settings).toMatchObject({ kind: 'stage', impersonate: 'wait' });
    expect(Object.keys(IMPERSONATIONS)).toEqual(['wait']);
  });

  it.each([
    ['another official plugin', 'waitapproval', 'config.impersonate must be one of "wait", got "waitapproval"'],
    ['a stage name', 'WAIT', 'config.impersonate must be one of "wait", got "WAIT"'],
    ['an empty string', '', 'config.impersonate must be one of "wait", got ""'],
    ['a boolean', true, 'config.impersonate must be one of "wait", got true'],
    ['an inherited key', 'toString', 'config.impersonate must be one of "wait", got "toString"'],
  ])('refuses %s, naming the allowed values', (_label, value, message) => {
    expect(() => configOf({ kind: 'stage', impersonate: value })).toThrow(ConfigError);
    expect(() => configOf({ kind: 'stage', impersonate: value })).toThrow(message);
  });

  it('refuses it without kind: stage (the official plugins are stage plugins)', () => {
    const message = 'config.impersonate "wait" needs config.kind "stage" (the official plugin is a stage plugin)';
    expect(() => configOf({ impersonate: 'wait' }, { deployTargets: [{ name: 'local' }] })).toThrow(message);
    expect(() => configOf({ kind: 'deployment', impersonate: 'wait' }, { deployTargets: [{ name: 'local' }] })).toThrow(ConfigError);
  });

  it('the fixtures: reference-official-wait.yaml is `wait`, reference-borrowed-wait.yaml `my-wait`, same config', () => {
    const official = entryOf('reference-official-wait.yaml');
    const borrowed = entryOf('reference-borrowed-wait.yaml');
    expect(official).toEqual({ name: 'wait', config: { kind: 'stage', impersonate: 'wait' }, deployTargets: [] });
    expect(borrowed).toEqual({ ...official, name: 'my-wait' });
    expect(configFromFile('reference-official-wait.yaml')).toMatchObject({ name: 'wait', settings: { kind: 'stage', impersonate: 'wait' }, deployTargets: [] });
    expect(configFromFile('reference-borrowed-wait.yaml').name).toBe('my-wait');
  });
});

describe('impersonate: wait, FetchDefinedStages', () => {
  it('defines exactly the official wait plugin\'s stage set, [WAIT]', () => {
    expect(definedStages(none, 'stage', 'wait')).toEqual(['WAIT']);
    const official = OFFICIAL_PLUGINS.find((p) => p.plugin === 'wait')!;
    expect(definedStages(none, 'stage', 'wait')).toEqual(official.stages.map((s) => s.name));
  });

  it('answers [WAIT] over the service, and DEF-003 holds for `wait` but not for `my-wait`', async () => {
    const answer = async (config: PluginConfig) => {
      const deps = { config, protocol: loadProtocol(), inFlight: new InFlightCalls(), piped: {} as PipedClient, platform: new FakePlatform() };
      const handler = deploymentService(deps).FetchDefinedStages as grpc.handleUnaryCall<any, any>;
      const fakeCall = { request: {}, on() {}, removeListener() {}, getDeadline: () => Infinity };
      return new Promise<{ error: unknown; response: any }>((resolve) => handler(fakeCall as any, (error: any, response: any) => resolve({ error, response })));
    };
    const official = configFromFile('reference-official-wait.yaml');
    const borrowed = configFromFile('reference-borrowed-wait.yaml');
    expect(await answer(official)).toEqual({ error: null, response: { stages: ['WAIT'] } });
    expect(await answer(borrowed)).toEqual({ error: null, response: { stages: ['WAIT'] } });
    expect(checkNoOfficialStageNames(['WAIT'], official.name)).toEqual([]);
    expect(checkNoOfficialStageNames(['WAIT'], borrowed.name).map((v) => v.evidence)).toMatchObject([{ name: 'WAIT', plugin: 'wait', pluginName: 'my-wait' }]);
  });

  it('leaves every other mode as it was', () => {
    expect(definedStages(none, 'stage')).toEqual(['REF_WAIT', 'REF_APPROVAL']);
    expect(definedStages(none)).toEqual(['REF_SYNC', 'REF_WAIT', 'REF_APPROVAL', 'REF_ROLLBACK']);
    expect(definedStages(new FaultSet(['official-stage-name']), 'stage')).toEqual(['WAIT', 'REF_APPROVAL']);
    expect(canonicalStageName('WAIT', none)).toBe('WAIT');
  });
});

describe('impersonate: wait, planning', () => {
  /** A planned stage without its name and timestamps, to compare WAIT's plan with REF_WAIT's. */
  const shape = ({ name: _name, created_at: _c, updated_at: _u, ...rest }: PipelineStage) => rest;
  const plan = (stages: StageConfigRequest[], required = false, rollback = true) => buildPipelineSyncStages(stages, rollback, none, 'stage', required, 'wait');
  const ownPlan = (stages: StageConfigRequest[], required = false, rollback = true) => buildPipelineSyncStages(stages, rollback, none, 'stage', required);

  it('plans WAIT exactly as REF_WAIT, name aside, with and without options', () => {
    for (const config of ['', '{}', { duration: '2s' }, { duration: '300ms' }]) {
      const waits = plan([request('WAIT', 1, config), request('WAIT', 4, config)]);
      const refWaits = ownPlan([request('REF_WAIT', 1, config), request('REF_WAIT', 4, config)]);
      expect(waits.map((s) => s.name)).toEqual(['WAIT', 'WAIT']);
      expect(waits.map(shape)).toEqual(refWaits.map(shape));
    }
  });

  it('checks WAIT\'s options as REF_WAIT\'s: `duration` is required under requireStageOptions, and must parse', () => {
    expect(refusal(() => plan([request('WAIT', 0, {})], true))).toEqual({
      code: grpc.status.INVALID_ARGUMENT, message: 'stage 0 (WAIT): duration must be set (how long to wait, such as "30s")',
    });
    expect(refusal(() => ownPlan([request('REF_WAIT', 0, {})], true)).message).toBe('stage 0 (REF_WAIT): duration must be set (how long to wait, such as "30s")');
    expect(refusal(() => plan([request('WAIT', 3, { duration: 5 })])).message).toBe('stage 3 (WAIT): duration must look like "300ms", "2s" or "1m", got 5');
    expect(plan([request('WAIT', 0, { duration: '1s' })], true)).toHaveLength(1);
  });

  it('refuses the reference plugin\'s own stage names, which it no longer defines', () => {
    for (const name of ['REF_WAIT', 'REF_APPROVAL', 'REF_SYNC']) {
      expect(refusal(() => plan([request(name, 2)]))).toEqual({
        code: grpc.status.INVALID_ARGUMENT, message: `stage 2 (${name}): this plugin does not define stage "${name}"`,
      });
    }
  });

  it('answers the rest like a stage plugin: no rollback or quick-sync stages, unsupported strategy', () => {
    expect(plan([request('WAIT', 1)], false, true).some((s) => s.rollback)).toBe(false);
    expect(buildQuickSyncStages(true, none, 'stage')).toEqual([]);
    expect(determineStrategy({ deployment: {} as any, running_deployment_source: null, target_deployment_source: null }, none, 'stage')).toMatchObject({ unsupported: true });
  });

  it('answers the gRPC call from the plugin config', async () => {
    const config = configFromFile('reference-official-wait.yaml');
    const deps = { config, protocol: loadProtocol(), inFlight: new InFlightCalls(), piped: {} as PipedClient, platform: new FakePlatform() };
    const handler = deploymentService(deps).BuildPipelineSyncStages as grpc.handleUnaryCall<any, any>;
    const call = (stages: StageConfigRequest[]) => {
      const fakeCall = { request: { stages, rollback: true }, on() {}, removeListener() {}, getDeadline: () => Infinity };
      return new Promise<{ error: any; response: any }>((resolve) => handler(fakeCall as any, (error: any, response: any) => resolve({ error, response })));
    };
    const accepted = await call([request('WAIT', 1, { duration: '2s' })]);
    expect(accepted.error).toBeNull();
    expect(accepted.response.stages.map((s: PipelineStage) => [s.name, s.index, s.rollback])).toEqual([['WAIT', 1, false]]);
    expect((await call([request('REF_WAIT', 1)])).error).toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
  });
});

describe('impersonate: wait, ExecuteStage', () => {
  it('runs WAIT with REF_WAIT\'s executor, and nothing else', () => {
    expect(stageExecutor('WAIT', none, 'stage', 'wait')).toBe(stageExecutor('REF_WAIT', none, 'stage'));
    expect(stageExecutor('WAIT', none, 'stage', 'wait')).toBeDefined();
    for (const name of ['REF_WAIT', 'REF_APPROVAL', 'REF_SYNC', 'REF_ROLLBACK']) expect(stageExecutor(name, none, 'stage', 'wait'), name).toBeUndefined();
    expect(stageExecutor('WAIT', none, 'stage')).toBeUndefined();
  });

  it('waits `duration` and records its start time, as REF_WAIT does', async () => {
    const piped = recordingPiped();
    const started = Date.now();
    expect(await execute(configFromFile('reference-official-wait.yaml'), piped, 'WAIT', { duration: '50ms' })).toEqual({ status: 'STAGE_SUCCESS', message: '' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(piped.metadata.has(START_TIME_KEY)).toBe(true);
    expect(piped.logs()).toContain('Waited 50ms');
  });

  it('fails a bad `duration` as REF_WAIT does', async () => {
    const impersonating = recordingPiped();
    expect(await execute(configFromFile('reference-official-wait.yaml'), impersonating, 'WAIT', { duration: 'soon' })).toEqual({ status: 'STAGE_FAILURE', message: '' });
    const own = recordingPiped();
    expect(await execute(configFromFile('reference-stage.yaml'), own, 'REF_WAIT', { duration: 'soon' })).toEqual({ status: 'STAGE_FAILURE', message: '' });
    const failure = (lines: string[]) => lines.filter((line) => line.startsWith('Stage failed: '));
    expect(failure(impersonating.logs())).toEqual(failure(own.logs()));
    expect(failure(impersonating.logs())).toHaveLength(1);
  });

  it('fails REF_WAIT, which it does not define', async () => {
    const piped = recordingPiped();
    expect(await execute(configFromFile('reference-borrowed-wait.yaml'), piped, 'REF_WAIT', { duration: '10ms' })).toEqual({ status: 'STAGE_FAILURE', message: '' });
    expect(piped.logs()).toContain('This plugin does not define stage "REF_WAIT"');
  });
});

// ---- ExecuteStage against a recording piped ----------------------------------------------------------------------

interface RecordingPiped {
  piped: PipedClient;
  /** PutStageMetadata writes, key → value. */
  metadata: Map<string, string>;
  /** Every stage log line sent. */
  logs: () => string[];
}

function recordingPiped(): RecordingPiped {
  const metadata = new Map<string, string>();
  const lines = new Map<string, string>();
  const piped = {
    call: async (method: string, req: any) => {
      if (method === 'ListStageCommands') return { commands: [] };
      if (method === 'GetStageMetadata') return { found: false, value: '' };
      if (method === 'PutStageMetadata') metadata.set(req.key, req.value);
      if (method.startsWith('ReportStageLogs')) for (const block of req.blocks ?? []) lines.set(String(block.index), block.log);
      return {};
    },
  } as unknown as PipedClient;
  return { piped, metadata, logs: () => [...lines.values()] };
}

function executeInput(name: string, config: object | null): ExecutePluginInput {
  const stage = { id: 'stage-1', name, index: 1, rollback: false } as PipelineStage;
  return {
    deployment: { id: 'dep-1', application_id: 'app-1', application_name: 'demo', piped_id: 'p', deploy_targets_by_plugin: {}, stages: [stage], trigger: { commit: { hash: 'abc' }, sync_strategy: 'PIPELINE' } },
    running_deployment_source: null,
    target_deployment_source: null,
    stage,
    stage_config: config === null ? null : Buffer.from(JSON.stringify(config)),
  };
}

async function execute(config: PluginConfig, piped: RecordingPiped, name: string, stageConfig: object | null) {
  const call: CallContext = { signal: new AbortController().signal, deadline: Infinity, shutdown: new AbortController().signal };
  return executeStage({ config, piped: piped.piped, platform: new FakePlatform() }, executeInput(name, stageConfig), call);
}

// Stage options of the reference plugin: the `requireStageOptions` mode (REF_WAIT needs `duration`, REF_APPROVAL
// needs `approvers`, refused at planning and failed at execution), `approvers` as authorized operators and as the
// only users whose approvals count, the example application, and the fault `approvers-only-when-configured`.
import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError, parsePluginConfig, type PluginConfig } from '../../../fixtures/plugins/reference/config.js';
import { executeStage } from '../../../fixtures/plugins/reference/deployment/execute.js';
import { buildPipelineSyncStages } from '../../../fixtures/plugins/reference/deployment/planning.js';
import { deploymentService } from '../../../fixtures/plugins/reference/deployment/service.js';
import { FaultSet } from '../../../fixtures/plugins/reference/faults.js';
import type { PipedClient } from '../../../fixtures/plugins/reference/piped-client.js';
import { FakePlatform } from '../../../fixtures/plugins/reference/platform.js';
import { InFlightCalls, RpcError, type CallContext } from '../../../fixtures/plugins/reference/rpc.js';
import { APPROVED_USERS_KEY, DISPLAY_KEY } from '../../../fixtures/plugins/reference/stages/approval.js';
import { DEFINED_STAGES, REF_ROLLBACK } from '../../../fixtures/plugins/reference/stages/names.js';
import type { Command, ExecutePluginInput, PipelineStage, StageConfigRequest } from '../../../fixtures/plugins/reference/wire.js';
import { loadProtocol, packageRoot } from '../../../src/protocol/load.js';

const root = packageRoot();
const none = new FaultSet();
const request = (name: string, index: number, config: string | object = ''): StageConfigRequest => ({
  name, index, desc: '', timeout: '', config: Buffer.from(typeof config === 'string' ? config : JSON.stringify(config)),
});

const APPROVERS_MISSING = 'approvers must be set (a non-empty list of users who may approve)';
const DURATION_MISSING = 'duration must be set (how long to wait, such as "30s")';

/** The plugin config of a YAML file under fixtures/plugins, as piped would pass it (url added). */
function configFromFile(file: string, extra: Record<string, unknown> = {}): PluginConfig {
  const entry = parse(readFileSync(path.join(root, 'fixtures', 'plugins', file), 'utf8'));
  return parsePluginConfig(JSON.stringify({ ...entry, url: 'file:///tmp/reference-plugin', config: { ...entry.config, ...extra } }));
}

const configured = () => configFromFile('reference-configured.yaml', { commandPollMs: 5 });
const defaultStage = () => configFromFile('reference-stage.yaml', { commandPollMs: 5 });
const mutant = () => configFromFile('mutants/approvers-only-when-configured.yaml', { commandPollMs: 5 });

function refusal(run: () => unknown): { code: number; message: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(RpcError);
    return { code: (error as RpcError).code, message: (error as RpcError).message };
  }
  throw new Error('expected a refusal, the plan was accepted');
}

describe('config.requireStageOptions', () => {
  const base = { name: 'ref', url: 'file:///tmp/ref', deployTargets: [] };

  it('defaults to false, combines with kind: stage, and must be a boolean', () => {
    expect(parsePluginConfig(JSON.stringify({ ...base, config: { kind: 'stage' } })).settings.requireStageOptions).toBe(false);
    const settings = parsePluginConfig(JSON.stringify({ ...base, config: { kind: 'stage', requireStageOptions: true } })).settings;
    expect(settings).toMatchObject({ kind: 'stage', requireStageOptions: true });
    expect(() => parsePluginConfig(JSON.stringify({ ...base, config: { kind: 'stage', requireStageOptions: 'yes' } }))).toThrow(ConfigError);
    expect(configured().settings).toMatchObject({ kind: 'stage', requireStageOptions: true });
    expect(configured().name).toBe('reference-plugin');
  });
});

describe('BuildPipelineSyncStages with requireStageOptions', () => {
  const plan = (stages: StageConfigRequest[], required = true) => buildPipelineSyncStages(stages, false, none, 'stage', required);

  it.each([
    ['REF_APPROVAL {}', request('REF_APPROVAL', 1, {}), `stage 1 (REF_APPROVAL): ${APPROVERS_MISSING}`],
    ['REF_APPROVAL without stage config', request('REF_APPROVAL', 1), `stage 1 (REF_APPROVAL): ${APPROVERS_MISSING}`],
    ['REF_APPROVAL with only minApproverNum', request('REF_APPROVAL', 1, { minApproverNum: 1 }), `stage 1 (REF_APPROVAL): ${APPROVERS_MISSING}`],
    ['REF_WAIT {}', request('REF_WAIT', 0, {}), `stage 0 (REF_WAIT): ${DURATION_MISSING}`],
    ['REF_WAIT with an empty duration', request('REF_WAIT', 0, { duration: '' }), `stage 0 (REF_WAIT): ${DURATION_MISSING}`],
    ['approvers as a string', request('REF_APPROVAL', 2, { approvers: 'alice' }), 'stage 2 (REF_APPROVAL): approvers must be a list of user names (non-empty strings), got "alice"'],
    ['approvers empty', request('REF_APPROVAL', 2, { approvers: [] }), `stage 2 (REF_APPROVAL): ${APPROVERS_MISSING}`],
    ['approvers with an empty name', request('REF_APPROVAL', 2, { approvers: ['alice', ''] }), 'stage 2 (REF_APPROVAL): approvers must be a list of user names (non-empty strings), got ["alice",""]'],
    ['approvers with a number', request('REF_APPROVAL', 2, { approvers: ['alice', 7] }), 'stage 2 (REF_APPROVAL): approvers must be a list of user names (non-empty strings), got ["alice",7]'],
    ['duration as a number', request('REF_WAIT', 3, { duration: 5 }), 'stage 3 (REF_WAIT): duration must look like "300ms", "2s" or "1m", got 5'],
  ])('refuses %s with INVALID_ARGUMENT naming the option', (_label, stage, message) => {
    expect(refusal(() => plan([stage]))).toEqual({ code: grpc.status.INVALID_ARGUMENT, message });
  });

  it('accepts the same configs in the default mode', () => {
    expect(plan([request('REF_WAIT', 0, {}), request('REF_APPROVAL', 1, {}), request('REF_APPROVAL', 2)], false)).toHaveLength(3);
  });

  it('accepts a valid config and plans authorized_operators = approvers (rollback and wait stages get none)', () => {
    const stages = buildPipelineSyncStages(
      [request('REF_WAIT', 0, { duration: '2s' }), request('REF_APPROVAL', 1, { approvers: ['alice', 'bob'] }), request('REF_SYNC', 2)],
      true, none, 'deployment', true,
    );
    expect(stages.map((s) => [s.name, s.rollback, s.authorized_operators])).toEqual([
      ['REF_WAIT', false, []],
      ['REF_APPROVAL', false, ['alice', 'bob']],
      ['REF_SYNC', false, []],
      [REF_ROLLBACK, true, []],
    ]);
    expect(stages[1].available_operation).toBe('MANUAL_OPERATION_APPROVE');
  });

  it('refuses minApproverNum above the number of distinct approvers, in both modes', () => {
    const stage = request('REF_APPROVAL', 4, { approvers: ['alice', 'alice'], minApproverNum: 2 });
    const message = 'stage 4 (REF_APPROVAL): minApproverNum 2 is more than the 1 distinct approvers listed in approvers; the stage could never be approved';
    expect(refusal(() => plan([stage]))).toEqual({ code: grpc.status.INVALID_ARGUMENT, message });
    expect(refusal(() => plan([stage], false)).message).toBe(message);
  });

  it('answers the gRPC call with INVALID_ARGUMENT when the plugin config sets requireStageOptions', async () => {
    const call = (config: PluginConfig) => {
      const deps = { config, protocol: loadProtocol(), inFlight: new InFlightCalls(), piped: {} as PipedClient, platform: new FakePlatform() };
      const handler = deploymentService(deps).BuildPipelineSyncStages as grpc.handleUnaryCall<any, any>;
      const fakeCall = { request: { stages: [request('REF_APPROVAL', 1, {})], rollback: false }, on() {}, removeListener() {}, getDeadline: () => Infinity };
      return new Promise<{ error: Partial<grpc.StatusObject> | null; response: any }>((resolve) => {
        handler(fakeCall as any, (error: any, response: any) => resolve({ error, response }));
      });
    };
    const refused = await call(configured());
    expect(refused.error).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: `stage 1 (REF_APPROVAL): ${APPROVERS_MISSING}` });
    const accepted = await call(defaultStage());
    expect(accepted.error).toBeNull();
    expect(accepted.response.stages.map((s: PipelineStage) => s.name)).toEqual(['REF_APPROVAL']);
  });
});

describe('BuildPipelineSyncStages with approvers in the default mode', () => {
  it('plans authorized_operators from approvers when given, none for {} or approvers: []', () => {
    const stages = buildPipelineSyncStages([request('REF_APPROVAL', 0, { approvers: ['carol'] }), request('REF_APPROVAL', 1, {}), request('REF_APPROVAL', 2, { approvers: [] })], false, none);
    expect(stages.map((s) => s.authorized_operators)).toEqual([['carol'], [], []]);
  });

  it('refuses wrongly typed approvers (the option is checked whenever it is given)', () => {
    expect(refusal(() => buildPipelineSyncStages([request('REF_APPROVAL', 0, { approvers: 'carol' })], false, none)).message)
      .toBe('stage 0 (REF_APPROVAL): approvers must be a list of user names (non-empty strings), got "carol"');
  });
});

// ---- ExecuteStage against a scripted piped --------------------------------------------------------------------

interface ScriptedPiped {
  piped: PipedClient;
  /** Every call's method, in order. */
  methods: string[];
  /** PutStageMetadata writes, key → value. */
  metadata: Map<string, string>;
  /** Every stage log line sent. */
  logs: () => string[];
}

/** A piped whose ListStageCommands answers `commandsAt(n)` on the n-th call (from 1). */
function scriptedPiped(commandsAt: (poll: number) => Command[] = () => []): ScriptedPiped {
  const methods: string[] = [];
  const metadata = new Map<string, string>();
  const lines = new Map<string, string>();
  let polls = 0;
  const piped = {
    call: async (method: string, req: any) => {
      methods.push(method);
      if (method === 'ListStageCommands') return { commands: commandsAt(++polls) };
      if (method === 'GetStageMetadata') return { found: false, value: '' };
      if (method === 'PutStageMetadata') metadata.set(req.key, req.value);
      if (method.startsWith('ReportStageLogs')) for (const block of req.blocks ?? []) lines.set(String(block.index), block.log);
      return {};
    },
  } as unknown as PipedClient;
  return { piped, methods, metadata, logs: () => [...lines.values()] };
}

const approve = (id: string, commander: string): Command => ({ id, type: 'APPROVE_STAGE', commander });

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

async function execute(config: PluginConfig, piped: ScriptedPiped, name: string, stageConfig: object | null, abortAfterMs?: number) {
  const controller = new AbortController();
  if (abortAfterMs !== undefined) setTimeout(() => controller.abort('client-cancelled'), abortAfterMs);
  const call: CallContext = { signal: controller.signal, deadline: Infinity, shutdown: new AbortController().signal };
  return executeStage({ config, piped: piped.piped, platform: new FakePlatform() }, executeInput(name, stageConfig), call);
}

describe('ExecuteStage with requireStageOptions', () => {
  it.each([
    ['REF_APPROVAL', {}, APPROVERS_MISSING],
    ['REF_APPROVAL', null, APPROVERS_MISSING],
    ['REF_WAIT', {}, DURATION_MISSING],
    ['REF_WAIT', null, DURATION_MISSING],
    ['REF_APPROVAL', { approvers: 'alice' }, 'approvers must be a list of user names (non-empty strings), got "alice"'],
  ])('fails %s with config %j: STAGE_FAILURE and a log line naming the option', async (name, stageConfig, message) => {
    const piped = scriptedPiped(() => [approve('c1', 'alice')]);
    expect(await execute(configured(), piped, name, stageConfig)).toEqual({ status: 'STAGE_FAILURE', message: '' });
    expect(piped.logs()).toContain(`Stage failed: ${message}`);
    expect(piped.methods).not.toContain('ListStageCommands');
    expect(piped.methods).not.toContain('PutStageMetadata');
  });

  it('the same {} configs run with defaults in the default mode', async () => {
    const piped = scriptedPiped(() => [approve('c1', 'mallory')]);
    expect(await execute(defaultStage(), piped, 'REF_APPROVAL', {})).toEqual({ status: 'STAGE_SUCCESS', message: '' });
    expect(piped.metadata.get(APPROVED_USERS_KEY)).toBe('mallory');
  });

  it('runs a valid REF_WAIT', async () => {
    const piped = scriptedPiped();
    expect(await execute(configured(), piped, 'REF_WAIT', { duration: '20ms' })).toEqual({ status: 'STAGE_SUCCESS', message: '' });
  });

  it('counts only approvers: earlier approvals by others are logged as not allowed and ignored', async () => {
    // Polls 1-3 list only mallory's approval; from poll 4 alice's too. Counting mallory would succeed at poll 1.
    const piped = scriptedPiped((poll) => (poll < 4 ? [approve('c1', 'mallory')] : [approve('c1', 'mallory'), approve('c2', 'alice')]));
    expect(await execute(configured(), piped, 'REF_APPROVAL', { approvers: ['alice', 'bob'] })).toEqual({ status: 'STAGE_SUCCESS', message: '' });
    expect(piped.metadata.get(APPROVED_USERS_KEY)).toBe('alice');
    expect(piped.methods.filter((m) => m === 'ListStageCommands')).toHaveLength(4);
    const notAllowed = piped.logs().filter((line) => line.includes('not allowed'));
    expect(notAllowed).toEqual(['mallory is not allowed to approve this stage (approvers: alice, bob); approval ignored']);
  });

  it('never approves on others\' approvals alone', async () => {
    const piped = scriptedPiped(() => [approve('c1', 'mallory'), approve('c2', 'eve')]);
    const answer = await execute(configured(), piped, 'REF_APPROVAL', { approvers: ['alice'] }, 150);
    expect(answer.status).toBe('STAGE_FAILURE');
    expect(piped.methods.filter((m) => m === 'ListStageCommands').length).toBeGreaterThan(3);
    expect(piped.metadata.has(APPROVED_USERS_KEY)).toBe(false);
  });

  it('needs minApproverNum distinct approvers among approvers', async () => {
    const piped = scriptedPiped((poll) => [approve('c1', 'alice'), approve('c2', 'mallory'), ...(poll >= 3 ? [approve('c3', 'bob')] : [])]);
    expect(await execute(configured(), piped, 'REF_APPROVAL', { approvers: ['alice', 'bob'], minApproverNum: 2 })).toEqual({ status: 'STAGE_SUCCESS', message: '' });
    expect(piped.metadata.get(APPROVED_USERS_KEY)).toBe('alice,bob');
  });

  it('honours approvers in the default mode too, when given', async () => {
    const piped = scriptedPiped((poll) => (poll < 3 ? [approve('c1', 'mallory')] : [approve('c1', 'mallory'), approve('c2', 'carol')]));
    expect(await execute(defaultStage(), piped, 'REF_APPROVAL', { approvers: ['carol'] })).toEqual({ status: 'STAGE_SUCCESS', message: '' });
    expect(piped.metadata.get(APPROVED_USERS_KEY)).toBe('carol');
  });
});

describe('fault approvers-only-when-configured (EXEC-016)', () => {
  it('its mutant config switches the fault on in requireStageOptions mode', () => {
    expect(mutant().settings.faults.has('approvers-only-when-configured')).toBe(true);
    expect(mutant().settings).toMatchObject({ kind: 'stage', requireStageOptions: true });
  });

  it('a stage configured with approvers succeeds without writing pipecd/stage-approved-users; the reference writes it', async () => {
    const faulty = scriptedPiped(() => [approve('c1', 'alice')]);
    expect(await execute(mutant(), faulty, 'REF_APPROVAL', { approvers: ['alice'] })).toEqual({ status: 'STAGE_SUCCESS', message: '' });
    expect(faulty.metadata.has(APPROVED_USERS_KEY)).toBe(false);
    expect(faulty.metadata.get(DISPLAY_KEY)).toBe('Approved by alice');
    const reference = scriptedPiped(() => [approve('c1', 'alice')]);
    expect(await execute(configured(), reference, 'REF_APPROVAL', { approvers: ['alice'] })).toEqual({ status: 'STAGE_SUCCESS', message: '' });
    expect(reference.metadata.get(APPROVED_USERS_KEY)).toBe('alice');
  });

  it('a stage without approvers still records them (the fault hides from unconfigured stages)', async () => {
    const config = parsePluginConfig(JSON.stringify({ name: 'reference-plugin', url: 'file:///tmp/r', config: { kind: 'stage', commandPollMs: 5, faults: ['approvers-only-when-configured'] } }));
    const piped = scriptedPiped(() => [approve('c1', 'alice')]);
    expect(await execute(config, piped, 'REF_APPROVAL', {})).toEqual({ status: 'STAGE_SUCCESS', message: '' });
    expect(piped.metadata.get(APPROVED_USERS_KEY)).toBe('alice');
  });
});

// ---- the example application ---------------------------------------------------------------------------------

describe('examples/pipeline/app.pipecd.yaml', () => {
  const file = path.join(root, 'fixtures', 'plugins', 'reference', 'examples', 'pipeline', 'app.pipecd.yaml');
  const app = parse(readFileSync(file, 'utf8'));
  const stages: { name: string; with?: object }[] = app.spec.pipeline.stages;

  it('is a pipedv1 application of the reference plugin using every pipeline stage it defines, and no other', () => {
    expect(app).toMatchObject({ apiVersion: 'pipecd.dev/v1beta1', kind: 'Application', spec: { plugins: { 'reference-plugin': {} } } });
    expect(new Set(stages.map((s) => s.name))).toEqual(new Set(DEFINED_STAGES.filter((name) => name !== REF_ROLLBACK)));
    expect(stages[0]).toEqual({ name: 'REF_WAIT', with: { duration: '2s' } });
    expect(stages.filter((s) => s.name === 'REF_APPROVAL').map((s) => s.with)).toEqual([
      { approvers: ['alice', 'bob'] },
      { minApproverNum: 2, approvers: ['alice', 'bob'] },
    ]);
  });

  it('plans in requireStageOptions mode, as a deployment plugin and (its own stages) as a stage plugin', () => {
    const requests = stages.map((s, index) => request(s.name, index, s.with ?? ''));
    const planned = buildPipelineSyncStages(requests, true, none, 'deployment', true);
    expect(planned.filter((s) => !s.rollback).map((s) => s.name)).toEqual(stages.map((s) => s.name));
    const own = requests.filter((r) => r.name !== 'REF_SYNC');
    expect(buildPipelineSyncStages(own, false, none, 'stage', true).map((s) => s.authorized_operators)).toEqual([[], ['alice', 'bob'], ['alice', 'bob']]);
  });
});

import { describe, it, expect } from 'vitest';
import { parse } from 'yaml';
import {
  applicationConfig,
  assignStageIds,
  deployment,
  deploymentSource,
  executeRequest,
  freshIds,
  livestateRequest,
  pipelineRequest,
  planInput,
  planPreviewRequest,
  plainStage,
  RUNNING_COMMIT,
  TARGET_COMMIT,
  type AppSpec,
  type Checkout,
  type DeploymentSpec,
  type Sources,
} from '../../../src/generate/requests.js';
import { loadProtocol } from '../../../src/protocol/load.js';
import { validateMessage } from '../../../src/protocol/validate.js';

const protocol = loadProtocol();
const DEPLOYMENT_API = 'grpc.plugin.deploymentapi.v1alpha1';
const NOW = String(Math.floor(Date.now() / 1000));

const app: AppSpec = {
  pluginName: 'example',
  pipeline: [{ name: 'EXAMPLE_SYNC' }, { name: 'WAIT', with: { duration: '1s' } }, { name: 'EXAMPLE_PROMOTE', with: { percent: 50 } }],
  pluginSpec: { input: { manifests: ['deployment.yaml'] } },
};

/** Builders are pure: any absolute checkout paths will do (src/host/workspace.ts makes real ones). */
const CHECKOUT: Checkout = { applicationDirectory: '/srv/piped/deploysource/repo-1/apps/conformance', sharedConfigDirectory: '/srv/piped/deploysource/repo-1/.pipe' };

function sources(withRunning: boolean): Sources {
  return { target: deploymentSource(app, TARGET_COMMIT, CHECKOUT), running: withRunning ? deploymentSource(app, RUNNING_COMMIT, CHECKOUT) : null };
}

function depSpec(overrides: Partial<DeploymentSpec> = {}): DeploymentSpec {
  return { ids: freshIds('unit'), pluginName: 'example', deployTargets: ['dev'], ...overrides };
}

describe('request builders produce PGV-valid messages', () => {
  it('DetermineVersionsRequest with a running source', () => {
    expect(validateMessage(protocol.root, `${DEPLOYMENT_API}.DetermineVersionsRequest`, { input: planInput(depSpec(), sources(true)) })).toEqual([]);
  });

  it('DetermineVersionsRequest without a running source (first deployment)', () => {
    const input = planInput(depSpec(), sources(false));
    expect(input.running_deployment_source).toBeNull();
    expect(validateMessage(protocol.root, `${DEPLOYMENT_API}.DetermineVersionsRequest`, { input })).toEqual([]);
  });

  it('DetermineStrategyRequest for a stage plugin (no deploy targets)', () => {
    const input = planInput(depSpec({ deployTargets: undefined }), sources(false));
    expect(input.deployment.deploy_targets_by_plugin).toEqual({});
    expect(validateMessage(protocol.root, `${DEPLOYMENT_API}.DetermineStrategyRequest`, { input })).toEqual([]);
  });

  it('BuildPipelineSyncStagesRequest from pipelineRequest', () => {
    const request = pipelineRequest(
      [
        { name: 'EXAMPLE_SYNC', index: 0 },
        { name: 'WAIT', index: 1, with: { duration: '1s' }, desc: 'wait a bit' },
      ],
      true,
    );
    expect(request.rollback).toBe(true);
    expect(JSON.parse(request.stages[1].config.toString())).toEqual({ duration: '1s' });
    expect(validateMessage(protocol.root, `${DEPLOYMENT_API}.BuildPipelineSyncStagesRequest`, request)).toEqual([]);
  });

  it('ExecuteStageRequest from executeRequest with a plainStage and a deployment with assigned stage ids', () => {
    const stages = assignStageIds([plainStage('EXAMPLE_SYNC', 0), plainStage('WAIT', 1), plainStage('EXAMPLE_ROLLBACK', 0, true)]);
    const ids = freshIds('unit');
    const dep = deployment({ ids, pluginName: 'example', deployTargets: ['dev'], stages, status: 'DEPLOYMENT_RUNNING', syncStrategy: 'PIPELINE' });
    const planned = planInput({ ids, pluginName: 'example' }, sources(true));
    const request = executeRequest(dep, stages[1], { duration: '1s' }, planned.target_deployment_source, planned.running_deployment_source);
    expect(validateMessage(protocol.root, `${DEPLOYMENT_API}.ExecuteStageRequest`, request)).toEqual([]);
  });

  it('ExecuteStageRequest with no stage config and no running source', () => {
    const stage = plainStage('UNKNOWN_STAGE', 0);
    const dep = deployment({ ...depSpec(), stages: [stage] });
    const request = executeRequest(dep, stage, undefined, planInput(depSpec(), sources(false)).target_deployment_source, null);
    expect(request.input.stage_config.length).toBe(0);
    expect(validateMessage(protocol.root, `${DEPLOYMENT_API}.ExecuteStageRequest`, request)).toEqual([]);
  });

  it('GetLivestateRequest', () => {
    const request = livestateRequest(freshIds('unit'), app, ['dev'], sources(false).target);
    expect(validateMessage(protocol.root, 'grpc.plugin.livestateapi.v1alpha1.GetLivestateRequest', request)).toEqual([]);
  });

  it('GetPlanPreviewRequest, with and without a running source', () => {
    for (const withRunning of [true, false]) {
      const request = planPreviewRequest(freshIds('unit'), app, ['dev'], sources(withRunning));
      expect(validateMessage(protocol.root, 'grpc.plugin.planpreviewapi.v1alpha1.GetPlanPreviewRequest', request)).toEqual([]);
    }
  });
});

describe('applicationConfig', () => {
  it('is app.pipecd.yaml with apiVersion, kind, spec.plugins.<name> and the pipeline in order', () => {
    const parsed = parse(applicationConfig(app));
    expect(parsed.apiVersion).toBe('pipecd.dev/v1beta1');
    expect(parsed.kind).toBe('Application');
    expect(parsed.spec.name).toBe('conformance-app');
    expect(parsed.spec.plugins.example).toEqual({ input: { manifests: ['deployment.yaml'] } });
    expect(parsed.spec.pipeline.stages).toEqual([{ name: 'EXAMPLE_SYNC' }, { name: 'WAIT', with: { duration: '1s' } }, { name: 'EXAMPLE_PROMOTE', with: { percent: 50 } }]);
    expect(parsed.spec.pipeline.stages[2].name).toBe('EXAMPLE_PROMOTE');
  });

  it('has an empty plugin section and no pipeline when none is given', () => {
    const parsed = parse(applicationConfig({ pluginName: 'wait', appName: 'my-app' }));
    expect(parsed.spec).toEqual({ name: 'my-app', plugins: { wait: {} } });
  });

  it('is what deploymentSource carries as application_config bytes', () => {
    const source = planInput(depSpec(), sources(false)).target_deployment_source;
    expect(source.application_config.toString('utf8')).toBe(applicationConfig(app));
    expect(source.application_config_filename).toBe('app.pipecd.yaml');
  });

  it('deploymentSource points at the checkout it is given', () => {
    const source = deploymentSource(app, TARGET_COMMIT, CHECKOUT);
    expect(source.application_directory).toBe(CHECKOUT.applicationDirectory);
    expect(source.shared_config_directory).toBe(CHECKOUT.sharedConfigDirectory);
    expect(source.commit_hash).toBe(TARGET_COMMIT);
  });
});

describe('assignStageIds', () => {
  it('gives forward stages ids in index order, each requiring the previous one, and puts rollback stages last', () => {
    const input = [plainStage('ROLLBACK', 0, true), plainStage('C', 2), plainStage('A', 0), plainStage('B', 1)];
    const stages = assignStageIds(input.map((s) => ({ ...s, id: '' })));
    expect(stages.map((s) => s.name)).toEqual(['A', 'B', 'C', 'ROLLBACK']);
    for (const s of stages) expect(s.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(stages.map((s) => s.id)).size).toBe(4);
    expect(stages[0].requires).toEqual([]);
    expect(stages[1].requires).toEqual([stages[0].id]);
    expect(stages[2].requires).toEqual([stages[1].id]);
    expect(stages[3].rollback).toBe(true);
    expect(stages[3].requires).toEqual([]);
  });

  it('does not change the stages it was given', () => {
    const input = [plainStage('A', 0)];
    const before = structuredClone(input);
    assignStageIds(input);
    expect(input).toEqual(before);
  });
});

describe('validator sanity: broken messages are caught', () => {
  it('a Deployment with an empty id → string.min_len at input.deployment.id', () => {
    const input = planInput(depSpec(), sources(false));
    input.deployment.id = '';
    const found = validateMessage(protocol.root, `${DEPLOYMENT_API}.DetermineVersionsRequest`, { input });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ path: 'input.deployment.id', rule: 'string.min_len' });
  });

  it('an absolute git_path.path → string.pattern', () => {
    const input = planInput(depSpec(), sources(false));
    input.deployment.git_path.path = '/abs';
    const found = validateMessage(protocol.root, `${DEPLOYMENT_API}.DetermineVersionsRequest`, { input });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ path: 'input.deployment.git_path.path', rule: 'string.pattern' });
  });

  it('a missing required input → message.required', () => {
    const found = validateMessage(protocol.root, `${DEPLOYMENT_API}.DetermineVersionsRequest`, {});
    expect(found).toEqual([expect.objectContaining({ path: 'input', rule: 'message.required' })]);
  });

  it('a log block with severity 7 (a number) → enum.defined_only', () => {
    const request = { deployment_id: 'd1', stage_id: 's1', retried_count: 0, blocks: [{ index: '1', log: 'hello', severity: 7, created_at: NOW }] };
    const found = validateMessage(protocol.root, 'grpc.piped.service.ReportStageLogsRequest', request);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ path: 'blocks[0].severity', rule: 'enum.defined_only' });
    expect(found[0].message).toContain('7');
  });

  it('a log block with created_at "0" → int64.gt', () => {
    const request = { deployment_id: 'd1', stage_id: 's1', retried_count: 0, blocks: [{ index: '1', log: 'hello', severity: 'INFO', created_at: '0' }] };
    const found = validateMessage(protocol.root, 'grpc.piped.service.ReportStageLogsRequest', request);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ path: 'blocks[0].created_at', rule: 'int64.gt' });
  });

  it('a stage with created_at "0" → int64.gt at its path', () => {
    const stage = { ...plainStage('A', 0), created_at: '0' };
    const found = validateMessage(protocol.root, `${DEPLOYMENT_API}.ExecuteStageRequest`, executeRequest(deployment(depSpec()), stage, undefined, null, null));
    expect(found).toEqual([expect.objectContaining({ path: 'input.stage.created_at', rule: 'int64.gt' })]);
  });
});

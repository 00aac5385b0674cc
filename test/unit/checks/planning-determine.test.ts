import { describe, it, expect } from 'vitest';
import {
  checkArtifactVersionKinds, checkNoStageScopedCallbacks, checkSameAnswer, checkStrategySummary, checkSurvivesPartialDeployment,
  checkVersionsAnswered, checkVersionsWithoutRunningSource,
} from '../../../src/contract/checks/index.js';
import { failed, journalEntry, ok } from './fixtures.js';

const rulesOf = (found: { rule: string }[]) => found.map((v) => v.rule);
const version = (kind: unknown) => ({ kind, version: 'v1.2.3', name: 'app', url: '' });

describe('DetermineVersions checks', () => {
  it('PLAN-001 passes for OK answers: versions from a deployment plugin, none from a stage plugin', () => {
    expect(checkVersionsAnswered('deployment', ok({ versions: [version('UNKNOWN')] }))).toEqual([]);
    expect(checkVersionsAnswered('stage', ok({ versions: [] }))).toEqual([]);
  });

  it('PLAN-001 flags a refusal, and versions from a stage plugin', () => {
    expect(rulesOf(checkVersionsAnswered('deployment', failed(13, 'INTERNAL', 'boom')))).toEqual(['PLAN-001']);
    const found = checkVersionsAnswered('stage', ok({ versions: [version('UNKNOWN')] }));
    expect(rulesOf(found)).toEqual(['PLAN-001']);
    expect(found[0].message).toContain('stage plugin');
  });

  it('PLAN-002 passes for every defined kind', () => {
    expect(checkArtifactVersionKinds(['UNKNOWN', 'CONTAINER_IMAGE', 'S3_OBJECT', 'GIT_SOURCE', 'TERRAFORM_MODULE'].map(version))).toEqual([]);
  });

  it('PLAN-002 flags an undefined enum number', () => {
    const found = checkArtifactVersionKinds([version('UNKNOWN'), version(7)]);
    expect(rulesOf(found)).toEqual(['PLAN-002']);
    expect(found[0].message).toContain('versions[1].kind');
    expect(found[0].message).toContain('undefined value 7');
  });

  it('PLAN-003 passes for OK and flags a refusal without a running source', () => {
    expect(checkVersionsWithoutRunningSource(ok({ versions: [] }))).toEqual([]);
    expect(rulesOf(checkVersionsWithoutRunningSource(failed(13, 'INTERNAL', 'running_deployment_source is required')))).toEqual(['PLAN-003']);
  });
});

describe('DetermineStrategy checks', () => {
  it('PLAN-006 passes for a summary, and for unsupported answers without one', () => {
    expect(checkStrategySummary({ sync_strategy: 'PIPELINE', summary: 'pipeline defined', unsupported: false })).toEqual([]);
    expect(checkStrategySummary({ sync_strategy: 'AUTO', summary: '', unsupported: true })).toEqual([]);
  });

  it('PLAN-006 flags a chosen strategy with a blank summary', () => {
    const found = checkStrategySummary({ sync_strategy: 'QUICK_SYNC', summary: '  ', unsupported: false });
    expect(rulesOf(found)).toEqual(['PLAN-006']);
    expect(found[0].message).toContain('QUICK_SYNC');
  });

  it('PLAN-007 passes for any answer, INVALID_ARGUMENT included', () => {
    expect(checkSurvivesPartialDeployment(failed(3, 'INVALID_ARGUMENT'), undefined)).toEqual([]);
    expect(checkSurvivesPartialDeployment(ok({ unsupported: true }), undefined)).toEqual([]);
  });

  it('PLAN-007 flags a hang and an unexpected exit', () => {
    const found = checkSurvivesPartialDeployment(failed(4, 'HARNESS_TIMEOUT'), { code: null, signal: 'SIGSEGV', requested: false });
    expect(rulesOf(found)).toEqual(['PLAN-007', 'PLAN-007']);
    expect(found[1].message).toContain('killed by SIGSEGV');
  });
});

describe('planning callbacks and determinism', () => {
  it('PLAN-008 passes for no callbacks and for deployment-scoped metadata calls', () => {
    const plugin = journalEntry('GetDeploymentPluginMetadata', { deployment_id: 'd1', plugin_name: 'p', key: 'k' });
    expect(checkNoStageScopedCallbacks('DetermineStrategy', ok({}, [plugin]))).toEqual([]);
  });

  it('PLAN-008 flags stage-scoped callbacks and names the planning RPC', () => {
    const list = journalEntry('ListStageCommands', { deployment_id: 'd1', stage_id: 'planning' });
    const log = journalEntry('ReportStageLogs', { deployment_id: 'd1', stage_id: 'x', blocks: [] });
    const found = checkNoStageScopedCallbacks('BuildPipelineSyncStages', ok({}, [list, log]));
    expect(rulesOf(found)).toEqual(['PLAN-008', 'PLAN-008']);
    expect(found[0].message).toContain('BuildPipelineSyncStages made the stage-scoped callback');
    expect(found[0].message).toContain('ListStageCommands');
  });

  it('PLAN-009 passes for equal answers whatever the key order, and for the same error', () => {
    expect(checkSameAnswer('DetermineStrategy', [ok({ sync_strategy: 'PIPELINE', summary: 's' }), ok({ summary: 's', sync_strategy: 'PIPELINE' })])).toEqual([]);
    expect(checkSameAnswer('DetermineVersions', [failed(13, 'INTERNAL', 'x'), failed(13, 'INTERNAL', 'x')])).toEqual([]);
  });

  it('PLAN-009 flags a different answer to the same request', () => {
    const found = checkSameAnswer('DetermineStrategy', [ok({ summary: 'a (#1)' }), ok({ summary: 'a (#1)' }), ok({ summary: 'a (#2)' })]);
    expect(rulesOf(found)).toEqual(['PLAN-009']);
    expect(found[0].message).toContain('call 3');
  });
});

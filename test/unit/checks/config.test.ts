import { describe, expect, it } from 'vitest';
import {
  checkAcceptsAbsentConfig,
  checkAcceptsPipedConfigShape,
  checkIgnoresUnknownFields,
  checkRefusesWithoutTargets,
  checkUsesConfiguredName,
  type RenamedFacts,
} from '../../../src/contract/checks/config.js';
import type { LaunchFacts } from '../../../src/contract/checks/process.js';
import { failed, journalEntry, ok } from './fixtures.js';

function launch(overrides: Partial<LaunchFacts> = {}): LaunchFacts {
  return { variant: 'a test launch', ready: true, waitedMs: 300, deadlineMs: 30_000, ...overrides };
}

const EXITED_1 = { code: 1, signal: null, requested: false };

describe('config checks: launches that must become ready', () => {
  it('CONF-001 passes when the plugin accepted the shape, and flags one that exited', () => {
    expect(checkAcceptsPipedConfigShape(launch())).toEqual([]);
    const found = checkAcceptsPipedConfigShape(launch({ variant: 'deploy targets with labels and config null', ready: false, exit: EXITED_1 }));
    expect(found.map((v) => v.rule)).toEqual(['CONF-001']);
    expect(found[0].message).toContain('with deploy targets with labels and config null, the plugin exited with code 1');
  });

  it('CONF-002 passes when unknown fields were ignored, and flags a plugin that refused them', () => {
    expect(checkIgnoresUnknownFields(launch())).toEqual([]);
    const found = checkIgnoresUnknownFields(launch({ variant: 'an unknown field "x-extra"', ready: false, exit: EXITED_1, output: ['unknown field "x-extra"'] }));
    expect(found.map((v) => v.rule)).toEqual(['CONF-002']);
    expect(found[0].evidence).toEqual({ lastOutput: ['unknown field "x-extra"'] });
  });

  it('CONF-005 passes without `config`, and flags a plugin that needs it', () => {
    expect(checkAcceptsAbsentConfig(launch())).toEqual([]);
    const found = checkAcceptsAbsentConfig(launch({ variant: 'no `config` field', ready: false, lastError: 'UNAVAILABLE' }));
    expect(found.map((v) => v.rule)).toEqual(['CONF-005']);
    expect(found[0].message).toContain('treat an absent `config` as `{}`');
  });
});

describe('CONF-004 no deploy targets', () => {
  it('CONF-004 passes on a non-zero exit without serving', () => {
    expect(checkRefusesWithoutTargets({ variant: 'without deployTargets', exit: EXITED_1, served: false, waitedMs: 80 })).toEqual([]);
  });

  it('CONF-004 flags a deployment plugin that started and served without targets', () => {
    const found = checkRefusesWithoutTargets({ variant: 'without deployTargets', served: true, waitedMs: 10_000 });
    expect(found.map((v) => v.rule)).toEqual(['CONF-004', 'CONF-004']);
    expect(found[0].message).toContain('served FetchDefinedStages');
    expect(found[1].message).toContain('still running after 10000 ms');
  });

  it('CONF-004 flags exit code 0', () => {
    const found = checkRefusesWithoutTargets({ variant: 'without deployTargets', exit: { code: 0, signal: null, requested: false }, served: false, waitedMs: 80 });
    expect(found[0].message).toContain('exited with code 0');
  });
});

describe('CONF-003 configured name', () => {
  const name = 'conf-1a2b3c4d';
  const facts = (overrides: Partial<RenamedFacts> = {}): RenamedFacts => ({
    name,
    usualName: 'my-plugin',
    callbacks: [journalEntry('PutDeploymentPluginMetadata', { deployment_id: 'd', plugin_name: name, key: 'k', value: 'v' }), journalEntry('ReportStageLogs', { deployment_id: 'd' })],
    execution: { stageName: 'SYNC', deployTargets: ['t'], usual: ok({ status: 'STAGE_SUCCESS' }), renamed: ok({ status: 'STAGE_SUCCESS' }) },
    livestate: ok({ application_live_state: { resources: [{ id: 'r1', plugin_name: name }] } }),
    ...overrides,
  });

  it('CONF-003 passes when callbacks, resources and target lookup use the configured name', () => {
    expect(checkUsesConfiguredName(facts())).toEqual([]);
  });

  it('CONF-003 flags a callback carrying another plugin_name', () => {
    const found = checkUsesConfiguredName(facts({ callbacks: [journalEntry('PutApplicationSharedObject', { plugin_name: 'my-plugin' }, { seq: 4 })] }));
    expect(found.map((v) => v.rule)).toEqual(['CONF-003']);
    expect(found[0].message).toBe(`callback #4 PutApplicationSharedObject carries plugin_name "my-plugin", but the plugin was launched as "${name}"`);
  });

  it('CONF-003 flags a ResourceState with another plugin_name', () => {
    const found = checkUsesConfiguredName(facts({ livestate: ok({ application_live_state: { resources: [{ id: 'r1', plugin_name: 'my-plugin' }] } }) }));
    expect(found.map((v) => v.rule)).toEqual(['CONF-003']);
    expect(found[0].message).toContain('GetLivestate resource "r1" has plugin_name "my-plugin"');
  });

  it('CONF-003 flags a stage that fails only when its targets are keyed by the configured name', () => {
    const renamed = failed(3, 'INVALID_ARGUMENT', 'no deploy targets for plugin "my-plugin"');
    const found = checkUsesConfiguredName(facts({ execution: { stageName: 'SYNC', deployTargets: ['t'], usual: ok({ status: 'STAGE_SUCCESS' }), renamed } }));
    expect(found.map((v) => v.rule)).toEqual(['CONF-003']);
    expect(found[0].message).toContain(`deploy_targets_by_plugin["${name}"] answered INVALID_ARGUMENT (3)`);
  });

  it('CONF-003 does not judge the lookup when the stage did not succeed under the usual name either', () => {
    const execution = { stageName: 'SYNC', deployTargets: ['t'], usual: ok({ status: 'STAGE_FAILURE' }), renamed: ok({ status: 'STAGE_FAILURE' }) };
    expect(checkUsesConfiguredName(facts({ execution, livestate: failed(12, 'UNIMPLEMENTED') }))).toEqual([]);
  });
});

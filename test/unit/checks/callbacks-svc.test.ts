import { describe, expect, it } from 'vitest';
import {
  APPROVED_USERS_KEY,
  checkCheckpointPayloads,
  checkCommandPollRate,
  checkCommandsHandled,
  checkCompletedBeforeResponse,
  checkInstallTool,
  checkLogRetriedCount,
  checkMetadataWithinWindow,
  checkNoAuthMetadata,
  checkNotFoundMeansAbsent,
  checkPluginMetadataNamespace,
  checkSharedObjectRequests,
  checkStageMetadataWritesOwnStage,
  checkSurvivesHostFaults,
  checkToolScriptsStable,
  metadataJustAfterWindow,
  type CommandScenario,
  type ExecutionRecord,
} from '../../../src/contract/checks/index.js';
import type { DeploymentWindow } from '../../../src/host/types.js';
import { block, checkpointEntry, executeRequest, failed, journalEntry, logEntry, ok } from './fixtures.js';

const rulesOf = (found: { rule: string }[]) => found.map((v) => v.rule);
const UNAVAILABLE = { status: { code: 14, codeName: 'UNAVAILABLE', details: '' } };
const INVALID = { status: { code: 3, codeName: 'INVALID_ARGUMENT', details: 'invalid request' } };

/** An execution of stage s1 of deployment d1 (application a1) whose callbacks are `callbacks`. */
function run(callbacks: any[], status = 'STAGE_SUCCESS', request = executeRequest('d1', 's1')): ExecutionRecord {
  request.input.deployment.application_id = 'a1';
  return { label: 'PIPELINE stage WAIT', request, outcome: ok({ status }, callbacks) };
}

describe('SVC-001 credentials in callback metadata', () => {
  it('SVC-001 passes when callbacks carry only transport metadata', () => {
    expect(checkNoAuthMetadata([journalEntry('ReportStageLogs', {}, { metadataKeys: ['user-agent', ':authority', 'grpc-accept-encoding'] })])).toEqual([]);
  });

  it('SVC-001 flags an authorization header, once per key, naming the case', () => {
    const entries = [1, 2].map((seq) => journalEntry('GetStageMetadata', {}, { seq: 40 + seq, caseId: 'facts', metadataKeys: ['user-agent', 'authorization'] }));
    entries.push(journalEntry('GetStageMetadata', {}, { metadataKeys: ['x-api-key'] }));
    const found = checkNoAuthMetadata(entries);
    expect(rulesOf(found)).toEqual(['SVC-001', 'SVC-001']);
    expect(found[0].message).toContain('2 callback(s) sent metadata "authorization", first callback #41 GetStageMetadata (case "facts")');
  });
});

describe('SVC-006 checkpoints', () => {
  it('SVC-006 passes when the checkpoints carry every block sent before the seal', () => {
    const entries = [
      logEntry({ blocks: [block(1), block(2)] }),
      checkpointEntry({ blocks: [block(1), block(2)] }),
      logEntry({ blocks: [block(3)] }),
      checkpointEntry({ blocks: [block(3), block(4)], completed: true }),
    ];
    expect(checkCheckpointPayloads(entries)).toEqual([]);
  });

  it('SVC-006 ignores blocks piped rejected as invalid and unsealed logs', () => {
    const entries = [
      logEntry({ blocks: [block(1, { log: '' })], entry: INVALID }),
      checkpointEntry({ blocks: [block(2)], completed: true }),
      logEntry({ stage_id: 's2', blocks: [block(1)] }),
    ];
    expect(checkCheckpointPayloads(entries)).toEqual([]);
  });

  it('SVC-006 ignores blocks gRPC refused as over 4 MiB (PROC-018 judges those)', () => {
    const tooLarge = { status: { code: 8, codeName: 'RESOURCE_EXHAUSTED', details: 'grpc: received message larger than max (5242964 vs. 4194304)' } };
    const entries = [logEntry({ blocks: [block(1, { log: 'x'.repeat(64) })], entry: tooLarge }), checkpointEntry({ blocks: [block(2)], completed: true })];
    expect(checkCheckpointPayloads(entries)).toEqual([]);
  });

  it('SVC-006 flags blocks flushed but never checkpointed before the seal', () => {
    const entries = [logEntry({ blocks: [block(1), block(2)] }), checkpointEntry({ blocks: [block(3)], completed: true, entry: { seq: 90 } })];
    const found = checkCheckpointPayloads(entries);
    expect(rulesOf(found)).toEqual(['SVC-006']);
    expect(found[0].message).toContain('2 block(s) sent for it never reached an accepted checkpoint (indexes 1, 2)');
  });

  it('SVC-006 does not count a checkpoint piped refused', () => {
    const entries = [checkpointEntry({ blocks: [block(1)], entry: UNAVAILABLE }), checkpointEntry({ blocks: [block(2)], completed: true })];
    expect(rulesOf(checkCheckpointPayloads(entries))).toEqual(['SVC-006']);
  });

  it('SVC-006 flags ReportStageLogs resending an accepted block', () => {
    const found = checkCheckpointPayloads([logEntry({ blocks: [block(1)] }), logEntry({ blocks: [block(1), block(2)] })]);
    expect(rulesOf(found)).toEqual(['SVC-006']);
    expect(found[0].message).toContain('ReportStageLogs carries only new blocks');
  });

  it('SVC-006 passes when completed=true came before the response', () => {
    expect(checkCompletedBeforeResponse([run([logEntry({ blocks: [block(1)] }), checkpointEntry({ blocks: [block(1)], completed: true })])])).toEqual([]);
  });

  it('SVC-006 passes like the SDK when nothing was logged after the last checkpoint, or nothing at all', () => {
    expect(checkCompletedBeforeResponse([run([checkpointEntry({ blocks: [block(1)] })]), run([])])).toEqual([]);
  });

  it('SVC-006 flags a finished stage whose log was not sealed before the response', () => {
    const found = checkCompletedBeforeResponse([run([logEntry({ blocks: [block(1)] })])]);
    expect(rulesOf(found)).toEqual(['SVC-006']);
    expect(found[0].message).toContain('PIPELINE stage WAIT: answered STAGE_SUCCESS before an accepted ReportStageLogsFromLastCheckpoint with completed=true');
  });

  it('SVC-006 does not judge a call that did not finish normally', () => {
    const cancelled: ExecutionRecord = { ...run([]), outcome: failed(1, 'CANCELLED', '', [logEntry({ blocks: [block(1)] })]) };
    expect(checkCompletedBeforeResponse([cancelled])).toEqual([]);
  });
});

describe('SVC-007 retried_count', () => {
  it('SVC-007 passes when log callbacks carry the request retried_count', () => {
    expect(checkLogRetriedCount([run([logEntry({ blocks: [block(1)] }), logEntry({ stage_id: 'other', retried_count: 3 })])])).toEqual([]);
  });

  it('SVC-007 flags a different retried_count', () => {
    const found = checkLogRetriedCount([run([logEntry({ retried_count: 1 })])]);
    expect(rulesOf(found)).toEqual(['SVC-007']);
    expect(found[0].message).toContain("sent retried_count 1; the request's stage.retried_count is 0");
  });
});

describe('SVC-008 metadata window', () => {
  const windows: DeploymentWindow[] = [{ deploymentId: 'd1', openedAt: 1_000, closedAt: 5_000 }];
  const at = (time: number, extra = {}) => journalEntry('GetStageMetadata', { deployment_id: 'd1', stage_id: 's1', key: 'k' }, { time, ...extra });

  it('SVC-008 passes for calls inside the window, faults and never-opened deployments', () => {
    const foreign = journalEntry('PutStageMetadata', { deployment_id: 'planning-only', stage_id: 's', key: 'k' }, { time: 99_000 });
    expect(checkMetadataWithinWindow([at(1_000), at(5_000), at(9_000, { fault: 'error:UNKNOWN' }), foreign], windows)).toEqual([]);
  });

  it('SVC-008 only warns within the grace after the window closed', () => {
    expect(checkMetadataWithinWindow([at(5_900)], windows)).toEqual([]);
    expect(rulesOf(metadataJustAfterWindow([at(5_900)], windows))).toEqual(['SVC-008']);
  });

  it('SVC-008 flags a call after the grace and one before the window opened', () => {
    const found = checkMetadataWithinWindow([at(6_500), at(500)], windows);
    expect(rulesOf(found)).toEqual(['SVC-008', 'SVC-008']);
    expect(found[0].message).toContain('arrived 1500 ms after piped stopped handling the deployment');
    expect(found[1].message).toContain('before piped opened the deployment');
  });

  it('SVC-008 passes for a call inside a later re-opening of the same deployment', () => {
    const reopened = [...windows, { deploymentId: 'd1', openedAt: 8_000 }];
    expect(checkMetadataWithinWindow([at(9_000)], reopened)).toEqual([]);
  });
});

describe('SVC-010 and SVC-011 metadata namespaces', () => {
  const put = (stage: string) => journalEntry('PutStageMetadata', { deployment_id: 'd1', stage_id: stage, key: 'k', value: 'v' });

  it('SVC-010 passes for writes to the executing stage', () => {
    expect(checkStageMetadataWritesOwnStage([run([put('s1'), journalEntry('GetStageMetadata', { deployment_id: 'd1', stage_id: 's2', key: 'k' })])])).toEqual([]);
  });

  it("SVC-010 flags a write to another stage's metadata", () => {
    const found = checkStageMetadataWritesOwnStage([run([put('s2')])]);
    expect(rulesOf(found)).toEqual(['SVC-010']);
    expect(found[0].message).toContain('wrote metadata of stage "s2"');
  });

  it('SVC-011 passes when Put uses the own name, whatever Get reads', () => {
    const entries = [
      journalEntry('PutDeploymentPluginMetadata', { deployment_id: 'd1', plugin_name: 'me', key: 'k', value: 'v' }),
      journalEntry('GetDeploymentPluginMetadata', { deployment_id: 'd1', plugin_name: 'other', key: 'k' }),
    ];
    expect(checkPluginMetadataNamespace(entries, 'me')).toEqual([]);
  });

  it('SVC-011 flags a Put in another namespace', () => {
    const found = checkPluginMetadataNamespace([journalEntry('PutDeploymentPluginMetadataMulti', { deployment_id: 'd1', plugin_name: 'other', metadata: {} })], 'me');
    expect(rulesOf(found)).toEqual(['SVC-011']);
    expect(found[0].message).toContain('under plugin_name "other"; use the plugin\'s own name "me"');
  });
});

describe('SVC-013 and SVC-014 stage commands', () => {
  const scenario = (callbacks: any[], status = 'STAGE_SUCCESS'): CommandScenario => ({
    run: run(callbacks, status), emptyPolls: 2, approvers: ['alice'], noiseCommanders: ['mallory'],
  });
  const approvedUsers = (value: string) => journalEntry('PutStageMetadata', { deployment_id: 'd1', stage_id: 's1', key: APPROVED_USERS_KEY, value });

  it('SVC-013 passes for one success listing each approver once', () => {
    expect(checkCommandsHandled(scenario([approvedUsers('alice')]))).toEqual([]);
  });

  it('SVC-013 flags a stage that did not succeed after empty lists and the approval', () => {
    const found = checkCommandsHandled(scenario([], 'STAGE_FAILURE'));
    expect(rulesOf(found)).toEqual(['SVC-013']);
    expect(found[0].message).toContain('after 2 empty ListStageCommands answer(s)');
    expect(found[0].message).toContain('got status STAGE_FAILURE');
  });

  it('SVC-013 flags a duplicated approver and a noise commander', () => {
    const multi = journalEntry('PutStageMetadataMulti', { deployment_id: 'd1', stage_id: 's1', metadata: { [APPROVED_USERS_KEY]: 'alice,mallory' } });
    const found = checkCommandsHandled(scenario([approvedUsers('alice,alice'), multi]));
    expect(rulesOf(found)).toEqual(['SVC-013', 'SVC-013']);
    expect(found[0].message).toContain('more than once');
    expect(found[1].message).toContain('filter by Command.type');
  });

  it('SVC-014 passes for one call a second, and for a single call', () => {
    expect(checkCommandPollRate('approval', [0, 1_000, 2_001, 3_000])).toEqual([]);
    expect(checkCommandPollRate('approval', [0])).toEqual([]);
  });

  it('SVC-014 flags polling ten times a second', () => {
    const found = checkCommandPollRate('approval', Array.from({ length: 11 }, (_, i) => i * 100));
    expect(rulesOf(found)).toEqual(['SVC-014']);
    expect(found[0].message).toContain('about 600 a minute');
  });
});

describe('SVC-015 and SVC-016 InstallTool', () => {
  const install = (script: string, extra = {}) => journalEntry('InstallTool', { name: 'kubectl', version: '1.30', install_script: script }, extra);
  const tool = (used?: boolean) => ({ name: 'kubectl', version: '1.30', installedPath: '/tools/kubectl-1.30', ...(used === undefined ? {} : { used }) });

  it('SVC-015 passes for a used tool, a failed download, and an unknowable use', () => {
    const failedDownload = install('curl {{.OutPath}}', { status: { code: 2, codeName: 'UNKNOWN', details: 'install tool kubectl-1.30: install script exited with code 6' } });
    expect(checkInstallTool([install('x'), failedDownload], [tool(true), tool(undefined)])).toEqual([]);
  });

  it('SVC-015 flags an unknown template field, an empty version and an unused tool', () => {
    const badTemplate = install('{{.Home}}', { status: { code: 2, codeName: 'UNKNOWN', details: 'install tool kubectl-1.30: bad install script: unknown template field .Home' } });
    const noVersion = journalEntry('InstallTool', { name: 'kubectl', version: '', install_script: 'x' });
    const found = checkInstallTool([badTemplate, noVersion], [tool(false)]);
    expect(rulesOf(found)).toEqual(['SVC-015', 'SVC-015', 'SVC-015']);
    expect(found[0].message).toContain('only {{.Name}}');
    expect(found[1].message).toContain('version must be non-empty');
    expect(found[2].message).toContain('use the returned installed_path');
  });

  it('SVC-016 passes when a name-version keeps its script', () => {
    expect(checkToolScriptsStable([install('a'), install('a'), journalEntry('InstallTool', { name: 'kubectl', version: '1.31', install_script: 'b' })])).toEqual([]);
  });

  it('SVC-016 flags a second script for the same name-version', () => {
    const found = checkToolScriptsStable([install('a'), install('b')]);
    expect(rulesOf(found)).toEqual(['SVC-016']);
    expect(found[0].message).toContain('InstallTool kubectl 1.30 was requested with 2 different install scripts');
  });
});

describe('SVC-017 application shared objects', () => {
  const get = (overrides = {}) => journalEntry('GetApplicationSharedObject', { application_id: 'a1', plugin_name: 'me', key: 'k', ...overrides });

  it('SVC-017 passes for requests naming the application and the own plugin', () => {
    expect(checkSharedObjectRequests([run([get()])], 'me')).toEqual([]);
  });

  it('SVC-017 flags another application and another plugin name', () => {
    const found = checkSharedObjectRequests([run([get({ application_id: 'a2', plugin_name: 'other' })])], 'me');
    expect(rulesOf(found)).toEqual(['SVC-017', 'SVC-017']);
    expect(found[0].message).toContain("must be the deployment's application_id \"a1\"");
  });

  it('SVC-017 passes when the stage fails whether or not the object exists', () => {
    expect(checkNotFoundMeansAbsent([{ label: 'SYNC', absent: ok({ status: 'STAGE_FAILURE' }), present: ok({ status: 'STAGE_FAILURE' }) }])).toEqual([]);
    expect(checkNotFoundMeansAbsent([{ label: 'SYNC', absent: ok({ status: 'STAGE_SUCCESS' }), present: ok({ status: 'STAGE_SUCCESS' }) }])).toEqual([]);
  });

  it('SVC-017 flags a stage that fails only while the object is absent', () => {
    const found = checkNotFoundMeansAbsent([{ label: 'SYNC', absent: ok({ status: 'STAGE_FAILURE' }), present: ok({ status: 'STAGE_SUCCESS' }) }]);
    expect(rulesOf(found)).toEqual(['SVC-017']);
    expect(found[0].message).toContain('NOT_FOUND means "absent"');
  });
});

describe('SVC-019 host faults', () => {
  it('SVC-019 passes for final statuses and non-OK answers with the process alive', () => {
    const runs = [
      { plan: 'logs-unavailable', label: 'SYNC', outcome: ok({ status: 'STAGE_FAILURE' }) },
      { plan: 'metadata-store-gone', label: 'WAIT', outcome: failed(13, 'INTERNAL', 'metadata') },
    ];
    expect(checkSurvivesHostFaults(runs, undefined, ok({ stages: [] }))).toEqual([]);
  });

  it('SVC-019 flags a hang, an illegal status and a crash', () => {
    const runs = [
      { plan: 'everything-slow', label: 'WAIT', outcome: failed(4, 'HARNESS_TIMEOUT', 'no answer within 30000 ms') },
      { plan: 'logs-sealed', label: 'SYNC', outcome: ok({}) },
    ];
    const found = checkSurvivesHostFaults(runs, { code: 1, signal: null, requested: false }, undefined);
    expect(rulesOf(found)).toEqual(['SVC-019', 'SVC-019', 'SVC-019']);
    expect(found[0].message).toContain('must not hang');
    expect(found[1].message).toContain('answered OK with status undefined value undefined');
    expect(found[2].message).toContain('exited with code 1');
  });

  it('SVC-019 flags a plugin that stopped answering', () => {
    expect(rulesOf(checkSurvivesHostFaults([], undefined, failed(14, 'UNAVAILABLE', 'connection refused')))).toEqual(['SVC-019']);
  });
});

// Checks over sets of ExecuteStage runs: EXEC-002, EXEC-007, EXEC-010, EXEC-012, EXEC-018.
import { describe, expect, it } from 'vitest';
import {
  checkDeployTargetResolution, checkEmptyTargetListRefused,
  checkEmptyStageConfigHandled,
  checkNoUnpromptedCancel,
  checkRollbackAlone,
  checkStageLogged,
  comparableLivestate,
  stageLogBlockCount,
  type DeployTargetFacts,
  type StageRun,
} from '../../../src/contract/checks/index.js';
import { block, checkpointEntry, executeRequest, failed, logEntry, ok } from './fixtures.js';

const rulesOf = (found: { rule: string }[]) => found.map((v) => v.rule);

function run(status: string, overrides: Partial<StageRun> = {}): StageRun {
  return { label: 'PIPELINE stage REF_SYNC (index 1)', request: executeRequest('d1', 's1'), outcome: ok({ status, message: '' }), ...overrides };
}

describe('EXEC-002 STAGE_CANCELLED only when cancelled', () => {
  it('EXEC-002 passes for final statuses and for a cancelled call answering CANCELLED', () => {
    expect(checkNoUnpromptedCancel([run('STAGE_FAILURE'), run('STAGE_SUCCESS'), run('STAGE_CANCELLED', { cancelled: true })])).toEqual([]);
  });

  it('EXEC-002 flags STAGE_CANCELLED on a call nobody cancelled', () => {
    const found = checkNoUnpromptedCancel([run('STAGE_SUCCESS'), run('STAGE_CANCELLED', { label: 'unknown stage' })]);
    expect(rulesOf(found)).toEqual(['EXEC-002']);
    expect(found[0].message).toContain('unknown stage: answered STAGE_CANCELLED although the harness did not cancel the call');
  });
});

describe('EXEC-007 deploy targets', () => {
  const refusedOutcome = failed(3, 'INVALID_ARGUMENT', 'no deploy targets');
  const good: DeployTargetFacts = {
    missing: refusedOutcome,
    empty: ok({ status: 'STAGE_FAILURE' }),
    unknown: { name: 'nowhere', outcome: failed(13, 'INTERNAL', 'unknown target') },
    valid: { name: 'local', outcome: ok({ status: 'STAGE_SUCCESS' }) },
  };
  const livestate = (commit?: string) =>
    ok({
      application_live_state: { resources: [{ id: 'a/other', name: 'app', deploy_target: 'other', health_status: commit ? 'HEALTHY' : 'UNKNOWN', resource_metadata: commit ? { commit } : {}, updated_at: String(Date.now()) }] },
      sync_state: { status: commit ? 'SYNCED' : 'OUT_OF_SYNC', timestamp: '1' },
    });

  it('EXEC-007 passes when missing, empty and unknown targets are refused and a valid one runs', () => {
    expect(checkDeployTargetResolution(good)).toEqual([]);
  });

  it('EXEC-007 an empty list that runs is no MUST failure, only a SHOULD finding of its own check (§8 item 14)', () => {
    const emptyRuns = { ...good, empty: ok({ status: 'STAGE_SUCCESS' }) };
    expect(checkDeployTargetResolution(emptyRuns)).toEqual([]);
    const found = checkEmptyTargetListRefused(emptyRuns);
    expect(rulesOf(found)).toEqual(['EXEC-007']);
    expect(found[0].message).toContain('with an empty deploy-target list for the plugin must refuse to run');
    expect(checkEmptyTargetListRefused(good)).toEqual([]);
  });

  it('EXEC-007 flags a run without an entry for the plugin', () => {
    const found = checkDeployTargetResolution({ ...good, missing: ok({ status: 'STAGE_SUCCESS' }) });
    expect(rulesOf(found)).toEqual(['EXEC-007']);
    expect(found[0].message).toContain('without an entry for the plugin in deploy_targets_by_plugin must refuse to run');
    expect(found[0].message).toContain('got OK with STAGE_SUCCESS');
  });

  it('EXEC-007 flags an unknown target name that runs, and a valid one that does not', () => {
    const found = checkDeployTargetResolution({
      ...good,
      unknown: { name: 'nowhere', outcome: ok({ status: 'STAGE_SUCCESS' }) },
      valid: { name: 'local', outcome: failed(13, 'INTERNAL', 'boom') },
    });
    expect(rulesOf(found)).toEqual(['EXEC-007', 'EXEC-007']);
    expect(found[0].message).toContain('"nowhere", which the plugin config does not define');
    expect(found[1].message).toContain('"local" must run');
  });

  it('EXEC-007 passes when another target\'s live state only aged', () => {
    const untouched = { name: 'other', before: livestate(), after: livestate() };
    expect(checkDeployTargetResolution({ ...good, untouched })).toEqual([]);
  });

  it('EXEC-007 flags a change on a target the deployment did not name', () => {
    const found = checkDeployTargetResolution({ ...good, untouched: { name: 'other', before: livestate(), after: livestate('c0ffee') } });
    expect(rulesOf(found)).toEqual(['EXEC-007']);
    expect(found[0].message).toContain('live state of target "other" changed');
  });

  it('EXEC-007 comparable live state ignores timestamps but not the deployed commit', () => {
    expect(comparableLivestate(livestate('a'))).toBe(comparableLivestate(livestate('a')));
    expect(comparableLivestate(livestate('a'))).not.toBe(comparableLivestate(livestate('b')));
  });
});

describe('EXEC-010 empty stage_config', () => {
  const pair = (empty: StageRun, braces: StageRun) => ({ label: 'PIPELINE stage REF_WAIT (index 1)', empty, braces });

  it('EXEC-010 passes when empty bytes and {} give the same final status', () => {
    expect(checkEmptyStageConfigHandled([pair(run('STAGE_SUCCESS'), run('STAGE_SUCCESS')), pair(run('STAGE_FAILURE'), run('STAGE_FAILURE'))])).toEqual([]);
  });

  it('EXEC-010 passes when a stage with required options refuses both with a message', () => {
    const refusal = run('STAGE_SUCCESS', { outcome: failed(3, 'INVALID_ARGUMENT', 'approvers must be set') });
    expect(checkEmptyStageConfigHandled([pair(refusal, refusal)])).toEqual([]);
  });

  it('EXEC-010 flags INTERNAL on empty bytes where {} succeeds, and names the stage_config sent', () => {
    const found = checkEmptyStageConfigHandled([pair(run('STAGE_SUCCESS', { outcome: failed(13, 'INTERNAL', 'unexpected end of JSON input') }), run('STAGE_SUCCESS'))]);
    expect(rulesOf(found)).toEqual(['EXEC-010']);
    expect(found[0].message).toContain('handled exactly like {}');
    expect(found[0].message).toContain('with {} the stage answered OK STAGE_SUCCESS');
  });

  it('EXEC-010 flags a refusal without a message, and no answer at all', () => {
    const bare = run('STAGE_SUCCESS', { outcome: failed(13, 'INTERNAL', '') });
    const found = checkEmptyStageConfigHandled([pair(bare, bare)]);
    expect(rulesOf(found)).toEqual(['EXEC-010', 'EXEC-010']);
    expect(found[0].message).toContain('stage_config empty');
  });

  it('EXEC-010 flags a process that exited', () => {
    const found = checkEmptyStageConfigHandled([], { code: 2, signal: null, requested: false });
    expect(rulesOf(found)).toEqual(['EXEC-010']);
    expect(found[0].message).toContain('exited with code 2');
  });
});

describe('EXEC-012 rollback alone', () => {
  const logged = [logEntry({ blocks: [block(1)] })];

  it('EXEC-012 passes for SUCCESS, FAILURE or SKIPPED with a log line', () => {
    for (const status of ['STAGE_SUCCESS', 'STAGE_FAILURE', 'STAGE_SKIPPED']) expect(checkRollbackAlone([run(status)], logged)).toEqual([]);
  });

  it('EXEC-012 flags a non-OK answer', () => {
    const found = checkRollbackAlone([run('', { outcome: failed(13, 'INTERNAL', 'nothing deployed') })], logged);
    expect(rulesOf(found)).toEqual(['EXEC-012']);
    expect(found[0].message).toContain('got INTERNAL (13): nothing deployed');
  });

  it('EXEC-012 flags a silent rollback', () => {
    const found = checkRollbackAlone([run('STAGE_SUCCESS')], [logEntry({ stage_id: 'other', blocks: [block(1)] })]);
    expect(rulesOf(found)).toEqual(['EXEC-012']);
    expect(found[0].message).toContain('logged nothing');
  });
});

describe('EXEC-018 stage logs', () => {
  it('EXEC-018 passes when each answered stage has a block', () => {
    expect(checkStageLogged([run('STAGE_SUCCESS')], [checkpointEntry({ blocks: [block(7)], completed: true })])).toEqual([]);
  });

  it('EXEC-018 ignores cancelled and non-OK calls', () => {
    expect(checkStageLogged([run('STAGE_FAILURE', { cancelled: true }), run('', { outcome: failed(3, 'INVALID_ARGUMENT') })], [])).toEqual([]);
  });

  it('EXEC-018 flags a stage that logged nothing', () => {
    const found = checkStageLogged([run('STAGE_SUCCESS')], [logEntry({ deployment_id: 'd2', blocks: [block(1)] })]);
    expect(rulesOf(found)).toEqual(['EXEC-018']);
    expect(found[0].message).toContain('no log block reached piped for deployment "d1" stage "s1"');
  });

  it('EXEC-018 counts distinct indexes across both log RPCs', () => {
    const journal = [logEntry({ blocks: [block(1), block(2)] }), checkpointEntry({ blocks: [block(1), block(2), block(3)], completed: true })];
    expect(stageLogBlockCount(journal, executeRequest('d1', 's1'))).toBe(3);
  });
});

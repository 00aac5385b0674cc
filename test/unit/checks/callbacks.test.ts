import { describe, it, expect } from 'vitest';
import {
  LOG_RPCS,
  checkCallbackRequestsValid,
  checkLogBlocks,
  checkLogIndexes,
  checkNothingAfterCompleted,
} from '../../../src/contract/checks/index.js';
import { NOW_SECONDS, block, checkpointEntry, journalEntry, logEntry } from './fixtures.js';

const rulesOf = (found: { rule: string }[]) => found.map((v) => v.rule);
const INVALID = { status: { code: 3, codeName: 'INVALID_ARGUMENT', details: 'invalid request' } };

describe('callback validity', () => {
  it('SVC-002 passes when no request broke a validate rule', () => {
    const tool = journalEntry('InstallTool', { name: 'a', version: '1', install_script: 'x' });
    expect(checkCallbackRequestsValid([logEntry({ blocks: [block(1)] }), tool])).toEqual([]);
  });

  it('SVC-002 flags a request the fake rejected, listing paths and rules', () => {
    const bad = journalEntry(
      'PutDeploymentPluginMetadata',
      { deployment_id: 'd1', plugin_name: '', key: 'k', value: 'v' },
      { seq: 7, ...INVALID, violations: [{ path: 'plugin_name', rule: 'string.min_len', message: 'too short' }] },
    );
    const found = checkCallbackRequestsValid([logEntry(), bad]);
    expect(rulesOf(found)).toEqual(['SVC-002']);
    expect(found[0].message).toContain('callback #7 PutDeploymentPluginMetadata');
    expect(found[0].message).toContain('plugin_name (string.min_len)');
  });
});

describe('log blocks', () => {
  it('SVC-003 passes for well-formed blocks in both log RPCs', () => {
    expect(LOG_RPCS).toEqual(['ReportStageLogs', 'ReportStageLogsFromLastCheckpoint']);
    const blocks = [block(1), block(2, { severity: 'ERROR' })];
    const entries = [logEntry({ blocks }), checkpointEntry({ blocks, completed: true })];
    expect(checkLogBlocks(entries, NOW_SECONDS)).toEqual([]);
  });

  it('SVC-003 flags an empty line and an undefined severity', () => {
    const found = checkLogBlocks([logEntry({ blocks: [block(1), block(2, { log: '', severity: 5 })] })], NOW_SECONDS);
    expect(rulesOf(found)).toEqual(['SVC-003', 'SVC-003']);
    expect(found[0].message).toContain('blocks[1]: log must be non-empty');
    expect(found[1].message).toContain('got undefined value 5');
  });

  it('SVC-003 flags created_at in milliseconds, zero, or more than a day off', () => {
    const blocks = [
      block(1, { created_at: String(NOW_SECONDS * 1000) }),
      block(2, { created_at: '0' }),
      block(3, { created_at: String(NOW_SECONDS - 90_000) }),
      block(4, { created_at: String(NOW_SECONDS + 3_600) }),
    ];
    const found = checkLogBlocks([logEntry({ blocks })], NOW_SECONDS);
    expect(found.map((v) => v.message.match(/blocks\[(\d)\]/)?.[1])).toEqual(['0', '1', '2']);
    expect(found[0].message).toContain('within 1 day of now');
    expect(found[1].message).toContain('created_at must be > 0');
  });
});

describe('log indexes', () => {
  it('SVC-004 passes when a checkpoint resends blocks already sent and adds newer ones', () => {
    const entries = [
      logEntry({ blocks: [block(101), block(102)] }),
      logEntry({ blocks: [block(103)] }),
      checkpointEntry({ blocks: [block(101), block(102), block(103), block(104)], completed: true }),
    ];
    expect(checkLogIndexes(entries)).toEqual([]);
  });

  it('SVC-004 keeps stage logs apart by deployment, stage and retried_count', () => {
    const entries = [
      logEntry({ blocks: [block(5)] }),
      logEntry({ stage_id: 's2', blocks: [block(1)] }),
      logEntry({ retried_count: 1, blocks: [block(1)] }),
    ];
    expect(checkLogIndexes(entries)).toEqual([]);
  });

  it('SVC-004 flags indexes that do not increase within one request', () => {
    const found = checkLogIndexes([logEntry({ blocks: [block(1), block(3), block(2)] })]);
    expect(rulesOf(found)).toEqual(['SVC-004']);
    expect(found[0].message).toContain('blocks[2]: index must be greater than the previous block\'s; got 2 after 3');
  });

  it('SVC-004 flags an index reused with a different block', () => {
    const found = checkLogIndexes([logEntry({ blocks: [block(1)] }), logEntry({ blocks: [block(1, { log: 'other' })] })]);
    expect(rulesOf(found)).toEqual(['SVC-004']);
    expect(found[0].message).toContain('index 1 was already sent with a different block');
  });

  it('SVC-004 flags a new index lower than one already sent (restart reusing the index space)', () => {
    const found = checkLogIndexes([logEntry({ blocks: [block(100), block(101)] }), logEntry({ blocks: [block(50)] })]);
    expect(rulesOf(found)).toEqual(['SVC-004']);
    expect(found[0].message).toContain('new index 50 must be greater than every index sent before (max 101)');
  });

  it('SVC-004 counts requests the fake rejected', () => {
    const entries = [logEntry({ blocks: [block(10)], entry: INVALID }), logEntry({ blocks: [block(9)] })];
    expect(rulesOf(checkLogIndexes(entries))).toEqual(['SVC-004']);
  });

  it('SVC-004 compares int64 indexes beyond double precision', () => {
    const entries = [logEntry({ blocks: [block('9007199254740993')] }), logEntry({ blocks: [block('9007199254740992')] })];
    expect(rulesOf(checkLogIndexes(entries))).toEqual(['SVC-004']);
  });
});

describe('log sealing', () => {
  it('SVC-005 passes when nothing follows completed=true for that stage', () => {
    const entries = [
      logEntry({ blocks: [block(1)] }),
      checkpointEntry({ blocks: [block(1)], completed: true }),
      logEntry({ stage_id: 's2', blocks: [block(1)] }),
    ];
    expect(checkNothingAfterCompleted(entries)).toEqual([]);
  });

  it('SVC-005 passes when a rejected completion is retried', () => {
    const unavailable = { status: { code: 14, codeName: 'UNAVAILABLE', details: '' } };
    const entries = [
      checkpointEntry({ blocks: [block(1)], completed: true, entry: unavailable }),
      checkpointEntry({ blocks: [block(1)], completed: true }),
    ];
    expect(checkNothingAfterCompleted(entries)).toEqual([]);
  });

  it('SVC-005 flags a log report after completed=true', () => {
    const seal = checkpointEntry({ blocks: [block(1)], completed: true, entry: { seq: 500 } });
    const late = logEntry({ blocks: [block(2)], entry: { seq: 501 } });
    const found = checkNothingAfterCompleted([seal, late]);
    expect(rulesOf(found)).toEqual(['SVC-005']);
    expect(found[0].message).toContain('callback #501 ReportStageLogs sent logs for deployment "d1" stage "s1" retried_count 0');
    expect(found[0].message).toContain('after callback #500 ReportStageLogsFromLastCheckpoint completed it');
  });
});

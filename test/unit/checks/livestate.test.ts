import { describe, expect, it } from 'vitest';
import {
  checkApplicationHealth,
  checkLivestateReadOnly,
  checkLivestateSyncState,
  checkLivestateTargetErrors,
  checkResourceOwnership,
  checkResourceStates,
  checkSyncState,
  derivedApplicationHealth,
} from '../../../src/contract/checks/index.js';
import { NOW_SECONDS, failed, journalEntry, ok } from './fixtures.js';

const rulesOf = (found: { rule: string }[]) => found.map((v) => v.rule);

function resource(overrides: Record<string, unknown> = {}): any {
  return {
    id: 'app/local', parent_ids: [], name: 'app', resource_type: 'Fake', resource_metadata: {}, health_status: 'HEALTHY', health_description: '',
    deploy_target: 'local', plugin_name: 'me', created_at: String(NOW_SECONDS), updated_at: String(NOW_SECONDS), ...overrides,
  };
}

function answer(resources: any[], overrides: Record<string, unknown> = {}): any {
  return {
    application_live_state: { resources, health_status: derivedApplicationHealth(resources) },
    sync_state: { status: 'SYNCED', short_reason: '', reason: '', head_deployment_id: '', timestamp: String(NOW_SECONDS) },
    ...overrides,
  };
}

describe('LIVE live state', () => {
  it('LIVE-001 passes with sync_state, and for UNIMPLEMENTED (not served)', () => {
    expect(checkLivestateSyncState(ok(answer([resource()])))).toEqual([]);
    expect(checkLivestateSyncState(failed(12, 'UNIMPLEMENTED'))).toEqual([]);
  });

  it('LIVE-001 flags an OK answer without sync_state, and a refused valid request', () => {
    expect(rulesOf(checkLivestateSyncState(ok(answer([], { sync_state: null }))))).toEqual(['LIVE-001']);
    expect(checkLivestateSyncState(failed(13, 'INTERNAL', 'boom'))[0].message).toContain('got INTERNAL (13): boom');
  });

  it('LIVE-002 passes for valid resources', () => {
    expect(checkResourceStates(answer([resource(), resource({ id: 'x', health_status: 'UNKNOWN' })]))).toEqual([]);
  });

  it('LIVE-002 flags empty ids and names, an undefined health and zero times', () => {
    const found = checkResourceStates(answer([resource({ id: '', name: '' }), resource({ health_status: 7, created_at: '0', updated_at: '-5' })]));
    expect(found.map((v) => v.message.replace(/^resources\[\d\] "[^"]*": /, ''))).toEqual([
      'id must be non-empty', 'name must be non-empty', 'health_status must be UNKNOWN, HEALTHY or UNHEALTHY; got undefined value 7',
      'created_at must be > 0 (Unix seconds); got "0"', 'updated_at must be > 0 (Unix seconds); got "-5"',
    ]);
    expect(new Set(rulesOf(found))).toEqual(new Set(['LIVE-002']));
  });

  it('LIVE-003 passes for OUT_OF_SYNC with a timestamp', () => {
    expect(checkSyncState(answer([], { sync_state: { status: 'OUT_OF_SYNC', timestamp: String(NOW_SECONDS) } }))).toEqual([]);
  });

  it('LIVE-003 flags an undefined status, DEPLOYING and a zero timestamp', () => {
    expect(rulesOf(checkSyncState(answer([], { sync_state: { status: 42, timestamp: '1' } })))).toEqual(['LIVE-003']);
    const found = checkSyncState(answer([], { sync_state: { status: 'DEPLOYING', timestamp: '0' } }));
    expect(found.map((v) => v.message)).toEqual([expect.stringContaining("DEPLOYING is piped's to set"), 'sync_state.timestamp must be > 0; got "0"']);
  });

  it('LIVE-004 passes for own resources of requested targets with resolvable parents', () => {
    expect(checkResourceOwnership(answer([resource(), resource({ id: 'child', parent_ids: ['app/local'] })]), ['local'], 'me')).toEqual([]);
  });

  it('LIVE-004 flags a foreign plugin name, an unrequested target and a dangling parent', () => {
    const found = checkResourceOwnership(answer([resource({ plugin_name: 'other', deploy_target: 'prod', parent_ids: ['ghost'] })]), ['local'], 'me');
    expect(rulesOf(found)).toEqual(['LIVE-004', 'LIVE-004', 'LIVE-004']);
    expect(found[2].message).toContain('parent_ids ["ghost"] name no resource');
  });

  it('LIVE-005 derives UNKNOWN, OTHER and HEALTHY like the SDK', () => {
    expect(derivedApplicationHealth([resource({ health_status: 'UNHEALTHY' }), resource({ health_status: 'UNKNOWN' })])).toBe('UNKNOWN');
    expect(derivedApplicationHealth([resource({ health_status: 'UNHEALTHY' }), resource()])).toBe('OTHER');
    expect(derivedApplicationHealth([])).toBe('HEALTHY');
    expect(checkApplicationHealth(answer([resource({ health_status: 'UNHEALTHY' })]))).toEqual([]);
  });

  it('LIVE-005 flags HEALTHY over an UNKNOWN resource', () => {
    const response = answer([resource({ health_status: 'UNKNOWN' })]);
    response.application_live_state.health_status = 'HEALTHY';
    const found = checkApplicationHealth(response);
    expect(rulesOf(found)).toEqual(['LIVE-005']);
    expect(found[0].message).toContain('must be UNKNOWN for resources with health [UNKNOWN]; got HEALTHY');
  });

  it('LIVE-006 passes for INVALID_ARGUMENT on empty targets and INTERNAL on an unknown one', () => {
    expect(checkLivestateTargetErrors(failed(3, 'INVALID_ARGUMENT'), failed(13, 'INTERNAL'))).toEqual([]);
  });

  it('LIVE-006 flags OK answers to both', () => {
    const found = checkLivestateTargetErrors(ok(answer([])), ok(answer([])));
    expect(rulesOf(found)).toEqual(['LIVE-006', 'LIVE-006']);
    expect(found[0].message).toContain('empty deploy_targets must answer INVALID_ARGUMENT; got OK');
  });

  it('LIVE-007 passes for a quick answer that only read', () => {
    const reads = [journalEntry('GetApplicationSharedObject', {}), journalEntry('InstallTool', {})];
    expect(checkLivestateReadOnly('live state', ok(answer([])), reads)).toEqual([]);
  });

  it('LIVE-007 flags a write and a slow answer', () => {
    const slow = { ...ok(answer([])), durationMs: 61_000 };
    const found = checkLivestateReadOnly('live state', slow, [journalEntry('PutApplicationSharedObject', {}, { seq: 3 })]);
    expect(rulesOf(found)).toEqual(['LIVE-007', 'LIVE-007']);
    expect(found[0].message).toContain('made callback #3 PutApplicationSharedObject');
    expect(found[1].message).toContain('took 61000 ms');
  });
});

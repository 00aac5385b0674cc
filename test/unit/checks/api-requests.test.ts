import { describe, it, expect } from 'vitest';
import { checkNoMetadataNeeded, checkRejectsInvalidRequest, checkSurvivesUnusualInput, checkUnparseableConfigRefused } from '../../../src/contract/checks/index.js';
import { failed, ok } from './fixtures.js';

const rulesOf = (found: { rule: string }[]) => found.map((v) => v.rule);
const hang = () => failed(4, 'HARNESS_TIMEOUT', 'no answer within 5000 ms; the harness cancelled the call');

describe('API-003 invalid requests', () => {
  it('API-003 passes when an invalid request gets INVALID_ARGUMENT', () => {
    expect(checkRejectsInvalidRequest('ExecuteStageRequest without input', failed(3, 'INVALID_ARGUMENT', 'invalid request: input is required'))).toEqual([]);
  });

  it('API-003 flags an OK answer and another error code, naming the request', () => {
    const accepted = checkRejectsInvalidRequest('BuildPipelineSyncStagesRequest with a stage at index -1', ok({ stages: [] }));
    expect(rulesOf(accepted)).toEqual(['API-003']);
    expect(accepted[0].message).toContain('index -1');
    expect(accepted[0].message).toContain('got OK');
    expect(rulesOf(checkRejectsInvalidRequest('x', failed(13, 'INTERNAL', 'nil pointer')))).toEqual(['API-003']);
  });
});

describe('API-004 unparseable application configs', () => {
  it('API-004 passes when a deployment plugin answers an error status', () => {
    expect(checkUnparseableConfigRefused('deployment', 'DetermineStrategy', 'bad YAML', failed(13, 'INTERNAL', 'failed to parse deployment source'))).toEqual([]);
  });

  it('API-004 flags a deployment plugin that answers OK as if it had read the config', () => {
    const found = checkUnparseableConfigRefused('deployment', 'DetermineVersions', 'bad YAML', ok({ versions: [{ kind: 'UNKNOWN', version: 'v1' }] }));
    expect(rulesOf(found)).toEqual(['API-004']);
    expect(found[0].message).toContain('DetermineVersions with bad YAML');
  });

  it('API-004 accepts a stage plugin\'s config-independent answers, but not a strategy it could not have known', () => {
    expect(checkUnparseableConfigRefused('stage', 'DetermineVersions', 'bad YAML', ok({ versions: [] }))).toEqual([]);
    expect(checkUnparseableConfigRefused('stage', 'DetermineStrategy', 'bad YAML', ok({ sync_strategy: 'AUTO', unsupported: true }))).toEqual([]);
    expect(rulesOf(checkUnparseableConfigRefused('stage', 'DetermineStrategy', 'bad YAML', ok({ sync_strategy: 'PIPELINE', unsupported: false })))).toEqual(['API-004']);
  });

  it('API-004 flags a call that got no answer at all', () => {
    expect(rulesOf(checkUnparseableConfigRefused('deployment', 'DetermineStrategy', 'bad YAML', hang()))).toEqual(['API-004']);
  });
});

describe('API-006 no metadata', () => {
  it('API-006 passes for OK answers and errors that are not about credentials', () => {
    expect(checkNoMetadataNeeded('DetermineVersions', ok({ versions: [] }))).toEqual([]);
    expect(checkNoMetadataNeeded('GetLivestate', failed(12, 'UNIMPLEMENTED'))).toEqual([]);
  });

  it('API-006 flags UNAUTHENTICATED and PERMISSION_DENIED', () => {
    const found = [
      ...checkNoMetadataNeeded('DetermineVersions', failed(16, 'UNAUTHENTICATED', 'missing authorization metadata')),
      ...checkNoMetadataNeeded('ExecuteStage', failed(7, 'PERMISSION_DENIED')),
    ];
    expect(rulesOf(found)).toEqual(['API-006', 'API-006']);
    expect(found[0].message).toContain('UNAUTHENTICATED (16)');
  });
});

describe('API-007 unusual but valid input', () => {
  it('API-007 passes when every call got an answer (errors included) and the plugin is alive', () => {
    const calls = [{ label: 'empty pipeline', outcome: ok({ stages: [] }) }, { label: 'unicode stage', outcome: failed(3, 'INVALID_ARGUMENT') }];
    expect(checkSurvivesUnusualInput(calls, undefined)).toEqual([]);
  });

  it('API-007 flags a hang and names the request', () => {
    const found = checkSurvivesUnusualInput([{ label: 'BuildPipelineSyncStages with no stages', outcome: hang() }], undefined);
    expect(rulesOf(found)).toEqual(['API-007']);
    expect(found[0].message).toContain('BuildPipelineSyncStages with no stages');
  });

  it('API-007 flags a plugin that exited, but not one the harness stopped', () => {
    const calls = [{ label: 'empty pipeline', outcome: failed(14, 'UNAVAILABLE') }];
    const found = checkSurvivesUnusualInput(calls, { code: 2, signal: null, requested: false });
    expect(rulesOf(found)).toEqual(['API-007']);
    expect(found[0].message).toContain('exited with code 2');
    expect(checkSurvivesUnusualInput(calls, { code: 0, signal: 'SIGTERM', requested: true })).toEqual([]);
  });
});

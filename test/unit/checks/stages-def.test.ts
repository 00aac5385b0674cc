import { describe, it, expect } from 'vitest';
import { checkDefinedStagesCheap, checkNoOfficialStageNames, DEFINED_STAGES_MAX_MS } from '../../../src/contract/checks/index.js';
import { OFFICIAL_STAGES } from '../../../src/contract/official-stages.js';
import { failed, journalEntry, ok } from './fixtures.js';

const rulesOf = (found: { rule: string }[]) => found.map((v) => v.rule);

describe('DEF-003 official stage names', () => {
  it('DEF-003 passes for prefixed names', () => {
    expect(checkNoOfficialStageNames(['REF_SYNC', 'REF_WAIT', 'MYPLUGIN_WAIT_APPROVAL'])).toEqual([]);
  });

  it('DEF-003 flags each official name once, naming the official plugin and its reference', () => {
    const found = checkNoOfficialStageNames(['WAIT', 'REF_SYNC', 'K8S_SYNC', 'WAIT']);
    expect(rulesOf(found)).toEqual(['DEF-003', 'DEF-003']);
    expect(found[0].message).toContain('"WAIT"');
    expect(found[0].message).toContain('official wait plugin');
    expect(found[1].message).toContain('kubernetes');
  });

  it('the official list has the catalogue names, each with a reference', () => {
    const names = OFFICIAL_STAGES.map((s) => s.name);
    for (const name of ['WAIT', 'WAIT_APPROVAL', 'SCRIPT_RUN', 'SCRIPT_RUN_ROLLBACK', 'ANALYSIS', 'K8S_SYNC', 'K8S_ROLLBACK']) expect(names).toContain(name);
    expect(names.filter((n) => n.startsWith('K8S_'))).toHaveLength(8);
    expect(new Set(names).size).toBe(names.length);
    for (const s of OFFICIAL_STAGES) expect(s.reference).not.toBe('');
  });
});

describe('DEF-005 cheap FetchDefinedStages', () => {
  it('DEF-005 passes for fast answers without callbacks', () => {
    expect(checkDefinedStagesCheap([ok({ stages: ['A'] }), ok({ stages: ['A'] })])).toEqual([]);
  });

  it('DEF-005 flags a slow answer and one that called piped', () => {
    const slow = { ...ok({ stages: ['A'] }), durationMs: DEFINED_STAGES_MAX_MS + 1 };
    const calling = ok({ stages: ['A'] }, [journalEntry('ListStageCommands', { deployment_id: 'd', stage_id: 's' })]);
    const found = checkDefinedStagesCheap([slow, calling]);
    expect(rulesOf(found)).toEqual(['DEF-005', 'DEF-005']);
    expect(found[0].message).toContain('call 1 of 2 took');
    expect(found[1].message).toContain('ListStageCommands');
  });

  it('DEF-005 flags a failed call', () => {
    expect(rulesOf(checkDefinedStagesCheap([failed(13, 'INTERNAL')]))).toEqual(['DEF-005']);
  });
});

import { describe, it, expect } from 'vitest';
import { checkDefinedStagesCheap, checkNoOfficialStageNames, DEFINED_STAGES_MAX_MS } from '../../../src/contract/checks/index.js';
import { OFFICIAL_PLUGINS, OFFICIAL_STAGES } from '../../../src/contract/official-stages.js';
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

  it('DEF-003 passes for an official plugin under its own name with exactly its stage set (erratum §8.11)', () => {
    expect(checkNoOfficialStageNames(['WAIT'], 'wait')).toEqual([]);
    expect(checkNoOfficialStageNames(['WAIT_APPROVAL'], 'waitapproval')).toEqual([]);
    expect(checkNoOfficialStageNames(['SCRIPT_RUN_ROLLBACK', 'SCRIPT_RUN'], 'scriptrun')).toEqual([]);
    expect(checkNoOfficialStageNames(['ANALYSIS'], 'analysis')).toEqual([]);
    const k8s = OFFICIAL_STAGES.filter((s) => s.plugin === 'kubernetes').map((s) => s.name);
    expect(checkNoOfficialStageNames([...k8s].reverse(), 'kubernetes')).toEqual([]);
  });

  it('DEF-003 flags a third-party plugin that borrows one official stage name', () => {
    const found = checkNoOfficialStageNames(['MY_SYNC', 'WAIT'], 'my-plugin');
    expect(rulesOf(found)).toEqual(['DEF-003']);
    expect(found[0].message).toContain('"WAIT"');
    expect(found[0].message).toContain('official wait plugin');
    expect(found[0].message).not.toContain('configured as');
  });

  it('DEF-003 flags a plugin that has exactly an official stage set but another name', () => {
    const found = checkNoOfficialStageNames(['WAIT'], 'my-wait');
    expect(rulesOf(found)).toEqual(['DEF-003']);
    expect(found[0].message).toContain('official wait plugin');
    // The name must match exactly: a spelling no upstream source shows is not the official plugin.
    expect(rulesOf(checkNoOfficialStageNames(['WAIT'], 'Wait'))).toEqual(['DEF-003']);
  });

  it('DEF-003 flags an official name with an extra stage', () => {
    const found = checkNoOfficialStageNames(['WAIT', 'WAIT_EXTRA'], 'wait');
    expect(rulesOf(found)).toEqual(['DEF-003']);
    expect(found[0].message).toContain('"WAIT" is also defined by the official wait plugin');
    expect(found[0].message).toContain('configured as "wait"');
    expect(found[0].message).toContain('extra ["WAIT_EXTRA"]');
    expect(found[0].evidence).toMatchObject({ name: 'WAIT', plugin: 'wait', pluginName: 'wait' });
  });

  it('DEF-003 flags an official name with a missing stage, once per official stage it defines', () => {
    const found = checkNoOfficialStageNames(['SCRIPT_RUN'], 'scriptrun');
    expect(rulesOf(found)).toEqual(['DEF-003']);
    expect(found[0].message).toContain('official scriptrun plugin');
    expect(found[0].message).toContain('missing ["SCRIPT_RUN_ROLLBACK"]');
    const k8s = OFFICIAL_STAGES.filter((s) => s.plugin === 'kubernetes').map((s) => s.name);
    expect(rulesOf(checkNoOfficialStageNames(k8s.slice(1), 'kubernetes'))).toHaveLength(7);
  });

  it('DEF-003 flags an official name whose stages belong to another official plugin', () => {
    const found = checkNoOfficialStageNames(['WAIT_APPROVAL'], 'wait');
    expect(rulesOf(found)).toEqual(['DEF-003']);
    expect(found[0].message).toContain('official waitapproval plugin');
    expect(found[0].message).toContain('the name of the official wait plugin');
  });

  it('DEF-003 never exempts ROLLBACK, which piped itself gives meaning to', () => {
    expect(rulesOf(checkNoOfficialStageNames(['ROLLBACK'], 'piped'))).toEqual(['DEF-003']);
  });

  it('DEF-003 exempts nothing when the plugin name is unknown', () => {
    expect(rulesOf(checkNoOfficialStageNames(['WAIT']))).toEqual(['DEF-003']);
  });

  it('every official plugin has its configured names and stage set, each with a source', () => {
    const byPlugin = new Map(OFFICIAL_PLUGINS.map((p) => [p.plugin, p]));
    expect(byPlugin.get('wait')?.configuredNames).toEqual(['wait']);
    expect(byPlugin.get('waitapproval')?.configuredNames).toEqual(['waitapproval']);
    expect(byPlugin.get('scriptrun')?.stages.map((s) => s.name)).toEqual(['SCRIPT_RUN', 'SCRIPT_RUN_ROLLBACK']);
    expect(byPlugin.get('kubernetes')?.configuredNames).toEqual(['kubernetes']);
    expect(byPlugin.get('piped')?.configuredNames).toEqual([]);
    const names = OFFICIAL_PLUGINS.flatMap((p) => p.configuredNames);
    expect(new Set(names).size).toBe(names.length);
    for (const p of OFFICIAL_PLUGINS) {
      expect(p.namesReference).not.toBe('');
      expect(p.stages.length).toBeGreaterThan(0);
    }
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

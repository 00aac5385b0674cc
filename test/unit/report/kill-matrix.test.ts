import { describe, it, expect } from 'vitest';
import { FAULTS } from '../../../fixtures/plugins/reference/faults.js';
import { mutantSpecs, parseArgs } from '../../../scripts/kill-matrix.js';
import { failedRulesOf, isGreen, judgeMutant, judgeReference, killMatrixSummary, killMatrixTable, type MutantSpec } from '../../../src/report/kill-matrix.js';

const mutant: MutantSpec = { name: 'plan-drop-stage', rule: 'PLAN-010', alsoSeenBy: ['PLAN-030'] };
const result = (exitCode: number, failedRules: string[], problem?: string) => ({ exitCode, failedRules, problem });

describe('kill matrix', () => {
  it('reads the failed rule IDs of results.json once each', () => {
    const results = { outcomes: [{ ruleId: 'PLAN-010', state: 'failed' }, { ruleId: 'PLAN-010', state: 'failed' }, { ruleId: 'DEF-001', state: 'passed' }, { ruleId: 'API-007', state: 'failed' }] };
    expect(failedRulesOf(results)).toEqual(['PLAN-010', 'API-007']);
    expect(failedRulesOf(undefined)).toEqual([]);
  });

  it('a mutant failing its rule, and rules it lists in alsoSeenBy, is killed', () => {
    expect(judgeMutant(mutant, result(1, ['PLAN-010'])).verdict).toBe('killed');
    expect(judgeMutant(mutant, result(1, ['PLAN-030', 'PLAN-010']))).toMatchObject({ verdict: 'killed', failedRules: ['PLAN-010', 'PLAN-030'], unexpected: [] });
  });

  it('a mutant also failing an unlisted rule is overkilled', () => {
    expect(judgeMutant(mutant, result(1, ['PLAN-010', 'EXEC-001']))).toMatchObject({ verdict: 'overkilled', unexpected: ['EXEC-001'] });
  });

  it('a mutant caught only by other rules is missed; one caught by nothing survived', () => {
    expect(judgeMutant(mutant, result(1, ['PLAN-030'])).verdict).toBe('missed');
    expect(judgeMutant(mutant, result(0, [])).verdict).toBe('survived');
  });

  it('a run that ended in a setup error, a timeout or exit 2 is broken', () => {
    expect(judgeMutant(mutant, result(2, [])).verdict).toBe('broken');
    expect(judgeMutant(mutant, result(1, ['PLAN-010'], 'setup error: the plugin exited')).verdict).toBe('broken');
  });

  it('the reference must exit 0 with no failed rule', () => {
    expect(judgeReference(result(0, [])).ok).toBe(true);
    expect(judgeReference(result(1, ['DEF-001']))).toMatchObject({ ok: false, failedRules: ['DEF-001'] });
    expect(judgeReference(result(2, []))).toMatchObject({ ok: false, problem: 'the CLI exited with code 2' });
  });

  it('is green only with a conforming reference and every mutant killed', () => {
    const killed = judgeMutant(mutant, result(1, ['PLAN-010']));
    const missed = judgeMutant({ ...mutant, name: 'other' }, result(1, ['DEF-001']));
    expect(isGreen(judgeReference(result(0, [])), [killed])).toBe(true);
    expect(isGreen(judgeReference(result(0, [])), [killed, missed])).toBe(false);
    expect(isGreen(judgeReference(result(1, ['DEF-001'])), [killed])).toBe(false);
  });

  it('prints a table sorted by rule with the failed rules and verdicts, then the summary', () => {
    const rows = [
      judgeMutant({ name: 'strategy-auto', rule: 'PLAN-004', alsoSeenBy: [] }, result(1, ['PLAN-004'])),
      judgeMutant({ name: 'duplicate-defined-stage', rule: 'DEF-002', alsoSeenBy: [] }, result(0, [])),
    ];
    const table = killMatrixTable(rows).split('\n');
    expect(table[0]).toMatch(/^rule\s+\| mutant\s+\| rules that failed\s+\| verdict$/);
    expect(table[2]).toMatch(/^DEF-002\s+\| duplicate-defined-stage \| -\s+\| SURVIVED: nothing failed$/);
    expect(table[3]).toMatch(/^PLAN-004\s+\| strategy-auto\s+\| PLAN-004\s+\| killed$/);
    expect(killMatrixSummary(judgeReference(result(0, [])), rows)).toBe('reference plugin: conforms\nkilled 1 of 2 mutants');
  });
});

describe('kill matrix script', () => {
  it('reads every fault of the registry, with its rule and alsoSeenBy', () => {
    const specs = mutantSpecs();
    expect(specs.map((s) => s.name).sort()).toEqual(Object.keys(FAULTS).sort());
    expect(mutantSpecs(['require-metadata'])).toEqual([{ name: 'require-metadata', rule: 'API-006', alsoSeenBy: ['API-003', 'PLAN-001', 'PLAN-003'] }]);
    expect(() => mutantSpecs(['no-such-mutant'])).toThrow(/unknown mutant\(s\) no-such-mutant/);
  });

  it('parses --concurrency and mutant names', () => {
    expect(parseArgs(['--concurrency', '3', 'strategy-auto'])).toEqual({ only: ['strategy-auto'], concurrency: 3, full: false });
    expect(parseArgs([])).toEqual({ only: [], concurrency: undefined, full: false });
    expect(() => parseArgs(['--concurrency', '0'])).toThrow(/positive integer/);
    expect(parseArgs(['--full']).full).toBe(true);
  });
});

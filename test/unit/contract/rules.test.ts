import { describe, expect, it } from 'vitest';
import { CATALOGUE_EDITION, parseRulesTsv, rule, ruleEdition, rules } from '../../../src/contract/rules.js';

const HEADER = 'id\tlevel\tedition\ttitle\treference\tstatement';

describe('rules.tsv, the rule registry', () => {
  it('parses to 114 rules in catalogue order with unique IDs', () => {
    const all = rules();
    expect(all).toHaveLength(114);
    expect(new Set(all.map((r) => r.id)).size).toBe(114);
    expect(all[0].id).toBe('PROC-001');
    expect(all.at(-1)!.id).toBe('RELEASE-002');
  });

  it('gives every rule a non-empty one-line title of at most 70 characters, a statement and a reference', () => {
    for (const r of rules()) {
      expect(r.title, r.id).toMatch(/\S/);
      expect(r.title.length, `${r.id} title "${r.title}"`).toBeLessThanOrEqual(70);
      expect(r.statement, r.id).toMatch(/\S/);
      expect(r.reference, r.id).toMatch(/\S/);
    }
  });

  it('counts 53 MUST, 49 SHOULD and 12 INFO rules', () => {
    const count = (level: string) => rules().filter((r) => r.level === level).length;
    expect([count('MUST'), count('SHOULD'), count('INFO')]).toEqual([53, 49, 12]);
  });

  it('gives edition 2 to the rules whose meaning the catalogue\'s §8 errata changed, and to the RELEASE rules; 1 to the rest', () => {
    expect(CATALOGUE_EDITION).toBe(2);
    const second = rules().filter((r) => r.edition === 2).map((r) => r.id).sort();
    expect(second).toEqual(
      ['DEF-003', 'EXEC-006', 'EXEC-007', 'EXEC-010', 'EXEC-011', 'PLAN-020', 'PROC-013', 'RELEASE-001', 'RELEASE-002', 'SVC-004', 'SVC-008', 'SVC-014'].sort(),
    );
    expect(rules().every((r) => r.edition === 1 || r.edition === 2)).toBe(true);
    expect(ruleEdition('PLAN-010')).toBe(1);
    expect(ruleEdition('PLAN-020')).toBe(2);
    expect(ruleEdition('NOPE-001')).toBeUndefined();
  });

  it('carries the title and reference of a rule', () => {
    expect(rule('PLAN-010')).toMatchObject({
      level: 'MUST',
      title: 'Non-rollback stage indexes equal the request indexes',
      reference: 'api.proto:36-44; sdk/deployment.go:54-66',
    });
  });
});

describe('parseRulesTsv', () => {
  it('reads the six columns', () => {
    expect(parseRulesTsv(`${HEADER}\nAB-001\tSHOULD\t2\tA title\tx.go:1-2\tThe statement.\n`)).toEqual([
      { id: 'AB-001', level: 'SHOULD', edition: 2, title: 'A title', reference: 'x.go:1-2', statement: 'The statement.' },
    ]);
  });

  it('names the line of a row whose edition is not a catalogue edition', () => {
    expect(() => parseRulesTsv(`${HEADER}\nAB-001\tMUST\t3\tt\tr\ts`, 'r.tsv')).toThrow(/r\.tsv:2: AB-001 has edition "3"; expected a catalogue edition from 1 to 2/);
    expect(() => parseRulesTsv(`${HEADER}\nAB-001\tMUST\t0\tt\tr\ts`, 'r.tsv')).toThrow(/AB-001 has edition "0"/);
    expect(() => parseRulesTsv(`${HEADER}\nAB-001\tMUST\tnew\tt\tr\ts`, 'r.tsv')).toThrow(/AB-001 has edition "new"/);
  });

  it('names the line of a row with the wrong column count', () => {
    expect(() => parseRulesTsv(`${HEADER}\nAB-001\tMUST\t1\tt\tr\ts\nAB-002\tMUST\tonly three`, 'r.tsv')).toThrow(/r\.tsv:3: expected 6 tab-separated columns .* got 3/);
  });

  it('names the line and the level of a row with an unknown level', () => {
    expect(() => parseRulesTsv(`${HEADER}\nAB-001\tMAY\t1\tt\tr\ts`, 'r.tsv')).toThrow(/r\.tsv:2: AB-001 has unknown level "MAY"/);
  });

  it('rejects a wrong header and a duplicate ID', () => {
    expect(() => parseRulesTsv('id\tlevel\tstatement\nAB-001\tMUST\ts', 'r.tsv')).toThrow(/r\.tsv:1: header/);
    expect(() => parseRulesTsv(`${HEADER}\nAB-001\tMUST\t1\tt\tr\ts\nAB-001\tMUST\t1\tt\tr\ts`, 'r.tsv')).toThrow(/r\.tsv:3: duplicate rule ID AB-001/);
  });
});

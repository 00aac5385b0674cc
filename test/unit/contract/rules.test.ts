import { describe, expect, it } from 'vitest';
import { parseRulesTsv, rule, rules } from '../../../src/contract/rules.js';

const HEADER = 'id\tlevel\ttitle\treference\tstatement';

describe('rules.tsv, the rule registry', () => {
  it('parses to 112 rules in catalogue order with unique IDs', () => {
    const all = rules();
    expect(all).toHaveLength(112);
    expect(new Set(all.map((r) => r.id)).size).toBe(112);
    expect(all[0].id).toBe('PROC-001');
    expect(all.at(-1)!.id).toBe('SVC-019');
  });

  it('gives every rule a non-empty one-line title of at most 70 characters, a statement and a reference', () => {
    for (const r of rules()) {
      expect(r.title, r.id).toMatch(/\S/);
      expect(r.title.length, `${r.id} title "${r.title}"`).toBeLessThanOrEqual(70);
      expect(r.statement, r.id).toMatch(/\S/);
      expect(r.reference, r.id).toMatch(/\S/);
    }
  });

  it('counts 51 MUST, 49 SHOULD and 12 INFO rules', () => {
    const count = (level: string) => rules().filter((r) => r.level === level).length;
    expect([count('MUST'), count('SHOULD'), count('INFO')]).toEqual([51, 49, 12]);
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
  it('reads the five columns', () => {
    expect(parseRulesTsv(`${HEADER}\nAB-001\tSHOULD\tA title\tx.go:1-2\tThe statement.\n`)).toEqual([
      { id: 'AB-001', level: 'SHOULD', title: 'A title', reference: 'x.go:1-2', statement: 'The statement.' },
    ]);
  });

  it('names the line of a row with the wrong column count', () => {
    expect(() => parseRulesTsv(`${HEADER}\nAB-001\tMUST\tt\tr\ts\nAB-002\tMUST\tonly three`, 'r.tsv')).toThrow(/r\.tsv:3: expected 5 tab-separated columns .* got 3/);
  });

  it('names the line and the level of a row with an unknown level', () => {
    expect(() => parseRulesTsv(`${HEADER}\nAB-001\tMAY\tt\tr\ts`, 'r.tsv')).toThrow(/r\.tsv:2: AB-001 has unknown level "MAY"/);
  });

  it('rejects a wrong header and a duplicate ID', () => {
    expect(() => parseRulesTsv('id\tlevel\tstatement\nAB-001\tMUST\ts', 'r.tsv')).toThrow(/r\.tsv:1: header/);
    expect(() => parseRulesTsv(`${HEADER}\nAB-001\tMUST\tt\tr\ts\nAB-001\tMUST\tt\tr\ts`, 'r.tsv')).toThrow(/r\.tsv:3: duplicate rule ID AB-001/);
  });
});

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { coverageSummary, ruleCoverage, scanTestTitles, suiteTestNames, UNCHECKED } from '../../../src/contract/coverage.js';
import { rules, type Rule } from '../../../src/contract/rules.js';
import { packageRoot } from '../../../src/protocol/load.js';

const sample = (id: string, level: Rule['level'] = 'MUST'): Rule => ({ id, level, title: `title of ${id}`, reference: 'x.go:1', statement: 's' });

describe('scanTestTitles', () => {
  it('reads titles in single, double and backtick quotes, with escapes', () => {
    const source = [
      `it('PROC-001 single \\'quoted\\'', async () => {});`,
      `it("PROC-005 double", () => {});`,
      'test(`PROC-006 backtick ${name} kept`, () => {});',
    ].join('\n');
    expect(scanTestTitles(source)).toEqual(["PROC-001 single 'quoted'", 'PROC-005 double', 'PROC-006 backtick ${name} kept']);
  });

  it('reads it.each(table)(title) and other chained forms', () => {
    const source = [
      `const BAD = [['not JSON', (p) => '{'], ['empty name', (p) => JSON.stringify({ name: '' , f: (a) => a / 2 })]];`,
      `it.each(BAD)('PROC-008 exits non-zero when given %s', async (variant, configText) => {});`,
      `it.each([[1, ')'], [2, '(']])("PLAN-010 case %i", () => {});`,
      `it.skipIf(process.platform === 'win32')('PROC-010 skip-if form', () => {});`,
      `test.concurrent('API-001 concurrent', () => {});`,
    ].join('\n');
    expect(scanTestTitles(source)).toEqual([
      'PROC-008 exits non-zero when given %s',
      'PLAN-010 case %i',
      'PROC-010 skip-if form',
      'API-001 concurrent',
    ]);
  });

  it('finds tests inside nested describe blocks but not describe titles', () => {
    const source = `
      describe('PROC process contract', () => {
        describe("nested", () => {
          beforeAll(() => { setup(); });
          it('PROC-014 inner test', async (ctx) => {
            expect(/it\\('fake'/.test(x)).toBe(true);
          });
        });
        it('DEF-001 outer test', () => {});
      });`;
    expect(scanTestTitles(source)).toEqual(['PROC-014 inner test', 'DEF-001 outer test']);
  });

  it('returns every literal title, including ones that do not start with a rule ID', () => {
    const source = `it('helper works', () => {}); it('EXEC-001 real', () => {});`;
    expect(scanTestTitles(source)).toEqual(['helper works', 'EXEC-001 real']);
  });

  it('ignores comments, strings, member calls and non-literal titles', () => {
    const source = [
      `// it('PROC-001 in a line comment', () => {});`,
      `/* test("PROC-002 in a block comment") */`,
      `const s = "it('PROC-003 in a string')";`,
      `/x/.test('PROC-004 a regex test call');`,
      `foo.it('PROC-005 a member it');`,
      `it(name, () => {});`,
      `split('PROC-007'); wait('PROC-009');`,
    ].join('\n');
    expect(scanTestTitles(source)).toEqual([]);
  });
});

describe('ruleCoverage', () => {
  const catalogue = [sample('AB-001'), sample('AB-002', 'SHOULD'), sample('AB-003', 'INFO')];

  it('marks rules with tests as checked and the rest as unchecked with their reason', () => {
    const { coverage, problems } = ruleCoverage(catalogue, new Map([['AB-001', ['AB-001 does it']]]), { 'AB-002': 'needs x', 'AB-003': 'INFO: a fact' });
    expect(problems).toEqual([]);
    expect(coverage).toEqual([
      { id: 'AB-001', level: 'MUST', title: 'title of AB-001', reference: 'x.go:1', status: 'checked', tests: ['AB-001 does it'] },
      { id: 'AB-002', level: 'SHOULD', title: 'title of AB-002', reference: 'x.go:1', status: 'unchecked', tests: [], reason: 'needs x' },
      { id: 'AB-003', level: 'INFO', title: 'title of AB-003', reference: 'x.go:1', status: 'unchecked', tests: [], reason: 'INFO: a fact' },
    ]);
    expect(coverageSummary(coverage)).toEqual({
      total: 3,
      checked: 1,
      unchecked: 2,
      byLevel: { MUST: { total: 1, checked: 1, unchecked: 0 }, SHOULD: { total: 1, checked: 0, unchecked: 1 }, INFO: { total: 1, checked: 0, unchecked: 1 } },
    });
  });

  it('flags a rule that is both checked and listed as unchecked', () => {
    const { coverage, problems } = ruleCoverage(catalogue, new Map([['AB-001', ['AB-001 t']]]), { 'AB-001': 'stale', 'AB-002': 'r', 'AB-003': 'r' });
    expect(coverage[0].status).toBe('checked');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/AB-001 is checked by 1 test\(s\) but still listed in UNCHECKED/);
  });

  it('flags a rule that is neither checked nor given a reason', () => {
    const { coverage, problems } = ruleCoverage(catalogue, new Map([['AB-001', ['AB-001 t']]]), { 'AB-002': 'r' });
    expect(coverage[2]).toMatchObject({ id: 'AB-003', status: 'unchecked', tests: [] });
    expect(coverage[2].reason).toBeUndefined();
    expect(problems).toEqual([expect.stringMatching(/AB-003 is checked by no suite test and has no reason/)]);
  });

  it('flags tests and UNCHECKED entries naming rules that are not in the catalogue', () => {
    const { problems } = ruleCoverage(catalogue, new Map([['AB-001', ['t']], ['ZZ-999', ['ZZ-999 typo']]]), { 'AB-002': 'r', 'AB-003': 'r', 'ZZ-998': 'r' });
    expect(problems).toEqual([expect.stringMatching(/ZZ-999, which is not a catalogue rule/), expect.stringMatching(/UNCHECKED lists ZZ-998/)]);
  });
});

describe('the registry against the compiled suites (dist/suites)', () => {
  it('every rule is either checked by a suite test or has a reason in UNCHECKED, never both', () => {
    const testsByRule = suiteTestNames(path.join(packageRoot(), 'dist', 'suites'));
    expect(testsByRule.size, 'no rule-named tests found: is dist/suites built (npx tsc -p .)?').toBeGreaterThan(0);
    const { problems } = ruleCoverage(rules(), testsByRule, UNCHECKED);
    expect(problems).toEqual([]);
  });
});

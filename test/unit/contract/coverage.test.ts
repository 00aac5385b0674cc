import { execa } from 'execa';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { coverageSummary, ruleCoverage, testsByRule, UNCHECKED } from '../../../src/contract/coverage.js';
import { rules, type Rule } from '../../../src/contract/rules.js';
import { packageRoot } from '../../../src/protocol/load.js';

const sample = (id: string, level: Rule['level'] = 'MUST'): Rule => ({ id, level, edition: 1, title: `title of ${id}`, reference: 'x.go:1', statement: 's' });

describe('testsByRule', () => {
  it('groups test names by the rule ID they begin with, in order, and ignores names that name no rule', () => {
    const names = ['PROC-008 exits non-zero when given an empty name', 'helper works', 'PROC-008 exits non-zero when given an empty url', 'EXEC-001 real', 'see PROC-001 later'];
    expect([...testsByRule(names)]).toEqual([
      ['PROC-008', ['PROC-008 exits non-zero when given an empty name', 'PROC-008 exits non-zero when given an empty url']],
      ['EXEC-001', ['EXEC-001 real']],
    ]);
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
  // The suites' tests as vitest collects them (src/list.ts), through the CLI: vitest is not started inside a test worker.
  it('every rule is either checked by a suite test or has a reason in UNCHECKED, never both', async () => {
    const cli = path.join(packageRoot(), 'bin', 'plugin-conformance.js');
    const { stdout } = await execa('node', [cli, 'list', '--json'], { cwd: packageRoot() });
    const names: string[] = JSON.parse(stdout).tests.map((t: { name: string }) => t.name);
    expect(names.length, 'no tests collected: is dist/suites built (npx tsc -p .)?').toBeGreaterThan(0);
    const { problems } = ruleCoverage(rules(), testsByRule(names), UNCHECKED);
    expect(problems).toEqual([]);
  });
});

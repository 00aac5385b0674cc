import { describe, expect, it } from 'vitest';
import { parseRulesCli, rulesCommand } from '../../../src/cli.js';
import { rules } from '../../../src/contract/rules.js';
import { UsageError } from '../../../src/errors.js';

/** Test names as the suites declare them (the CLI collects them with vitest; see src/list.ts). */
const testNames = ['PLAN-010 non-rollback indexes equal the request indexes', 'PLAN-010 property: generated stage lists', 'PLAN-011 no duplicate index'];

describe('plugin-conformance rules', () => {
  it('parses --json and --only, and rejects arguments', () => {
    expect(parseRulesCli([])).toEqual({ json: false, only: [] });
    expect(parseRulesCli(['--json', '--only', 'plan-01*,EXEC-001'])).toEqual({ json: true, only: ['PLAN-01*', 'EXEC-001'] });
    expect(parseRulesCli(['-h'])).toBe('help');
    expect(() => parseRulesCli(['plugin'])).toThrow(UsageError);
    expect(() => parseRulesCli(['--nope'])).toThrow(UsageError);
  });

  it('prints the whole catalogue with its counts', () => {
    const { stdout } = rulesCommand({ json: false, only: [] }, testNames);
    expect(stdout).toMatch(/^ID +LEVEL +STATUS +TITLE\n/);
    expect(stdout).toMatch(new RegExp(`\\n${rules().length} rules: 2 checked, \\d+ unchecked\\n`));
  });

  it('--json --only gives the selected coverage objects and their summary', () => {
    const { stdout } = rulesCommand({ json: true, only: ['PLAN-01?'] }, testNames);
    const parsed = JSON.parse(stdout);
    expect(parsed.rules.map((r: { id: string }) => r.id)).toEqual(['PLAN-010', 'PLAN-011', 'PLAN-012', 'PLAN-013', 'PLAN-014', 'PLAN-015', 'PLAN-016', 'PLAN-017', 'PLAN-018', 'PLAN-019']);
    expect(parsed.summary.total).toBe(10);
    expect(parsed.rules[0]).toMatchObject({ id: 'PLAN-010', level: 'MUST', reference: 'api.proto:36-44; sdk/deployment.go:54-66' });
    expect(parsed.rules[0]).toMatchObject({ status: 'checked', tests: testNames.slice(0, 2) });
    expect(parsed.rules[1]).toMatchObject({ id: 'PLAN-011', status: 'checked', tests: [testNames[2]] });
  });
});

import { describe, it, expect } from 'vitest';
import { parseCli } from '../../src/cli.js';
import { globsToPattern, rule, ruleIdOf, rules } from '../../src/contract/rules.js';
import { UsageError } from '../../src/errors.js';
import { testNamePattern } from '../../src/run.js';

/** Does vitest's filter for these globs select the test with this full name? */
function selects(only: string[], skip: string[], name: string): boolean {
  const pattern = testNamePattern(only, skip);
  return pattern === undefined || pattern.test(name);
}

describe('testNamePattern (--only / --skip)', () => {
  it('is undefined when neither --only nor --skip is given', () => {
    expect(testNamePattern([], [])).toBeUndefined();
  });

  it('--only PLAN-01* selects PLAN-010 and PLAN-016 but not PLAN-001 or DEF-004', () => {
    expect(selects(['PLAN-01*'], [], 'PLAN-010 non-rollback indexes equal the request indexes')).toBe(true);
    expect(selects(['PLAN-01*'], [], 'PLAN-016 built stages: status NOT_STARTED_YET')).toBe(true);
    expect(selects(['PLAN-01*'], [], 'PLAN-001 answers OK')).toBe(false);
    expect(selects(['PLAN-01*'], [], 'DEF-004 every stage emitted is defined')).toBe(false);
  });

  it('--only with an exact ID and a ? glob', () => {
    expect(selects(['EXEC-001'], [], 'EXEC-001 every OK answer has a status')).toBe(true);
    expect(selects(['EXEC-001'], [], 'EXEC-0010 not an ID')).toBe(false);
    expect(selects(['EXEC-00?'], [], 'EXEC-009 accepts an absent running source')).toBe(true);
    expect(selects(['EXEC-00?'], [], 'EXEC-013 unknown stage')).toBe(false);
  });

  it('--only with several globs selects any of them', () => {
    expect(selects(['PROC-001', 'SVC-*'], [], 'PROC-001 starts serving')).toBe(true);
    expect(selects(['PROC-001', 'SVC-*'], [], 'SVC-003 log blocks')).toBe(true);
    expect(selects(['PROC-001', 'SVC-*'], [], 'PROC-005 serves plaintext')).toBe(false);
  });

  it('--skip EXEC-* excludes EXEC tests and keeps the rest', () => {
    expect(selects([], ['EXEC-*'], 'EXEC-001 every OK answer has a status')).toBe(false);
    expect(selects([], ['EXEC-*'], 'EXEC-013 an unknown stage name never ends in STAGE_SUCCESS')).toBe(false);
    expect(selects([], ['EXEC-*'], 'PLAN-010 non-rollback indexes')).toBe(true);
    expect(selects([], ['EXEC-*'], 'SVC-002 every PluginService request is valid')).toBe(true);
  });

  it('--only and --skip combine: selected by --only and not removed by --skip', () => {
    const only = ['PLAN-*'];
    const skip = ['PLAN-011', 'PLAN-012'];
    expect(selects(only, skip, 'PLAN-010 non-rollback indexes')).toBe(true);
    expect(selects(only, skip, 'PLAN-011 no duplicate index')).toBe(false);
    expect(selects(only, skip, 'PLAN-012 every returned index')).toBe(false);
    expect(selects(only, skip, 'EXEC-001 status')).toBe(false);
  });

  it('a test nested under a describe still matches', () => {
    const name = 'PLAN BuildPipelineSyncStages and BuildQuickSyncStages > PLAN-010 non-rollback indexes equal the request indexes';
    expect(selects(['PLAN-01*'], [], name)).toBe(true);
    expect(selects(['PLAN-010'], [], name)).toBe(true);
    expect(selects([], ['PLAN-010'], name)).toBe(false);
    expect(selects(['PLAN-001'], [], name)).toBe(false);
    expect(selects(['EXEC-*'], [], 'EXEC ExecuteStage > EXEC-009 accepts an absent running_deployment_source')).toBe(true);
  });
});

describe('rule catalogue', () => {
  it('globsToPattern matches whole IDs only', () => {
    const re = new RegExp(`^${globsToPattern(['PLAN-01*', 'EXEC-00?'])}$`);
    expect(re.test('PLAN-010')).toBe(true);
    expect(re.test('PLAN-019')).toBe(true);
    expect(re.test('EXEC-009')).toBe(true);
    expect(re.test('EXEC-010')).toBe(false);
    expect(re.test('PLAN-001')).toBe(false);
    expect(new RegExp(`^${globsToPattern(['A.B'])}$`).test('AxB')).toBe(false);
  });

  it('ruleIdOf reads the rule ID a test name starts with', () => {
    expect(ruleIdOf('PLAN-010 non-rollback indexes')).toBe('PLAN-010');
    expect(ruleIdOf('PLAN BuildPipelineSyncStages > PLAN-016 built stages')).toBe('PLAN-016');
    expect(ruleIdOf('SVC-003 log blocks')).toBe('SVC-003');
    expect(ruleIdOf('no rule here')).toBeUndefined();
    expect(ruleIdOf('PLAN-01 too short')).toBeUndefined();
  });

  it('rule(PLAN-010) is a MUST rule with a statement', () => {
    const found = rule('PLAN-010');
    expect(found.id).toBe('PLAN-010');
    expect(found.level).toBe('MUST');
    expect(found.statement.length).toBeGreaterThan(0);
  });

  it('rule() throws for an unknown ID', () => {
    expect(() => rule('NOPE-1')).toThrow(/unknown rule ID NOPE-1/);
  });

  it('has 114 rules, each with a unique well-formed ID and a known level', () => {
    const all = rules();
    expect(all.length).toBe(114);
    expect(new Set(all.map((r) => r.id)).size).toBe(114);
    for (const r of all) {
      expect(r.id).toMatch(/^[A-Z]+-\d{3}$/);
      expect(['MUST', 'SHOULD', 'INFO']).toContain(r.level);
    }
  });
});

describe('parseCli', () => {
  it('--help and -h give "help"', () => {
    expect(parseCli(['--help'])).toBe('help');
    expect(parseCli(['-h', 'plugin'])).toBe('help');
  });

  it('--version gives "version"', () => {
    expect(parseCli(['-v'])).toBe('version');
  });

  it('reads a plugin with defaults', () => {
    const options = parseCli(['./bin/plugin']);
    expect(options).toMatchObject({ target: './bin/plugin', outDir: 'reports', only: [], skip: [], readyTimeoutMs: 30_000, graceMs: 30_000 });
  });

  it('no plugin is a UsageError', () => {
    expect(() => parseCli([])).toThrow(UsageError);
    expect(() => parseCli(['--only', 'PLAN-*'])).toThrow(/no plugin given/);
  });

  it('two plugins is a UsageError naming both', () => {
    expect(() => parseCli(['a', 'b'])).toThrow(UsageError);
    expect(() => parseCli(['a', 'b'])).toThrow(/expected one plugin, got 2: a b/);
  });

  it('a bad glob is a UsageError', () => {
    expect(() => parseCli(['--only', 'PLAN.01', 'p'])).toThrow(UsageError);
    expect(() => parseCli(['--skip', '-PLAN', 'p'])).toThrow(UsageError);
    expect(() => parseCli(['--only', 'PLAN 010', 'p'])).toThrow(/not a rule ID glob/);
  });

  it('--ready-timeout 0 and other non-positive numbers are UsageErrors', () => {
    expect(() => parseCli(['--ready-timeout', '0', 'p'])).toThrow(UsageError);
    expect(() => parseCli(['--ready-timeout', '0', 'p'])).toThrow(/--ready-timeout takes a positive number of seconds, got "0"/);
    expect(() => parseCli(['--grace-period', 'soon', 'p'])).toThrow(UsageError);
    expect(() => parseCli(['--grace-period', '-1', 'p'])).toThrow(UsageError);
  });

  it('seconds become milliseconds', () => {
    expect(parseCli(['--ready-timeout', '1.5', '--grace-period', '2', 'p'])).toMatchObject({ readyTimeoutMs: 1500, graceMs: 2000 });
  });

  it('an unknown option is a UsageError', () => {
    expect(() => parseCli(['--bogus', 'p'])).toThrow(UsageError);
  });

  it('--only a,b --only c gives ["A","B","C"]', () => {
    expect(parseCli(['--only', 'a,b', '--only', 'c', 'p'])).toMatchObject({ only: ['A', 'B', 'C'] });
  });

  it('--skip globs are split, trimmed and upper-cased', () => {
    expect(parseCli(['--skip', ' exec-* , svc-003,', 'p'])).toMatchObject({ skip: ['EXEC-*', 'SVC-003'] });
  });
});

// End to end: the CLI against the reference plugin, its mutants, and targets that cannot run.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { failedRules, mutants, REFERENCE, runCli } from './support.js';

/** Rules the walking skeleton must judge (issue 2); each passes on the reference or does not apply to it. */
const SKELETON_RULES = [
  'PROC-001', 'PROC-005', 'PROC-006', 'PROC-008', 'PROC-010', 'PROC-014', 'API-001', 'API-002', 'DEF-001', 'DEF-002', 'DEF-004',
  'PLAN-004', 'PLAN-005', 'PLAN-010', 'PLAN-011', 'PLAN-012', 'PLAN-016', 'EXEC-001', 'EXEC-006', 'EXEC-008', 'EXEC-009', 'EXEC-013',
  'SVC-002', 'SVC-003', 'SVC-004', 'SVC-005',
];

describe('the reference plugin', () => {
  it('conforms: exit 0, every rule passed or not applicable, reports written', async () => {
    const run = await runCli([REFERENCE]);
    expect(run.exitCode, run.output).toBe(0);
    expect(run.lastLine).toMatch(/^\d+ passed, 0 failed(, \d+ skipped)?$/);
    expect(existsSync(path.join(run.outDir, 'junit.xml'))).toBe(true);
    const byRule = new Map<string, Set<string>>();
    for (const o of run.results.outcomes) byRule.set(o.ruleId, new Set([...(byRule.get(o.ruleId) ?? []), o.state]));
    for (const id of SKELETON_RULES) {
      const states = [...(byRule.get(id) ?? [])];
      expect(states.length, `${id} was not judged`).toBeGreaterThan(0);
      expect(states.every((s) => s === 'passed' || s === 'unsupported'), `${id}: ${states}`).toBe(true);
    }
  });
});

describe('mutants of the reference plugin', () => {
  it.each(mutants().map((m) => [m.name, m] as const))('%s is caught by the rule it breaks', async (_name, mutant) => {
    // A short grace keeps the SIGTERM-ignoring mutant from costing piped's full 30 s.
    const run = await runCli([REFERENCE, '--config', mutant.configFile, '--grace-period', '5']);
    expect(run.exitCode, run.output).toBe(1);
    expect(failedRules(run)).toContain(mutant.breaks);
    expect(run.output).toContain(mutant.breaks);
  });
});

describe('targets that cannot run', () => {
  it('/bin/false exits 2 with the plugin exit code in the message', async () => {
    const run = await runCli(['/bin/false']);
    expect(run.exitCode).toBe(2);
    expect(run.output).toMatch(/exited with code 1 .*before it answered FetchDefinedStages/);
  });

  it('a missing path exits 2 and says where it looked', async () => {
    const run = await runCli(['./no/such/plugin']);
    expect(run.exitCode).toBe(2);
    expect(run.output).toMatch(/plugin not found: \.\/no\/such\/plugin/);
  });
});

// End to end: the CLI against the reference plugin (as a deployment and as a stage plugin), the kill matrix over its
// mutants, and targets that cannot run.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mutantSpecs, runKillMatrix } from '../../scripts/kill-matrix.js';
import { REFERENCE, ROOT, runCli, type CliRun } from './support.js';

const STAGE_CONFIG = path.join(ROOT, 'fixtures', 'plugins', 'reference-stage.yaml');

/** Budget for one full CLI run against the reference (its own start-up, shutdown and property suites take a while). */
const FULL_RUN_TIMEOUT_MS = 240_000;

/** Budget for the whole kill matrix: two CLI runs at a time, each well under a minute. */
const KILL_MATRIX_TIMEOUT_MS = 120_000 + (mutantSpecs().length + 1) * 60_000;

/** The states a rule's tests ended in. */
function statesOf(run: CliRun, ruleId: string): string[] {
  return [...new Set<string>((run.results?.outcomes ?? []).filter((o: any) => o.ruleId === ruleId).map((o: any) => o.state))];
}

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
    expect(run.results.capabilities).toEqual({ kind: 'deployment', livestate: true, planPreview: true });
    const byRule = new Map<string, Set<string>>();
    for (const o of run.results.outcomes) byRule.set(o.ruleId, new Set([...(byRule.get(o.ruleId) ?? []), o.state]));
    for (const id of SKELETON_RULES) {
      const states = [...(byRule.get(id) ?? [])];
      expect(states.length, `${id} was not judged`).toBeGreaterThan(0);
      expect(states.every((s) => s === 'passed' || s === 'unsupported'), `${id}: ${states}`).toBe(true);
    }
  }, FULL_RUN_TIMEOUT_MS);
});

describe('the reference plugin as a stage plugin', () => {
  it('conforms with kind: stage, judged as a stage plugin: PLAN-005 and EXEC-008 pass', async () => {
    const run = await runCli([REFERENCE, '--config', STAGE_CONFIG]);
    expect(run.exitCode, run.output).toBe(0);
    expect(run.results.capabilities).toEqual({ kind: 'stage', livestate: false, planPreview: false });
    for (const id of ['PLAN-005', 'EXEC-008']) expect(statesOf(run, id), `${id} on the stage plugin`).toEqual(['passed']);
  }, FULL_RUN_TIMEOUT_MS);
});

describe('mutants of the reference plugin', () => {
  it('the kill matrix is green: each mutant fails its own rule and only rules its fault lists in alsoSeenBy', async () => {
    // The SIGTERM-ignoring mutant gets a 5 s grace (runKillMatrix's default), not piped's 30 s.
    const matrix = await runKillMatrix({ log: (line) => console.log(`  ${line}`) });
    console.log(`\n${matrix.report}`);
    expect(matrix.green, matrix.report).toBe(true);
  }, KILL_MATRIX_TIMEOUT_MS);
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

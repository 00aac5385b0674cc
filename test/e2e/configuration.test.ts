// End to end: a plugin whose stages need configuration (the reference plugin with requireStageOptions). With its
// example app the harness drives every rule; without it, nothing fails and every rule it could not drive is reported
// `not exercised` with the stage's own refusal and the fix (exit 2, or 0 with --allow-not-exercised).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { failedRules, REFERENCE, ROOT, runCli, type CliRun } from './support.js';

const CONFIGURED = path.join(ROOT, 'fixtures', 'plugins', 'reference-configured.yaml');
/** The reference plugin's executable alone: no folder, so its examples/ are not picked up. */
const BARE = path.join(REFERENCE, 'bin', 'reference-plugin');
const EXAMPLE = path.join(REFERENCE, 'examples', 'pipeline');
const APPROVAL_RULES = ['EXEC-015', 'EXEC-016', 'SVC-013', 'SVC-014'];

function states(run: CliRun, state: string): string[] {
  return [...new Set<string>(run.results.outcomes.filter((o: any) => o.state === state).map((o: any) => o.ruleId))];
}

describe('a plugin whose stages need configuration', () => {
  it('without an example: exit 2, nothing failed, rules not exercised with the refusal and the fix, in every report', async () => {
    const run = await runCli([BARE, '--config', CONFIGURED]);
    expect(run.exitCode, run.output).toBe(2);
    expect(failedRules(run), run.output).toEqual([]);
    const notExercised = states(run, 'not-exercised');
    for (const rule of ['PLAN-010', 'EXEC-001', ...APPROVAL_RULES]) expect(notExercised, run.output).toContain(rule);
    // Planning refusing `{}` is evidence for PLAN-020, never a PLAN-01x failure.
    expect(states(run, 'failed')).toEqual([]);
    const reason = run.results.outcomes.find((o: any) => o.ruleId === 'EXEC-015').messages[0];
    expect(reason).toContain("stage REF_APPROVAL refused `{}` with INVALID_ARGUMENT");
    expect(reason).toContain('approvers must be set');
    expect(reason).toContain('conformance.stages.REF_APPROVAL');
    expect(run.results.verdict.release).toBe(false);
    expect(run.results.verdict.summary).toContain('not exercised');
    expect(run.output).toContain('Not exercised (the rule applies, but the harness had no valid input to drive it):');
    expect(run.lastLine).toMatch(/^\d+ passed, 0 failed, \d+ skipped, \d+ not exercised$/);
    const junit = readFileSync(path.join(run.outDir, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<skipped message="not exercised: stage REF_WAIT refused/);
    const html = readFileSync(path.join(run.outDir, 'report.html'), 'utf8');
    expect(html).toContain('Not exercised');
  }, 240_000);

  it('without an example but with --allow-not-exercised: exit 0, still not a release verdict', async () => {
    const run = await runCli([BARE, '--config', CONFIGURED, '--allow-not-exercised', '--only', 'PLAN-01*,EXEC-015']);
    expect(run.exitCode, run.output).toBe(0);
    expect(run.results.verdict.release).toBe(false);
    expect(states(run, 'not-exercised')).toContain('EXEC-015');
  }, 240_000);

  it('with --app: exit 0, the approval rules passed, no rule not exercised', async () => {
    const run = await runCli([BARE, '--config', CONFIGURED, '--app', EXAMPLE]);
    expect(run.exitCode, run.output).toBe(0);
    expect(failedRules(run), run.output).toEqual([]);
    expect(states(run, 'not-exercised'), run.output).toEqual([]);
    const passed = states(run, 'passed');
    for (const rule of [...APPROVAL_RULES, 'EXEC-005', 'EXEC-011', 'PLAN-020', 'EXEC-010']) expect(passed, run.output).toContain(rule);
    expect(run.output).toContain('example app');
    expect(run.results.verdict.release).toBe(true);
  }, 240_000);

  it('a bad example app is exit 2 before the plugin starts, naming the file and line', async () => {
    const run = await runCli([BARE, '--config', CONFIGURED, '--app', path.join(ROOT, 'fixtures')]);
    expect(run.exitCode).toBe(2);
    expect(run.output).toContain('no app.pipecd.yaml (or *.pipecd.yaml) in this folder');
    expect(run.output).not.toMatch(/\n\s+at /);
  });
});

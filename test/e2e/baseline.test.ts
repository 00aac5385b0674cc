// End to end: --baseline and --update-baseline with the reference plugin and its exec-empty-status mutant (which
// breaks EXEC-001, a MUST rule); --only EXEC-001 keeps each run to seconds.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { MUTANTS_DIR, REFERENCE, runCli } from './support.js';

const MUTANT = path.join(MUTANTS_DIR, 'exec-empty-status.yaml');
const ONLY = ['--only', 'EXEC-001'];
const RUN_TIMEOUT_MS = 120_000;

/** The broken plugin (the reference with the mutant's fault) and the fixed one (the reference itself). */
const broken = (...args: string[]) => runCli([REFERENCE, '--config', MUTANT, ...ONLY, ...args], RUN_TIMEOUT_MS);
const fixed = (...args: string[]) => runCli([REFERENCE, ...ONLY, ...args], RUN_TIMEOUT_MS);

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'pc-baseline-'));
const statesOf = (results: any, ruleId: string) => [...new Set((results?.outcomes ?? []).filter((o: any) => o.ruleId === ruleId).map((o: any) => o.state))];

describe('--baseline', () => {
  it('a baselined MUST failure is an expected failure: exit 0, release false, JUnit <skipped>, counted on the last line', async () => {
    const file = path.join(tmp(), 'baseline.yaml');
    writeFileSync(file, 'entries:\n  - rule: EXEC-001\n    reason: "empty ExecuteStage answers, ticket 42"\n    expect: STAGE_NOT_STARTED_YET\n');
    const run = await broken('--baseline', file);
    expect(run.exitCode, run.output).toBe(0);
    expect(statesOf(run.results, 'EXEC-001')).toEqual(['expected-failure']);
    expect(run.results.verdict.release).toBe(false);
    expect(run.results.verdict.summary).toContain('MUST rule(s) failed, excused by the baseline: EXEC-001');
    expect(run.results.baseline).toMatchObject({ file, stale: [], matched: [{ entry: 'EXEC-001', reason: 'empty ExecuteStage answers, ticket 42' }] });
    expect(run.results.baseline.matched[0].tests).toHaveLength(2);
    expect(readFileSync(path.join(run.outDir, 'junit.xml'), 'utf8')).toContain('<skipped message="expected failure: empty ExecuteStage answers, ticket 42">');
    expect(run.lastLine).toMatch(/^0 passed, 0 failed, \d+ skipped, 2 expected failures$/);
  }, RUN_TIMEOUT_MS);

  it('--update-baseline round trip: write from the broken run, green run, stale on the fixed plugin, then pruned', async () => {
    const file = path.join(tmp(), 'known.yaml');
    const update = await broken('--baseline', file, '--update-baseline', '--reason', 'ticket 7: empty status');
    expect(update.exitCode, update.output).toBe(0);
    expect(update.output).toContain(`baseline ${file} updated: 1 added, 0 removed`);
    expect(update.output).toContain('+ rule: EXEC-001 (reason: ticket 7: empty status)');
    expect(parseYaml(readFileSync(file, 'utf8'))).toEqual({ entries: [{ rule: 'EXEC-001', reason: 'ticket 7: empty status' }] });

    const green = await broken('--baseline', file);
    expect(green.exitCode, green.output).toBe(0);
    expect(statesOf(green.results, 'EXEC-001')).toEqual(['expected-failure']);

    const stale = await fixed('--baseline', file);
    expect(stale.exitCode, stale.output).toBe(1);
    expect(statesOf(stale.results, 'EXEC-001')).toEqual(['passed']);
    expect(stale.results.verdict.summary).toMatch(/^baseline is stale: EXEC-001 \(now passes: every test of EXEC-001 that ran passed\)/);
    expect(stale.results.baseline.stale).toEqual([{ entry: 'EXEC-001', why: 'now passes: every test of EXEC-001 that ran passed', line: 6 }]);

    const pruned = await fixed('--baseline', file, '--update-baseline', '--reason', 'unused');
    expect(pruned.exitCode, pruned.output).toBe(0);
    expect(pruned.output).toContain(`baseline ${file} updated: 0 added, 1 removed`);
    expect(parseYaml(readFileSync(file, 'utf8'))).toEqual({ entries: [] });
  }, 5 * RUN_TIMEOUT_MS);

  it('an expect that no longer matches the failure is stale: exit 1, and the failure stays a failure', async () => {
    const file = path.join(tmp(), 'baseline.yaml');
    writeFileSync(file, 'entries:\n  - rule: EXEC-001\n    reason: r\n    expect: STAGE_RUNNING\n');
    const run = await broken('--baseline', file);
    expect(run.exitCode, run.output).toBe(1);
    expect(statesOf(run.results, 'EXEC-001')).toEqual(['failed']);
    expect(run.results.baseline.stale).toHaveLength(1);
    expect(run.results.baseline.stale[0].why).toMatch(/^expect "STAGE_RUNNING" is not in the failure message of "EXEC-001 [^"]+" \(EXEC-001: .*got …\): the failure changed$/);
    expect(run.results.verdict.summary).toMatch(/^does not conform: EXEC-001 failed; stale baseline entries: EXEC-001 \(expect "STAGE_RUNNING"/);
  }, RUN_TIMEOUT_MS);

  it('a bad baseline file is exit 2 before the plugin starts, with file:line and the fix; so is --update-baseline alone', async () => {
    const file = path.join(tmp(), 'bad.yaml');
    writeFileSync(file, 'entries:\n  - rule: EXEC-001\n    reason: r\n  - rule: E*\n    reason: r\n');
    const run = await broken('--baseline', file);
    expect(run.exitCode).toBe(2);
    expect(run.output).toContain(`${file}:4: entry 2: malformed wildcard "E*"; a wildcard covers one whole rule group, written GROUP-* (e.g. EXEC-*)`);
    expect(run.output).not.toContain('plugin-conformance: testing');
    expect(run.results).toBeUndefined();

    const missing = await broken('--baseline', path.join(tmp(), 'none.yaml'));
    expect(missing.exitCode).toBe(2);
    expect(missing.output).toMatch(/none\.yaml: baseline file not found; create it from a run with --update-baseline --reason TEXT/);

    const usage = await broken('--update-baseline', '--reason', 'x');
    expect(usage.exitCode).toBe(2);
    expect(usage.output).toContain('--update-baseline needs --baseline FILE');
    expect(existsSync(path.join(usage.outDir, 'results.json'))).toBe(false);
  }, RUN_TIMEOUT_MS);
});

// End to end: DEF-003's exception for the official plugin itself (CATALOGUE erratum §8.11). The reference plugin posing
// as the official wait plugin (`impersonate: wait`, defining exactly [WAIT]) passes DEF-003 when configured under the
// official name `wait`, and fails it under a name of its own. DEF-003 is a SHOULD rule (src/contract/rules.tsv), so the
// failure shows in results.json and gates the exit code only with --strict.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REFERENCE, ROOT, runCli, type CliRun } from './support.js';

const OFFICIAL_CONFIG = path.join(ROOT, 'fixtures', 'plugins', 'reference-official-wait.yaml');
const BORROWED_CONFIG = path.join(ROOT, 'fixtures', 'plugins', 'reference-borrowed-wait.yaml');

/** A run of DEF-003 only against the reference folder (its examples/ app included) with the given --config. */
const runDef003 = (config: string, ...extra: string[]) => runCli([REFERENCE, '--config', config, '--only', 'DEF-003', ...extra], 120_000);

function def003Outcomes(run: CliRun): any[] {
  return (run.results?.outcomes ?? []).filter((o: any) => o.ruleId === 'DEF-003');
}

describe('DEF-003 against the reference plugin posing as the official wait plugin', () => {
  it('configured as `wait` with exactly [WAIT], it is the official plugin: DEF-003 passes, exit 0', async () => {
    const run = await runDef003(OFFICIAL_CONFIG);
    expect(run.exitCode, run.output).toBe(0);
    expect(run.results.pluginName).toBe('wait');
    const outcomes = def003Outcomes(run);
    expect(outcomes.length, run.output).toBeGreaterThan(0);
    expect(outcomes.map((o) => o.state)).toEqual(outcomes.map(() => 'passed'));
  }, 150_000);

  it('configured as `my-wait`, it borrows WAIT: DEF-003 (SHOULD) fails naming WAIT and the official plugin `wait`', async () => {
    const run = await runDef003(BORROWED_CONFIG);
    // A failed SHOULD rule does not fail the run (exit 0) unless --strict.
    expect(run.exitCode, run.output).toBe(0);
    expect(run.results.pluginName).toBe('my-wait');
    const outcomes = def003Outcomes(run);
    expect(outcomes.length, run.output).toBeGreaterThan(0);
    expect(outcomes.every((o) => o.level === 'SHOULD' && o.state === 'failed'), JSON.stringify(outcomes)).toBe(true);
    const messages = outcomes.flatMap((o) => o.messages).join('\n');
    expect(messages).toContain('defined stage "WAIT" is also defined by the official wait plugin');
    expect(messages).toContain('"plugin":"wait"');
    expect(messages).toContain('"pluginName":"my-wait"');
    expect(messages).toContain('"defined":["WAIT"]');
  }, 150_000);

  it('with --strict the borrowed name fails the run: exit 1', async () => {
    const run = await runDef003(BORROWED_CONFIG, '--strict');
    expect(run.exitCode, run.output).toBe(1);
    expect(def003Outcomes(run).map((o) => o.state)).toContain('failed');
  }, 150_000);
});

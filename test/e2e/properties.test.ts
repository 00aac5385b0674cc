// End to end: generated cases catch what scripted cases cannot. Mutants marked `generatedOnly` are caught by a default
// run only through property or generated tests; the printed replay command reproduces the shrunk case; the same seed
// gives the same counterexample; a saved failure replays from its file.
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAULTS } from '../../fixtures/plugins/reference/faults.js';
import { failedRules, MUTANTS_DIR, REFERENCE, runCli, type CliRun } from './support.js';

const GENERATED_ONLY = Object.entries(FAULTS).filter(([, info]) => (info as { generatedOnly?: boolean }).generatedOnly).map(([name, info]) => ({ name, rule: info.rule }));
const DUPLICATE_ROLLBACK = path.join(MUTANTS_DIR, 'plan-duplicate-rollback-index-offset.yaml');
const LONG = 600_000;

function failedTests(run: CliRun): string[] {
  return (run.results?.outcomes ?? []).filter((o: any) => o.state === 'failed').map((o: any) => o.name as string);
}

/** The arguments of the first printed replay command (after `npx plugin-conformance`). */
function replayArgs(output: string): string[] {
  const line = /Replay exactly this case:\n\s+npx plugin-conformance (.+)/.exec(output)?.[1];
  if (!line) throw new Error(`no replay command in the output:\n${output.slice(-3000)}`);
  return [...line.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]));
}

/** The shrunk request and everything after it in a property failure (evidence before it carries plugin timestamps). */
function counterexample(run: CliRun, test: string): string {
  const outcome = (run.results?.outcomes ?? []).find((o: any) => o.name === test);
  const message: string = outcome?.messages?.[0] ?? '';
  return message.slice(message.indexOf('Property failed'));
}

describe('generated-only mutants', () => {
  it('are exactly the three the generators must find', () => {
    expect(GENERATED_ONLY.map((m) => m.name).sort()).toEqual(['crash-on-sparse-pipeline', 'exec-hang-non-ascii-key', 'plan-duplicate-rollback-index-offset']);
  });

  it.each(GENERATED_ONLY.map((m) => [m.name, m] as const))(
    '%s: a default run catches it through generated cases only, and the printed command replays the shrunk case',
    async (name, mutant) => {
      const run = await runCli([REFERENCE, '--config', path.join(MUTANTS_DIR, `${name}.yaml`), '--grace-period', '5'], LONG);
      expect(run.exitCode, run.output).toBe(1);
      expect(failedRules(run)).toContain(mutant.rule);
      const failed = failedTests(run);
      expect(failed.filter((t) => !/ property: |^API-003 generated: /.test(t)), 'scripted cases must not catch a generated-only mutant').toEqual([]);

      const replay = await runCli(replayArgs(run.output), LONG);
      expect(replay.exitCode, replay.output).toBe(1);
      const replayed = failedTests(replay);
      expect(replayed).toHaveLength(1);
      expect(replayed[0].startsWith(`${mutant.rule} property:`)).toBe(true);
      expect(replay.output).toContain('Property failed on the replayed case');
      expect((replay.results?.outcomes ?? []).filter((o: any) => o.state === 'passed')).toEqual([]);
    },
    2 * LONG,
  );
});

describe('seeds', () => {
  it('the seed is printed at the start and written to results.json', async () => {
    const run = await runCli([REFERENCE, '--only', 'PLAN-011', '--seed', '31337']);
    expect(run.exitCode, run.output).toBe(0);
    expect(run.output.split('\n').slice(0, 3).join('\n')).toContain('seed 31337');
    expect(run.results).toMatchObject({ seed: 31337, properties: { seed: 31337, runs: 100 } });
  });

  it('two runs with the same --seed print the same counterexample and replay command', async () => {
    const args = [REFERENCE, '--config', DUPLICATE_ROLLBACK, '--only', 'PLAN-011', '--seed', '2718'];
    const [first, second] = [await runCli(args, LONG), await runCli(args, LONG)];
    const test = failedTests(first).find((t) => t.includes(' property: '))!;
    expect(test).toBeDefined();
    expect(counterexample(first, test)).toContain('--seed 2718 --replay PLAN-011:');
    expect(counterexample(second, test)).toBe(counterexample(first, test));
  }, 2 * LONG);
});

describe('saved failures', () => {
  it('--save-failures writes the shrunk case, and --replay-file runs only it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pc-failures-'));
    const run = await runCli([REFERENCE, '--config', DUPLICATE_ROLLBACK, '--only', 'PLAN-011', '--save-failures', dir], LONG);
    expect(run.exitCode, run.output).toBe(1);
    const files = readdirSync(dir);
    expect(files).toEqual([expect.stringMatching(/^PLAN-011-seed\d+\.json$/)]);
    const file = path.join(dir, files[0]);
    expect(run.output).toContain(`--replay-file ${file}`);

    const replay = await runCli([REFERENCE, '--config', DUPLICATE_ROLLBACK, '--replay-file', file], LONG);
    expect(replay.exitCode, replay.output).toBe(1);
    expect(failedTests(replay)).toEqual([failedTests(run).find((t) => t.includes(' property: '))]);
    expect(replay.output).toContain('read from a saved failure');
    const shown = (r: CliRun) => counterexample(r, failedTests(r).find((t) => t.includes(' property: '))!).split('\n').slice(1).join('\n').split('\nSeed')[0];
    expect(shown(replay)).toBe(shown(run));
  }, 2 * LONG);
});

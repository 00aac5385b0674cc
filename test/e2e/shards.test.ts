// End to end: `list` names exactly the tests a run executes, and `--shard 1/3`, `2/3`, `3/3` merged give the
// unsharded run's per-rule verdicts and exit code, on the reference plugin and on one of its mutants.
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, MUTANTS_DIR, REFERENCE, ROOT, runCli, type CliRun, assertResultsSchema } from './support.js';

/** A handful of rule groups (same --only and --seed for every run), with few generated cases: each run takes seconds. */
const SELECTION = ['--only', 'DEF-*,PLAN-01*,EXEC-00?,SVC-00?', '--seed', '7', '--property-runs', '10'];
const SHARDS = 3;
const TIMEOUT_MS = 180_000;

async function cli(args: string[]) {
  return execa('node', [CLI, ...args], { cwd: ROOT, reject: false, env: { FORCE_COLOR: '0', NO_COLOR: '1' } });
}

const lists = new Map<string, Promise<string[]>>();

/** `list --json` with the runs' --only (and `extra`): the names of the tests such a run executes. Listed once. */
function listed(extra: string[] = []): Promise<string[]> {
  const key = extra.join(' ');
  if (!lists.has(key)) {
    lists.set(key, cli(['list', '--json', ...SELECTION.slice(0, 2), ...extra]).then((result) => {
      if (result.exitCode !== 0) throw new Error(`list failed: ${result.stderr}`);
      return JSON.parse(result.stdout).tests.map((t: { name: string }) => t.name);
    }));
  }
  return lists.get(key)!;
}

/** The tests a run executed: every outcome but those --only left out (skipped with no reason). */
function executed(run: CliRun): string[] {
  return run.results.outcomes.filter((o: any) => !(o.state === 'skipped' && o.messages.length === 0)).map((o: any) => o.name);
}

const sorted = (names: string[]) => [...names].sort();

/** Rule ID → the states its tests ended in. */
function perRule(outcomes: any[]): Record<string, string[]> {
  const byRule: Record<string, Set<string>> = {};
  for (const o of outcomes) (byRule[o.ruleId ?? o.name] ??= new Set()).add(o.state);
  return Object.fromEntries(Object.entries(byRule).sort(([a], [b]) => a.localeCompare(b)).map(([id, states]) => [id, [...states].sort()]));
}

async function shardedEqualsUnsharded(pluginArgs: string[]): Promise<{ unsharded: CliRun; merged: any; mergeExit: number }> {
  const shardLists = Array.from({ length: SHARDS }, (_, i) => listed(['--shard', `${i + 1}/${SHARDS}`]));
  const unsharded = await runCli([...pluginArgs, ...SELECTION]);
  expect(unsharded.results, unsharded.output).toBeDefined();
  const all = await listed();
  expect(sorted(executed(unsharded)), 'list and the run disagree').toEqual(sorted(all));
  // Shards are independent runs, as in CI: started together.
  const shards = await Promise.all(Array.from({ length: SHARDS }, (_, i) => runCli([...pluginArgs, ...SELECTION, '--shard', `${i + 1}/${SHARDS}`])));
  for (const [i, shard] of shards.entries()) {
    expect(shard.results?.shard, shard.output).toMatchObject({ index: i + 1, total: SHARDS, selectedTotal: all.length });
    // A shard reports its own tests and the ones --only left out, never another shard's.
    expect(sorted(executed(shard))).toEqual(sorted(shard.results.shard.selected));
    expect(shard.results.shard.selected).toEqual(await shardLists[i]);
  }
  const ran = shards.flatMap((s) => s.results.shard.selected);
  expect(new Set(ran).size, 'a test ran in two shards').toBe(ran.length);
  expect(sorted(ran)).toEqual(sorted(all));
  const out = path.join(unsharded.outDir, 'merged');
  const merge = await cli(['merge', '--out', out, ...shards.map((s) => s.outDir)]);
  const merged = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
  assertResultsSchema(merged, 'merged results.json');
  expect(merge.exitCode, merge.stdout + merge.stderr).toBe(merged.verdict.exitCode);
  return { unsharded, merged, mergeExit: merge.exitCode ?? -1 };
}

describe('plugin-conformance list', () => {
  it('names exactly the tests a run with the same --only executes', async () => {
    const run = await runCli([REFERENCE, '--only', 'PLAN-01*', '--seed', '7', '--property-runs', '10']);
    expect(run.exitCode, run.output).toBe(0);
    const names = (await cli(['list', '--json', '--only', 'PLAN-01*'])).stdout;
    const listedNames: string[] = JSON.parse(names).tests.map((t: { name: string }) => t.name);
    expect(listedNames.length).toBeGreaterThan(0);
    expect(sorted(listedNames)).toEqual(sorted(executed(run)));
    const text = await cli(['list', '--only', 'PLAN-01*']);
    expect(text.stdout.trimEnd().split('\n')[0]).toMatch(/^PLAN-010 +MUST +non-rollback indexes equal the request indexes/);
  }, TIMEOUT_MS);
});

describe('--shard and merge', () => {
  it('the reference plugin: three shards merged give the unsharded verdicts and exit code', async () => {
    const { unsharded, merged, mergeExit } = await shardedEqualsUnsharded([REFERENCE]);
    expect(unsharded.exitCode, unsharded.output).toBe(0);
    expect(mergeExit).toBe(unsharded.exitCode);
    expect(merged.verdict.release).toBe(unsharded.results.verdict.release);
    expect(perRule(merged.outcomes)).toEqual(perRule(unsharded.results.outcomes));
    expect(merged.capabilities).toEqual(unsharded.results.capabilities);
  }, TIMEOUT_MS);

  it('a mutant (exec-empty-status): the same failed rules and exit code 1 sharded as unsharded', async () => {
    const { unsharded, merged, mergeExit } = await shardedEqualsUnsharded([REFERENCE, '--config', path.join(MUTANTS_DIR, 'exec-empty-status.yaml')]);
    expect(unsharded.exitCode, unsharded.output).toBe(1);
    expect(mergeExit).toBe(1);
    expect(perRule(merged.outcomes)).toEqual(perRule(unsharded.results.outcomes));
    expect(perRule(merged.outcomes)['EXEC-001']).toContain('failed');
  }, TIMEOUT_MS);
});

import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { mergeCommand, mergeShards, MergeRefused, type ShardInput } from '../../../src/report/merge.js';
import type { OutcomeState, TestOutcome } from '../../../src/report/outcome.js';
import { shardOf, shardOutcomes, shardVerdict, type ShardRecord } from '../../../src/report/shard.js';
import { EXIT, verdictOf, type VerdictOptions } from '../../../src/report/verdict.js';

function outcome(name: string, state: OutcomeState, file: string, level: 'MUST' | 'SHOULD' = 'MUST'): TestOutcome {
  const ruleId = /^[A-Z]+-\d{3}/.exec(name)![0];
  return { name, ruleId, level, file, state, durationMs: 10, messages: state === 'failed' ? [`${ruleId} broke`] : [] };
}

/** An unsharded run's outcomes: the selected tests first ran; `DESELECTED` ones were left out by --only. */
const RUN: TestOutcome[] = [
  outcome('PROC-001 starts', 'passed', 'dist/suites/01-process.test.js'),
  outcome('PROC-008 bad config A', 'passed', 'dist/suites/01-process.test.js', 'SHOULD'),
  outcome('PROC-008 bad config B', 'failed', 'dist/suites/01-process.test.js', 'SHOULD'),
  outcome('DEF-001 stable', 'passed', 'dist/suites/03-define.test.js'),
  outcome('PLAN-010 indexes', 'failed', 'dist/suites/04-plan.test.js'),
  outcome('PLAN-011 duplicates', 'passed', 'dist/suites/04-plan.test.js'),
  outcome('EXEC-015 approvals', 'not-exercised', 'dist/suites/08-execute-lifecycle.test.js'),
  outcome('LIVE-001 answers', 'unsupported', 'dist/suites/09-livestate.test.js'),
  outcome('PROC-010 stops', 'passed', 'dist/suites/99-shutdown.test.js'),
];
const DESELECTED = new Set(['DEF-001 stable', 'PROC-010 stops']);
const unsharded = RUN.map((o) => (DESELECTED.has(o.name) ? { ...o, state: 'skipped' as const, durationMs: 0, messages: [] } : o));
const selected = RUN.filter((o) => !DESELECTED.has(o.name)).map((o) => ({ name: o.name, fullName: `suite ${o.name}` }));
const DURATIONS = { 'PROC-001 starts': 3000, 'PLAN-010 indexes': 2000, 'EXEC-015 approvals': 1500 };

/** What `--shard index/total` writes, as run.ts builds it: only that shard's tests and the deselected ones. */
function shardResults(index: number, total: number, options: VerdictOptions = {}, overrides: Record<string, unknown> = {}): ShardInput {
  const mine = shardOf(selected, { index, total }, DURATIONS).tests.map((t) => t.name);
  const all = selected.map((t) => t.name);
  const shard: ShardRecord = { index, total, selected: mine, selectedTotal: all.length, only: ['PROC-*', 'PLAN-*', 'EXEC-*', 'LIVE-*'], skip: ['PROC-010'], verdictOptions: options };
  const outcomes = shardOutcomes(unsharded, all, mine);
  return {
    source: `/ci/shard-${index}`,
    results: {
      tool: 'plugin-conformance',
      target: '/plugins/reference-plugin',
      url: 'file:///plugins/reference-plugin',
      pluginName: 'reference-plugin',
      seed: 42,
      properties: { seed: 42, runs: 100, timeLimitMs: 30000 },
      capabilities: mine.includes('LIVE-001 answers') ? { kind: 'deployment', livestate: false, planPreview: true } : null,
      verdict: shardVerdict(verdictOf(outcomes, options), shard),
      shard,
      outcomes,
      ...overrides,
    },
  };
}

const shards = (total: number, options?: VerdictOptions) => Array.from({ length: total }, (_, i) => shardResults(i + 1, total, options));

describe('mergeShards', () => {
  it('the merged verdict is the unsharded verdict, for any shard count and option', () => {
    for (const options of [{}, { strict: true }, { allowNotExercised: true }, { strict: true, allowNotExercised: true }] as VerdictOptions[]) {
      const expected = verdictOf(unsharded, options);
      for (const total of [1, 2, 3, 4, 9]) {
        const merged = mergeShards(shards(total, options)).results;
        expect(merged.verdict.exitCode, `${JSON.stringify(options)} in ${total}`).toBe(expected.exitCode);
        expect(merged.verdict.release).toBe(expected.release);
        expect(new Map(merged.outcomes.map((o) => [o.name, o.state]))).toEqual(new Map(unsharded.map((o) => [o.name, o.state])));
        expect(merged.outcomes.map((o) => o.file)).toEqual(unsharded.map((o) => o.file));
      }
    }
    expect(verdictOf(unsharded).exitCode).toBe(EXIT.ruleFailed);
    expect(verdictOf(unsharded, { allowNotExercised: true, strict: false }).summary).toMatch(/PLAN-010 failed/);
  });

  it('gives the same outcome order and summary as the unsharded run when one shard holds everything', () => {
    const merged = mergeShards([shardResults(1, 1)]).results;
    expect(merged.outcomes).toEqual(unsharded);
    expect(merged.verdict).toEqual(verdictOf(unsharded));
  });

  it('keeps the capabilities some shard recorded, and the counts', () => {
    const merged = mergeShards(shards(3)).results;
    expect(merged.capabilities).toEqual({ kind: 'deployment', livestate: false, planPreview: true });
    expect(merged.counts).toMatchObject({ passed: 3, failed: 2, 'not-exercised': 1, unsupported: 1, skipped: 2 });
    expect(merged.merged).toMatchObject({ total: 3 });
  });

  it('accepts the shards in any order', () => {
    const [a, b, c] = shards(3);
    expect(mergeShards([c, a, b]).results.verdict).toEqual(mergeShards([a, b, c]).results.verdict);
  });

  const refused = (inputs: ShardInput[], message: RegExp) => {
    expect(() => mergeShards(inputs)).toThrow(MergeRefused);
    expect(() => mergeShards(inputs)).toThrow(message);
  };

  it('refuses shards of different plugins, seeds, totals or selections', () => {
    const [a, b] = shards(2);
    refused([a, shardResults(2, 2, {}, { pluginName: 'other-plugin' })], /plugin name is "reference-plugin" in \/ci\/shard-1 \(shard 1\/2\) but "other-plugin" in \/ci\/shard-2/);
    refused([a, shardResults(2, 2, {}, { url: 'file:///elsewhere' })], /plugin \(digest, image or URL\)/);
    refused([a, shardResults(2, 2, {}, { provenance: { plugin: { kind: 'binary', sha256: 'sha256:bb' } } })], /plugin \(digest, image or URL\)/);
    refused([a, shardResults(2, 2, {}, { seed: 7 })], /seed is 42 .* but 7/);
    refused([a, shardResults(2, 3)], /shard count is 2 .* but 3/);
    refused([a, shardResults(2, 2, { strict: true })], /verdict options/);
    refused([a, { ...b, results: { ...b.results, shard: { ...b.results.shard, only: ['PLAN-*'] } } }], /--only/);
    refused([a, b, { ...shardResults(1, 2, {}, { capabilities: { kind: 'stage', livestate: false, planPreview: false } }), source: '/ci/x' }], /given twice|different plugins/);
  });

  it('refuses a shard given twice and a missing shard, naming them', () => {
    const [a, b, c] = shards(3);
    refused([a, b, { ...b, source: '/ci/again' }, c], /shard 2\/3 given twice: \/ci\/shard-2 and \/ci\/again/);
    refused([a, c], /missing shard\(s\) 2\/3/);
    refused([b], /missing shard\(s\) 1\/3, 3\/3/);
  });

  it('refuses results that are not a shard, and shards that do not partition one selection', () => {
    const [a, b] = shards(2);
    refused([a, { source: '/ci/plain', results: { ...b.results, shard: undefined } }], /\/ci\/plain: not the results of a shard/);
    refused([{ source: '/ci/junk', results: { hello: 1 } }], /not a plugin-conformance results.json/);
    const overlapping = { ...b, results: { ...b.results, shard: { ...b.results.shard, selected: [...b.results.shard.selected, a.results.shard.selected[0]] } } };
    refused([a, overlapping], /do not partition one selection: ".*" was run by \/ci\/shard-1/);
    const short = { ...b, results: { ...b.results, shard: { ...b.results.shard, selected: b.results.shard.selected.slice(1) } } };
    refused([a, short], /ran \d+ test\(s\) of 7 selected/);
    const lost = { ...b, results: { ...b.results, outcomes: b.results.outcomes.filter((o: TestOutcome) => o.name !== b.results.shard.selected[0]) } };
    refused([a, lost], /has no result for 1 test\(s\) it ran/);
    expect(() => mergeShards([])).toThrow(/no shard results given/);
  });
});

describe('mergeCommand', () => {
  function writeShards(total: number): string[] {
    const root = mkdtempSync(path.join(os.tmpdir(), 'pc-merge-'));
    return shards(total).map((input, i) => {
      const dir = path.join(root, `shard-${i + 1}`);
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'results.json'), JSON.stringify(input.results));
      return dir;
    });
  }

  it('writes results.json, junit.xml and report.html and returns the merged exit code', () => {
    const dirs = writeShards(3);
    const out = path.join(path.dirname(dirs[0]), 'merged');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(mergeCommand(dirs, out)).toBe(verdictOf(unsharded).exitCode);
    } finally {
      log.mockRestore();
    }
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    expect(results.verdict).toMatchObject({ exitCode: 1, release: false });
    expect(results.outcomes).toHaveLength(unsharded.length);
    expect(results.shard).toBeUndefined();
    expect(readFileSync(path.join(out, 'junit.xml'), 'utf8')).toContain('<testcase classname="dist/suites/04-plan.test.js" name="PLAN-010 indexes"');
    expect(existsSync(path.join(out, 'report.html'))).toBe(true);
  });

  it('refuses with exit 2: a missing shard, a folder without results.json, --out being a shard folder', () => {
    const dirs = writeShards(2);
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(mergeCommand([dirs[0]], path.join(dirs[0], '..', 'm1'))).toBe(EXIT.setup);
      expect(error).toHaveBeenLastCalledWith(expect.stringMatching(/^plugin-conformance merge: refused: missing shard\(s\) 2\/2/));
      expect(mergeCommand([dirs[0], path.join(dirs[0], '..', 'nowhere')], path.join(dirs[0], '..', 'm2'))).toBe(EXIT.setup);
      expect(error).toHaveBeenLastCalledWith(expect.stringMatching(/nowhere\/results.json does not exist/));
      expect(mergeCommand(dirs, dirs[1])).toBe(EXIT.setup);
      expect(error).toHaveBeenLastCalledWith(expect.stringMatching(/is one of the shard folders/));
    } finally {
      error.mockRestore();
    }
    expect(existsSync(path.join(dirs[0], '..', 'm1'))).toBe(false);
  });
});

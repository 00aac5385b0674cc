import { describe, expect, it } from 'vitest';
import { durationsOf, renderDurationsModule } from '../../../scripts/record-durations.js';
import { UsageError } from '../../../src/errors.js';
import { exactNamesPattern } from '../../../src/list.js';
import { DURATIONS_MS } from '../../../src/report/durations.js';
import { assignShards, medianMs, parseShard, shardOf, shardOutcomes, shardVerdict, type ShardRecord, type Weighted } from '../../../src/report/shard.js';

/** A deterministic pseudo-random list of weighted items (no Math.random: the test must not vary). */
function items(count: number, seed = 7): Weighted[] {
  let x = seed;
  const next = () => (x = (x * 1103515245 + 12345) % 2 ** 31);
  return Array.from({ length: count }, (_, i) => ({ key: `T-${String(i).padStart(3, '0')} test ${next() % 1000}`, weightMs: next() % 5000 }));
}

describe('parseShard', () => {
  it('reads i/n with 1 ≤ i ≤ n', () => {
    expect(parseShard('1/3')).toEqual({ index: 1, total: 3 });
    expect(parseShard(' 3 / 3 ')).toEqual({ index: 3, total: 3 });
    expect(parseShard('1/1')).toEqual({ index: 1, total: 1 });
  });

  it('refuses anything else with a UsageError', () => {
    for (const bad of ['0/3', '4/3', '1/0', '1', '1/3/4', 'a/b', '-1/3', '1.5/3', '']) {
      expect(() => parseShard(bad), bad).toThrow(UsageError);
    }
    expect(() => parseShard('4/3')).toThrow(/--shard takes i\/n with 1 ≤ i ≤ n/);
  });
});

describe('assignShards (greedy, longest first onto the lightest shard)', () => {
  it('puts every item on exactly one shard: the union is all items and the shards are disjoint', () => {
    const all = items(120);
    for (const total of [1, 2, 3, 5, 8, 150]) {
      const { keys } = assignShards(all, total);
      expect(keys).toHaveLength(total);
      const flat = keys.flat();
      expect(new Set(flat).size, `total ${total}`).toBe(flat.length);
      expect([...flat].sort()).toEqual(all.map((i) => i.key).sort());
    }
  });

  it('is deterministic: the same assignment whatever the input order', () => {
    const all = items(60);
    const reversed = [...all].reverse();
    const shuffled = [...all].sort((a, b) => (a.key.slice(-3) < b.key.slice(-3) ? -1 : 1));
    const sorted = (keys: string[][]) => keys.map((k) => [...k].sort());
    expect(sorted(assignShards(reversed, 4).keys)).toEqual(sorted(assignShards(all, 4).keys));
    expect(sorted(assignShards(shuffled, 4).keys)).toEqual(sorted(assignShards(all, 4).keys));
  });

  it('balances by weight, not count: no shard exceeds the lightest by more than the heaviest item', () => {
    const all = items(200);
    const heaviest = Math.max(...all.map((i) => i.weightMs));
    for (const total of [2, 3, 4, 7]) {
      const { loadsMs } = assignShards(all, total);
      expect(Math.max(...loadsMs) - Math.min(...loadsMs), `total ${total}: ${loadsMs}`).toBeLessThanOrEqual(heaviest);
      expect(loadsMs.reduce((a, b) => a + b, 0)).toBe(all.reduce((a, b) => a + b.weightMs, 0));
    }
  });

  it('one long test gets a shard to itself while the short ones share the others', () => {
    const { keys, loadsMs } = assignShards([{ key: 'long', weightMs: 9000 }, ...Array.from({ length: 6 }, (_, i) => ({ key: `short ${i}`, weightMs: 1000 }))], 2);
    expect(keys[0]).toEqual(['long']);
    expect(keys[1]).toHaveLength(6);
    expect(loadsMs).toEqual([9000, 6000]);
  });

  it('breaks ties by key (equal weights) and by shard number (equal loads)', () => {
    const { keys } = assignShards([{ key: 'b', weightMs: 1 }, { key: 'a', weightMs: 1 }, { key: 'c', weightMs: 1 }], 2);
    expect(keys).toEqual([['a', 'c'], ['b']]);
  });
});

describe('shardOf', () => {
  const tests = [
    { name: 'PROC-001 starts', fullName: 'PROC process PROC-001 starts' },
    { name: 'PLAN-010 indexes', fullName: 'PLAN build PLAN-010 indexes' },
    { name: 'PLAN-011 duplicates', fullName: 'PLAN build PLAN-011 duplicates' },
    { name: 'NEW-001 not in the table', fullName: 'NEW NEW-001 not in the table' },
    { name: 'API-003 twin', fullName: 'API twin' },
    { name: 'API-003 twin again', fullName: 'API twin' },
  ];
  const durations = { 'PROC-001 starts': 4000, 'PLAN-010 indexes': 100, 'PLAN-011 duplicates': 300, 'API-003 twin': 1000, 'API-003 twin again': 1000 };

  it('the shards of one selection are disjoint, cover it, and keep the run order', () => {
    const parts = [1, 2, 3].map((index) => shardOf(tests, { index, total: 3 }, durations).tests);
    expect(parts.flat().map((t) => t.name).sort()).toEqual(tests.map((t) => t.name).sort());
    for (const part of parts) expect(part).toEqual(tests.filter((t) => part.includes(t)));
  });

  it('weighs an unknown test with the median and keeps tests of one full name together (their weights summed)', () => {
    expect(medianMs(durations)).toBe(1000);
    const { loadsMs, tests: first } = shardOf(tests, { index: 1, total: 3 }, durations);
    expect(first.map((t) => t.name)).toEqual(['PROC-001 starts']);
    // 4000 | twins 2000 | unknown 1000 (median) + 300 + 100
    expect(loadsMs).toEqual([4000, 2000, 1400]);
    const second = shardOf(tests, { index: 2, total: 3 }, durations).tests.map((t) => t.name);
    expect(second).toEqual(['API-003 twin', 'API-003 twin again']);
  });

  it('the shipped table knows the suites’ tests and has a positive median', () => {
    expect(Object.keys(DURATIONS_MS).length).toBeGreaterThan(100);
    expect(medianMs(DURATIONS_MS)).toBeGreaterThanOrEqual(0);
    expect(Object.values(DURATIONS_MS).every((ms) => Number.isInteger(ms) && ms >= 0)).toBe(true);
  });
});

describe('exactNamesPattern (the shard filter vitest applies)', () => {
  it('matches exactly the given full names, with regex characters escaped', () => {
    const names = ['PLAN-010 (a) [b] {c} *d* +e? ^f$ g|h \\i. /j/', 'EXEC-001 x'];
    const pattern = exactNamesPattern(names);
    for (const name of names) expect(pattern.test(name), name).toBe(true);
    expect(pattern.test('EXEC-001 x and more')).toBe(false);
    expect(pattern.test('prefix EXEC-001 x')).toBe(false);
    expect(pattern.test('PLAN-010 (a) [b] {c} *d* +e? ^f$ g|h \\i. /j')).toBe(false);
    expect(pattern.test('EXEC-001 y')).toBe(false);
  });

  it('selects nothing for an empty shard', () => {
    expect(exactNamesPattern([]).test('')).toBe(false);
    expect(exactNamesPattern([]).test('PLAN-010 a')).toBe(false);
  });
});

describe("a shard's outcomes and verdict", () => {
  const outcome = (name: string, state: 'passed' | 'skipped') => ({ name, state });
  const record = (selected: string[], selectedTotal: number): ShardRecord => ({ index: 2, total: 3, selected, selectedTotal, only: [], skip: [], verdictOptions: {} });

  it('leaves out the tests of other shards and keeps the ones --only/--skip deselected', () => {
    const outcomes = [outcome('A mine', 'passed'), outcome('B other shard', 'skipped'), outcome('C deselected', 'skipped')];
    expect(shardOutcomes(outcomes, ['A mine', 'B other shard'], ['A mine']).map((o) => o.name)).toEqual(['A mine', 'C deselected']);
  });

  it('keeps its exit code, is never a release verdict, and says it is a shard', () => {
    const v = shardVerdict({ exitCode: 1, summary: 'does not conform: EXEC-001 failed', release: false }, record(['x'], 3));
    expect(v).toMatchObject({ exitCode: 1, release: false });
    expect(v.summary).toMatch(/^shard 2\/3: does not conform: EXEC-001 failed; merge every shard/);
    expect(shardVerdict({ exitCode: 0, summary: 'conforms', release: true }, record(['x'], 3)).release).toBe(false);
  });

  it('a shard given no test passes; an empty selection stays "nothing ran"', () => {
    const nothing = { exitCode: 2, summary: 'nothing ran: no test matched the selection', release: false };
    expect(shardVerdict(nothing, record([], 2))).toMatchObject({ exitCode: 0, summary: expect.stringMatching(/no test was assigned to this shard/) });
    expect(shardVerdict(nothing, record([], 0)).exitCode).toBe(2);
  });
});

describe('scripts/record-durations', () => {
  it('averages the durations of tests that ran, leaves out skipped ones, and renders a sorted module', () => {
    const run = (ms: number) => ({ outcomes: [{ name: 'B-001 b', state: 'passed', durationMs: ms }, { name: 'A-001 "a"', state: 'unsupported', durationMs: 3 }, { name: 'C-001 c', state: 'skipped', durationMs: 0 }] });
    const durations = durationsOf([run(100), run(201)]);
    expect(durations).toEqual({ 'A-001 "a"': 3, 'B-001 b': 151 });
    const text = renderDurationsModule(durations);
    expect(text).toContain('export const DURATIONS_MS: Readonly<Record<string, number>> = {\n  "A-001 \\"a\\"": 3,\n  "B-001 b": 151,\n};\n');
  });
});

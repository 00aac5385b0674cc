// `--shard i/n`: which of the selected tests shard i of n runs. Pure and deterministic: every shard of one selection
// computes the same assignment on its own, so n CI jobs need no coordination. Shards are balanced by the recorded
// duration of each test (src/report/durations.ts), not by count: the greedy longest-first rule puts each test, the
// longest first, on the shard with the least work so far. A test the table does not know weighs the table's median.
import { UsageError } from '../errors.js';
import { DURATIONS_MS } from './durations.js';
import type { VerdictOptions } from './verdict.js';

/** Shard `index` (1-based) of `total`. */
export interface Shard {
  index: number;
  total: number;
}

/** Parses `i/n` (1 ≤ i ≤ n). */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(match?.[1]);
  const total = Number(match?.[2]);
  if (!match || !Number.isSafeInteger(index) || !Number.isSafeInteger(total) || total < 1 || index < 1 || index > total) {
    throw new UsageError(`--shard takes i/n with 1 ≤ i ≤ n (e.g. --shard 2/3), got "${text}"`);
  }
  return { index, total };
}

export interface Weighted {
  /** Unique key of the unit assigned (the test's full name, as vitest's name filter matches it). */
  key: string;
  weightMs: number;
}

/**
 * Greedy longest-processing-time assignment: items by weight, heaviest first (equal weights by key), each onto the
 * shard with the least total weight so far (equal loads: the lowest shard). Returns the keys of each shard (index 0 is
 * shard 1) and each shard's load. Every key lands on exactly one shard.
 */
export function assignShards(items: readonly Weighted[], total: number): { keys: string[][]; loadsMs: number[] } {
  if (!Number.isSafeInteger(total) || total < 1) throw new Error(`shard count must be a positive integer, got ${total}`);
  const keys: string[][] = Array.from({ length: total }, () => []);
  const loadsMs: number[] = new Array(total).fill(0);
  const ordered = [...items].sort((a, b) => b.weightMs - a.weightMs || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const item of ordered) {
    let lightest = 0;
    for (let i = 1; i < total; i += 1) if (loadsMs[i] < loadsMs[lightest]) lightest = i;
    keys[lightest].push(item.key);
    loadsMs[lightest] += item.weightMs;
  }
  return { keys, loadsMs };
}

/** The median of a duration table's values (1 ms for an empty table). */
export function medianMs(durations: Readonly<Record<string, number>>): number {
  const values = Object.values(durations).filter((v) => Number.isFinite(v) && v >= 0).sort((a, b) => a - b);
  if (!values.length) return 1;
  const mid = Math.floor(values.length / 2);
  return values.length % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

export interface ShardSelection<T> {
  /** This shard's tests, in the order they were given (the run order). */
  tests: T[];
  /** Recorded (or median) time of this shard's tests. */
  estimatedMs: number;
  /** Estimated time of every shard, index 0 being shard 1. */
  loadsMs: number[];
}

/**
 * Shard `shard` of `tests`. Tests are assigned by `fullName` (the name vitest's filter sees); tests that share one
 * full name cannot be told apart by the filter, so they travel together with their weights summed. A test's weight
 * is its recorded duration by `name`, else the table's median.
 */
export function shardOf<T extends { name: string; fullName: string }>(tests: readonly T[], shard: Shard, durations: Readonly<Record<string, number>> = DURATIONS_MS): ShardSelection<T> {
  const median = medianMs(durations);
  const weights = new Map<string, number>();
  for (const t of tests) {
    const recorded = Object.hasOwn(durations, t.name) ? durations[t.name] : undefined;
    weights.set(t.fullName, (weights.get(t.fullName) ?? 0) + (recorded ?? median));
  }
  const { keys, loadsMs } = assignShards([...weights].map(([key, weightMs]) => ({ key, weightMs })), shard.total);
  const mine = new Set(keys[shard.index - 1]);
  return { tests: tests.filter((t) => mine.has(t.fullName)), estimatedMs: loadsMs[shard.index - 1], loadsMs };
}

/** What a shard's results.json records under `shard`: enough for `plugin-conformance merge` to check and combine. */
export interface ShardRecord extends Shard {
  /** Names of the tests this shard ran. */
  selected: string[];
  /** How many tests --only/--skip selected before sharding (the shards' `selected` partition them). */
  selectedTotal: number;
  only: string[];
  skip: string[];
  /** What the verdict was judged with (--strict, --allow-not-exercised, …): the merged verdict uses the same. */
  verdictOptions: VerdictOptions;
}

/**
 * A shard's outcomes: the tests of other shards are left out (not reported as run); tests --only/--skip deselected
 * stay `skipped`, as in an unsharded run, so the merged report lists them the same way.
 */
export function shardOutcomes<T extends { name: string }>(outcomes: readonly T[], selectedTotal: readonly string[], mine: readonly string[]): T[] {
  const others = new Set(selectedTotal);
  for (const name of mine) others.delete(name);
  return outcomes.filter((o) => !others.has(o.name));
}

/**
 * A shard's verdict: its own tests' exit code (a failing shard fails its CI job at once), never a release verdict;
 * that needs every shard (`plugin-conformance merge`). A shard given no test passes (more shards than work).
 */
export function shardVerdict<V extends { exitCode: number; summary: string; release: boolean }>(verdict: V, record: ShardRecord): V {
  const label = `shard ${record.index}/${record.total}`;
  if (record.selectedTotal > 0 && record.selected.length === 0) {
    return { ...verdict, exitCode: 0, summary: `${label}: no test was assigned to this shard (${record.selectedTotal} selected test(s), ${record.total} shards)`, release: false };
  }
  return { ...verdict, summary: `${label}: ${verdict.summary}; merge every shard (plugin-conformance merge) for the run's verdict`, release: false };
}

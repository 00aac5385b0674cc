// `plugin-conformance merge DIR...`: the results.json of every shard of one run (`--shard i/n`) combined into one
// results.json, junit.xml and report.html with one verdict and exit code, judged by the same verdictOf as an
// unsharded run. Shards that cannot be one run (other plugins, seeds, totals, selections; a shard twice or missing)
// are refused with exit 2: a partial or mixed merge must never pass as a release verdict.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderHtmlReport } from './html.js';
import { renderJunit } from './junit.js';
import type { TestOutcome } from './outcome.js';
import type { ShardRecord } from './shard.js';
import { closingLine, countOutcomes, EXIT, verdictOf, type Counts, type Verdict, type VerdictOptions } from './verdict.js';

/** The merge cannot give a verdict: the message says which shard is wrong and why. */
export class MergeRefused extends Error {
  override name = 'MergeRefused';
}

/** One shard's results.json and where it came from (for messages). */
export interface ShardInput {
  source: string;
  results: any;
}

export interface MergedRun {
  /** The merged results.json object. */
  results: Record<string, unknown> & { verdict: Verdict; counts: Counts; outcomes: TestOutcome[] };
  target: string;
  pluginName: string;
  /** What the merged verdict was judged with: the shards' options, and the baseline entries stale for the whole run. */
  verdictOptions: VerdictOptions;
}

/** Reads DIR/results.json (or a results.json file given directly). */
export function readShard(dirOrFile: string): ShardInput {
  const file = dirOrFile.endsWith('.json') ? dirOrFile : path.join(dirOrFile, 'results.json');
  if (!existsSync(file)) throw new MergeRefused(`${file} does not exist: give the --out folder of each shard run`);
  try {
    return { source: dirOrFile, results: JSON.parse(readFileSync(file, 'utf8')) };
  } catch (error) {
    throw new MergeRefused(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/** The plugin a results.json judged: its bytes' digest (or image digest) when recorded, else its URL. */
function pluginIdentity(r: any): unknown {
  const p = r.provenance?.plugin;
  if (p?.kind === 'binary' && p.sha256) return p.sha256;
  if (p?.kind === 'container') return p.digest ?? p.imageId ?? p.image;
  if (p?.kind === 'address') return p.address;
  return r.url;
}

/** The options the verdict is judged with, without the stale baseline entries (each shard sees only its tests). */
function judgedWith(r: any): unknown {
  const { staleBaseline: _stale, ...options } = r.shard.verdictOptions ?? {};
  return options;
}

/** The shards' `baseline` summaries as one run's: matched anywhere, stale for the whole run, unjudged everywhere. */
function mergedBaselineSummary(inputs: readonly ShardInput[], stale: readonly { entry: string }[]): Record<string, unknown> | undefined {
  const summaries: any[] = inputs.map((input) => input.results.baseline).filter(Boolean);
  if (!summaries.length) return undefined;
  const matched = new Map<string, any>();
  for (const m of summaries.flatMap((s) => s.matched ?? [])) {
    const seen = matched.get(m.entry);
    matched.set(m.entry, seen ? { ...seen, tests: [...seen.tests, ...m.tests] } : m);
  }
  const staleKeys = new Set(stale.map((s) => s.entry));
  const staleEntries = new Map<string, any>();
  for (const s of summaries.flatMap((summary) => summary.stale ?? [])) if (staleKeys.has(s.entry) && !staleEntries.has(s.entry)) staleEntries.set(s.entry, s);
  const unjudged = (summaries[0].unjudged ?? []).filter((u: any) => summaries.every((s) => (s.unjudged ?? []).some((x: any) => x.entry === u.entry)));
  return { file: summaries[0].file, matched: [...matched.values()], stale: [...staleEntries.values()], unjudged };
}

/** Run-wide fields every shard must agree on, and how a mismatch reads. */
const SAME_RUN: [string, (r: any) => unknown][] = [
  ['plugin name', (r) => r.pluginName],
  ['plugin (digest, image or URL)', pluginIdentity],
  ['seed', (r) => r.seed],
  ['property settings', (r) => r.properties],
  ['harness version', (r) => r.provenance?.harness?.version],
  ['protocol revision', (r) => r.provenance?.protocol],
  ['shard count', (r) => r.shard.total],
  ['--only', (r) => r.shard.only],
  ['--skip', (r) => r.shard.skip],
  ['verdict options (--strict, --allow-not-exercised, --rules-edition, --baseline)', judgedWith],
  ['number of selected tests', (r) => r.shard.selectedTotal],
];

/**
 * The baseline entries stale for the whole run: stale in some shard and matched (a failure it excuses) in none. An
 * entry is judged only where its tests ran, so this is what one unsharded run would have found.
 */
function mergedStale(inputs: readonly ShardInput[]): { entry: string; why: string }[] {
  const matched = new Set(inputs.flatMap((input) => (input.results.baseline?.matched ?? []).map((m: { entry: string }) => m.entry)));
  const stale = new Map<string, { entry: string; why: string }>();
  for (const input of inputs) {
    for (const s of (input.results.shard.verdictOptions?.staleBaseline ?? []) as { entry: string; why: string }[]) {
      if (!matched.has(s.entry) && !stale.has(s.entry)) stale.set(s.entry, s);
    }
  }
  return [...stale.values()];
}

function label(input: ShardInput): string {
  const s = input.results?.shard;
  return s ? `${input.source} (shard ${s.index}/${s.total})` : input.source;
}

function checkShape(input: ShardInput): ShardRecord {
  const r = input.results;
  if (r?.tool !== 'plugin-conformance' || !Array.isArray(r.outcomes)) throw new MergeRefused(`${input.source}: not a plugin-conformance results.json`);
  const s = r.shard;
  if (!s) throw new MergeRefused(`${input.source}: not the results of a shard (the run had no --shard i/n); only shards of one run can be merged`);
  const ok = Number.isInteger(s.index) && Number.isInteger(s.total) && s.index >= 1 && s.index <= s.total && Array.isArray(s.selected) && Number.isInteger(s.selectedTotal);
  if (!ok) throw new MergeRefused(`${input.source}: its shard record is malformed: ${JSON.stringify({ index: s.index, total: s.total })}`);
  return s as ShardRecord;
}

/**
 * Combines the shards of one run; throws MergeRefused unless they are exactly shards 1..n of one plugin, seed and
 * selection, whose tests partition that selection. Outcomes come in run order: suite files by name, then as the shards
 * reported them; a test --only/--skip deselected (reported as skipped by every shard) appears once.
 */
export function mergeShards(inputs: readonly ShardInput[]): MergedRun {
  if (!inputs.length) throw new MergeRefused('no shard results given');
  const records = inputs.map(checkShape);
  const [first] = inputs;
  for (const [what, of] of SAME_RUN) {
    const expected = JSON.stringify(of(first.results));
    const other = inputs.find((input) => JSON.stringify(of(input.results)) !== expected);
    if (other) throw new MergeRefused(`shards of different runs: ${what} is ${expected ?? 'unset'} in ${label(first)} but ${JSON.stringify(of(other.results)) ?? 'unset'} in ${label(other)}`);
  }
  const total = records[0].total;
  const byIndex = new Map<number, ShardInput>();
  for (const input of inputs) {
    const index = input.results.shard.index;
    const seen = byIndex.get(index);
    if (seen) throw new MergeRefused(`shard ${index}/${total} given twice: ${seen.source} and ${input.source}`);
    byIndex.set(index, input);
  }
  const missing = Array.from({ length: total }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length) throw new MergeRefused(`missing shard(s) ${missing.map((i) => `${i}/${total}`).join(', ')}: every shard 1..${total} must be given once`);
  const capabilities = inputs.map((input) => input.results.capabilities).filter((c) => c !== null && c !== undefined);
  const differing = capabilities.find((c) => JSON.stringify(c) !== JSON.stringify(capabilities[0]));
  if (differing) throw new MergeRefused(`the shards judged different plugins: capabilities ${JSON.stringify(capabilities[0])} and ${JSON.stringify(differing)}`);

  const ordered = [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, input]) => input);
  const owner = new Map<string, ShardInput>();
  for (const input of ordered) {
    for (const name of input.results.shard.selected as string[]) {
      const other = owner.get(name);
      if (other) throw new MergeRefused(`the shards do not partition one selection: "${name}" was run by ${label(other)} and by ${label(input)}`);
      owner.set(name, input);
    }
  }
  if (owner.size !== records[0].selectedTotal) {
    throw new MergeRefused(`the shards do not partition one selection: they ran ${owner.size} test(s) of ${records[0].selectedTotal} selected (were they made by different harness versions?)`);
  }

  const taken = new Map<string, { outcome: TestOutcome; seq: number }>();
  let seq = 0;
  for (const input of ordered) {
    for (const outcome of input.results.outcomes as TestOutcome[]) {
      const shardOwner = owner.get(outcome.name);
      if (shardOwner ? shardOwner !== input : taken.has(outcome.name)) continue;
      if (taken.has(outcome.name)) throw new MergeRefused(`${label(input)} reports "${outcome.name}" twice`);
      taken.set(outcome.name, { outcome, seq: seq++ });
    }
  }
  const unreported = [...owner].filter(([name]) => !taken.has(name));
  if (unreported.length) {
    const [name, input] = unreported[0];
    throw new MergeRefused(`${label(input)} has no result for ${unreported.length} test(s) it ran, e.g. "${name}": was its run cut short?`);
  }
  const outcomes = [...taken.values()].sort((a, b) => a.outcome.file.localeCompare(b.outcome.file) || a.seq - b.seq).map((t) => t.outcome);
  const stale = mergedStale(inputs);
  const verdictOptions = { ...(judgedWith(first.results) as VerdictOptions), ...(stale.length ? { staleBaseline: stale } : {}) };
  const verdict = verdictOf(outcomes, verdictOptions);
  const counts = countOutcomes(outcomes);
  const r = first.results;
  return {
    target: r.target,
    pluginName: r.pluginName,
    verdictOptions,
    results: {
      ...(r.schemaVersion !== undefined ? { schemaVersion: r.schemaVersion } : {}),
      tool: 'plugin-conformance',
      ...(r.provenance ? { provenance: r.provenance } : {}),
      target: r.target,
      url: r.url,
      pluginName: r.pluginName,
      seed: r.seed,
      properties: r.properties,
      capabilities: capabilities[0] ?? null,
      ...(mergedBaselineSummary(inputs, stale) ? { baseline: mergedBaselineSummary(inputs, stale) } : {}),
      merged: { total, shards: ordered.map((input) => ({ index: input.results.shard.index, source: input.source, ran: input.results.shard.selected.length, exitCode: input.results.verdict?.exitCode })) },
      verdict,
      counts,
      outcomes,
    },
  };
}

/** `plugin-conformance merge`: reads each shard's results.json, writes the merged reports to `outDir`; the exit code. */
export function mergeCommand(sources: readonly string[], outDir: string, printProblems: (outcomes: TestOutcome[], options: VerdictOptions) => void = () => {}): number {
  const out = path.resolve(outDir);
  let merged: MergedRun;
  try {
    if (sources.some((s) => path.resolve(s) === out)) throw new MergeRefused(`--out ${outDir} is one of the shard folders; write the merged reports elsewhere`);
    merged = mergeShards(sources.map(readShard));
  } catch (error) {
    if (!(error instanceof MergeRefused)) throw error;
    console.error(`plugin-conformance merge: refused: ${error.message}`);
    return EXIT.setup;
  }
  const { results } = merged;
  mkdirSync(out, { recursive: true });
  const resultsFile = path.join(out, 'results.json');
  writeFileSync(resultsFile, JSON.stringify(results, null, 2) + '\n');
  writeFileSync(path.join(out, 'junit.xml'), renderJunit(results.outcomes));
  const htmlFile = path.join(out, 'report.html');
  writeFileSync(htmlFile, renderHtmlReport({ target: merged.target, pluginName: merged.pluginName, verdict: results.verdict, counts: results.counts, outcomes: results.outcomes, generatedAt: new Date().toISOString() }));
  console.log(`plugin-conformance: merged ${sources.length} shard(s) of "${merged.pluginName}" (${merged.target}), seed ${String(results.seed)}`);
  printProblems(results.outcomes, merged.verdictOptions);
  console.log(`\n${results.verdict.summary}`);
  console.log(`reports: ${path.join(out, 'junit.xml')}, ${resultsFile}, ${htmlFile}`);
  console.log(closingLine(results.counts));
  return results.verdict.exitCode;
}

// Baselines (--baseline FILE): known failures that do not fail the run, each with its reason, until they go stale.
// Pure: parse (text → entries, errors naming file:line), apply (outcomes → expected failures and stale entries) and
// update (--update-baseline: the file's new text). Reading and writing the file is run.ts's job.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { UsageError } from '../errors.js';
import type { TestOutcome } from './outcome.js';

/** What an entry names: one rule by ID, one rule group (`EXEC-*`), or one test by its exact name. */
export type EntryKind = 'rule' | 'group' | 'test';

export interface BaselineEntry {
  kind: EntryKind;
  /** The rule ID, the wildcard as written (`EXEC-*`) or the exact test name. */
  key: string;
  reason: string;
  /** A substring the failure message must contain; a different failure is not excused. */
  expect?: string;
  /** After this date (YYYY-MM-DD) or plugin version (with --plugin-version) the entry is stale. */
  until?: string;
  /** 1-based line of the entry in the file. */
  line: number;
  /** Position in the file's `entries:` list. */
  index: number;
}

export interface Baseline {
  file: string;
  entries: BaselineEntry[];
}

/** The run's baseline flags (cli.ts → run.ts). */
export interface BaselineOptions {
  /** --baseline FILE, absolute. */
  file: string;
  /** --update-baseline --reason TEXT: rewrite the file from the run (new failures get TEXT as their reason). */
  update?: { reason: string };
  /** --plugin-version V: the version an `until: X.Y.Z` is compared with. */
  pluginVersion?: string;
}

export interface ParseOptions {
  /** Every rule ID of the catalogue (src/contract/rules.ts). */
  ruleIds: ReadonlySet<string>;
  /** --plugin-version: needed when an entry's `until` is a version. */
  pluginVersion?: string;
}

/** The keys an entry may have; anything else is a typo the user should hear about. */
export const ENTRY_KEYS = ['rule', 'test', 'reason', 'expect', 'until'] as const;
const TOP_KEYS = ['entries'];

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*)?$/;
/** A test name begins with its rule ID. */
const TEST_RULE = /^([A-Z]+-\d{3})(?:\s|$)/;
/** A scripted case: `CASE <file>: <title>`. */
const CASE_NAME = /^CASE \S.*?: \S/;

export const isSemver = (text: string): boolean => SEMVER.test(text);

/** The entry as people read it: the rule ID or wildcard, or the test name in quotes. */
export function entryLabel(entry: Pick<BaselineEntry, 'kind' | 'key'>): string {
  return entry.kind === 'test' ? JSON.stringify(entry.key) : entry.key;
}

/**
 * Parses a baseline file's text. Every problem is a UsageError naming `file:line` and what to do (exit 2 before the
 * plugin starts): bad YAML, unknown keys, a missing reason, a bad date or version, an unknown rule ID or group, a
 * malformed wildcard, a duplicate entry, a version `until` without --plugin-version. Empty text is an empty baseline.
 */
export function parseBaseline(text: string, file: string, options: ParseOptions): Baseline {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const lineOf = (node: unknown) => {
    const offset = (node as { range?: number[] } | null | undefined)?.range?.[0];
    return offset === undefined ? 1 : lines.linePos(offset).line;
  };
  const fail = (line: number, message: string): never => {
    throw new UsageError(`${file}:${line}: ${message}`);
  };
  if (doc.errors.length) fail(lines.linePos(doc.errors[0].pos[0]).line, `not valid YAML: ${doc.errors[0].message.split('\n')[0]}; see README "Baselines" for the format`);
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) return { file, entries: [] };
  if (!isMap(doc.contents)) fail(lineOf(doc.contents), 'a baseline is a mapping with one key, entries: (a list of {rule or test, reason, expect, until})');
  const top = doc.contents as unknown as { items: { key: unknown; value: unknown }[] };
  for (const pair of top.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (!TOP_KEYS.includes(key)) fail(lineOf(pair.key), `unknown key "${key}"; a baseline has only entries: (a list)`);
  }
  const list = doc.get('entries', true);
  if (list === undefined || list === null || (isScalar(list) && list.value === null)) return { file, entries: [] };
  if (!isSeq(list)) return fail(lineOf(list), 'entries: must be a list of {rule or test, reason, expect, until}');
  const groups = new Set([...options.ruleIds].map((id) => id.split('-')[0]));
  const seen = new Map<string, number>();
  const entries = list.items.map((item, index) => {
    const line = lineOf(item);
    const where = `entry ${index + 1}`;
    if (!isMap(item)) return fail(line, `${where}: each entry is a mapping with rule (an ID like EXEC-001, or EXEC-*) or test (an exact test name), and reason`);
    const values: Record<string, unknown> = {};
    const lineOfKey: Record<string, number> = {};
    for (const pair of item.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (!(ENTRY_KEYS as readonly string[]).includes(key)) fail(lineOf(pair.key), `${where}: unknown key "${key}"; an entry takes ${ENTRY_KEYS.join(', ')}`);
      values[key] = isScalar(pair.value) ? pair.value.value : pair.value === null ? null : { notScalar: true };
      lineOfKey[key] = lineOf(pair.value ?? pair.key);
    }
    const text = (key: string): string | undefined => {
      const value = values[key];
      if (value === undefined) return undefined;
      if (typeof value !== 'string' || !value.trim()) fail(lineOfKey[key], `${where}: ${key} must be a non-empty text${typeof value === 'number' || typeof value === 'boolean' ? ` (YAML read ${JSON.stringify(value)}; quote it)` : ''}`);
      return value as string;
    };
    const rule = text('rule');
    const test = text('test');
    if ((rule === undefined) === (test === undefined)) fail(line, `${where}: give exactly one of rule: (an ID like EXEC-001, or a whole group EXEC-*) and test: (an exact test name)`);
    const reason = text('reason');
    if (reason === undefined) fail(line, `${where}: missing reason; add reason: <why this failure is accepted for now, e.g. a ticket>`);
    const expect = text('expect');
    const until = text('until');
    let kind: EntryKind;
    let key: string;
    if (rule !== undefined) {
      key = rule.trim();
      const at = lineOfKey.rule;
      if (key.includes('*') || key.includes('?')) {
        const group = /^([A-Z]+)-\*$/.exec(key)?.[1];
        if (!group) fail(at, `${where}: malformed wildcard "${key}"; a wildcard covers one whole rule group, written GROUP-* (e.g. EXEC-*); list other rules one by one`);
        if (!groups.has(group!)) fail(at, `${where}: unknown rule group ${group}; groups are ${[...groups].sort().join(', ')}`);
        kind = 'group';
      } else {
        if (!/^[A-Z]+-\d{3}$/.test(key)) fail(at, `${where}: "${key}" is not a rule ID like EXEC-001 (for one test, write test: with its exact name)`);
        if (!options.ruleIds.has(key)) fail(at, `${where}: unknown rule ID ${key}; see \`plugin-conformance rules\` for the catalogue`);
        kind = 'rule';
      }
    } else {
      key = test!;
      kind = 'test';
      if (!CASE_NAME.test(key)) {
        const id = TEST_RULE.exec(key)?.[1];
        if (!id) fail(lineOfKey.test, `${where}: a test name starts with its rule ID ("EXEC-001 every OK answer …", as in results.json) or is a scripted case "CASE <file>: <title>"`);
        if (!options.ruleIds.has(id!)) fail(lineOfKey.test, `${where}: unknown rule ID ${id} in the test name; see \`plugin-conformance rules\` for the catalogue`);
      }
    }
    if (until !== undefined) checkUntil(until, (message) => fail(lineOfKey.until, `${where}: ${message}`), options.pluginVersion);
    const id = `${kind === 'test' ? 'test' : 'rule'}:${key}`;
    const earlier = seen.get(id);
    if (earlier !== undefined) fail(line, `${where}: a second entry for ${entryLabel({ kind, key })} (the first is at line ${earlier}); merge them into one`);
    seen.set(id, line);
    return { kind, key, reason: reason!, ...(expect === undefined ? {} : { expect }), ...(until === undefined ? {} : { until }), line, index } satisfies BaselineEntry;
  });
  return { file, entries };
}

function checkUntil(until: string, fail: (message: string) => never, pluginVersion: string | undefined): void {
  const date = DATE.exec(until);
  if (date) {
    const [year, month, day] = date.slice(1).map(Number);
    const real = new Date(Date.UTC(year, month - 1, day));
    if (real.getUTCFullYear() !== year || real.getUTCMonth() !== month - 1 || real.getUTCDate() !== day) fail(`until: ${until} is not a calendar date; write YYYY-MM-DD`);
    return;
  }
  if (isSemver(until)) {
    if (pluginVersion === undefined) fail(`until: ${until} is a plugin version; pass the version under test with --plugin-version V (or use a date YYYY-MM-DD)`);
    return;
  }
  fail(`until: "${until}" is neither a date YYYY-MM-DD nor a plugin version like 1.4.0`);
}

/** Semantic-version precedence (semver.org §11): -1, 0 or 1. Build metadata is ignored; a leading `v` is allowed. */
export function compareSemver(a: string, b: string): number {
  const split = (v: string) => {
    const [core, pre] = v.replace(/^v/, '').split('+')[0].split(/-(.*)/s);
    return { core: core.split('.').map(Number), pre: pre ? pre.split('.') : [] };
  };
  const x = split(a);
  const y = split(b);
  for (let i = 0; i < 3; i += 1) if (x.core[i] !== y.core[i]) return x.core[i] < y.core[i] ? -1 : 1;
  if (!x.pre.length || !y.pre.length) return x.pre.length === y.pre.length ? 0 : x.pre.length ? -1 : 1;
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i += 1) {
    const p = x.pre[i];
    const q = y.pre[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    if (p === q) continue;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn) return Number(p) < Number(q) ? -1 : 1;
    if (pn !== qn) return pn ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return 0;
}

// ---- applying a baseline to a run's outcomes -------------------------------------------------------------------

/** Why an entry is stale: its tests now pass, its expect no longer matches, it is past until, or nothing has its name. */
export type StaleKind = 'passes' | 'expect' | 'expired' | 'absent';

export interface StaleEntry {
  entry: string;
  why: string;
  line: number;
  kind: StaleKind;
}

export interface MatchedEntry {
  entry: string;
  line: number;
  reason: string;
  /** The failed tests the entry excused. */
  tests: string[];
}

export interface BaselineResult {
  /** The outcomes with every excused failure turned into `expected-failure` (with its entry and reason). */
  outcomes: TestOutcome[];
  matched: MatchedEntry[];
  stale: StaleEntry[];
  /** Entries whose tests did not run or were not judged (deselected, not applicable, not exercised): neither. */
  unjudged: { entry: string; line: number }[];
}

export interface ApplyOptions {
  /** Today's date, YYYY-MM-DD (the caller's clock). */
  today: string;
  pluginVersion?: string;
}

const SPECIFICITY: Record<EntryKind, number> = { test: 0, rule: 1, group: 2 };

function matches(entry: BaselineEntry, o: TestOutcome): boolean {
  if (entry.kind === 'test') return o.name === entry.key;
  if (entry.kind === 'rule') return o.ruleId === entry.key;
  return o.ruleId !== undefined && o.ruleId.startsWith(entry.key.slice(0, -1));
}

function expiry(entry: BaselineEntry, options: ApplyOptions): string | undefined {
  if (entry.until === undefined) return undefined;
  if (DATE.test(entry.until)) return options.today > entry.until ? `past until ${entry.until} (today is ${options.today})` : undefined;
  if (options.pluginVersion === undefined) return `until ${entry.until} is a plugin version, but no --plugin-version was given`;
  return compareSemver(options.pluginVersion, entry.until) > 0 ? `past until ${entry.until} (plugin version ${options.pluginVersion})` : undefined;
}

const firstLine = (o: TestOutcome) => (o.messages[0] ?? '').split('\n')[0];
const clip = (text: string, max = 160) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

type Judgement =
  | { status: 'matched'; covered: TestOutcome[] }
  | { status: 'stale'; kind: StaleKind; why: string }
  | { status: 'unjudged' };

/** One entry against the run's outcomes (see applyBaseline). */
function judge(entry: BaselineEntry, outcomes: TestOutcome[], options: ApplyOptions): Judgement {
  const named = outcomes.filter((o) => matches(entry, o));
  const expired = expiry(entry, options);
  if (expired) return { status: 'stale', kind: 'expired', why: expired };
  const failed = named.filter((o) => o.state === 'failed');
  const covered = failed.filter((o) => entry.expect === undefined || o.messages.join('\n').includes(entry.expect));
  if (covered.length) return { status: 'matched', covered };
  if (failed.length) {
    const why = `expect ${JSON.stringify(entry.expect)} is not in the failure message of "${failed[0].name}" (${clip(firstLine(failed[0]))}): the failure changed`;
    return { status: 'stale', kind: 'expect', why };
  }
  if (named.some((o) => o.state === 'passed')) {
    return { status: 'stale', kind: 'passes', why: entry.kind === 'test' ? 'now passes' : `now passes: every test of ${entry.key} that ran passed` };
  }
  if (named.length) return { status: 'unjudged' };
  const why = entry.kind === 'test' ? 'no test of this run has this name (renamed or removed?)' : `no test checks ${entry.key}`;
  return { status: 'stale', kind: 'absent', why };
}

/**
 * Applies the baseline: a failed test an entry covers (its rule, group or name, and `expect` found in the failure
 * messages, the entry not past `until`) becomes `expected-failure`; the most specific entry (test, rule, group) gives
 * the reason. An entry is stale when it is past `until` (its failures are not excused), when tests it names failed
 * but none with its `expect`, when every judged test it names passed, or when no test of the run has its name or
 * rule. Outcomes it names that were not judged (skipped by --only, not applicable, not exercised) leave it unjudged.
 */
export function applyBaseline(outcomes: TestOutcome[], baseline: Baseline, options: ApplyOptions): BaselineResult {
  const matched: MatchedEntry[] = [];
  const stale: StaleEntry[] = [];
  const unjudged: { entry: string; line: number }[] = [];
  const coveredBy = new Map<TestOutcome, BaselineEntry>();
  for (const entry of baseline.entries) {
    const judgement = judge(entry, outcomes, options);
    if (judgement.status === 'stale') stale.push({ entry: entry.key, why: judgement.why, line: entry.line, kind: judgement.kind });
    else if (judgement.status === 'unjudged') unjudged.push({ entry: entry.key, line: entry.line });
    else {
      matched.push({ entry: entry.key, line: entry.line, reason: entry.reason, tests: judgement.covered.map((o) => o.name) });
      for (const o of judgement.covered) {
        const other = coveredBy.get(o);
        if (!other || SPECIFICITY[entry.kind] < SPECIFICITY[other.kind]) coveredBy.set(o, entry);
      }
    }
  }
  const applied = outcomes.map((o): TestOutcome => {
    const entry = coveredBy.get(o);
    return entry ? { ...o, state: 'expected-failure', baseline: { entry: entry.key, reason: entry.reason } } : o;
  });
  return { outcomes: applied, matched, stale, unjudged };
}

// ---- --update-baseline -------------------------------------------------------------------------------------------

export interface NewEntry {
  kind: 'rule' | 'test';
  key: string;
  reason: string;
}

export interface BaselineUpdate {
  /** New failures: by rule ID when every test of the rule failed, else by exact test name. */
  added: NewEntry[];
  /** Entries dropped: their tests now pass, no test has their name, or (`expect`) their failure changed. */
  removed: { entry: BaselineEntry; why: string }[];
  /** Stale entries the update cannot settle (past until): left for a person. */
  kept: { entry: BaselineEntry; why: string }[];
  /** Failed tests that cannot get an entry (no rule ID in the name). */
  unlisted: string[];
}

/**
 * What --update-baseline changes, from the run's outcomes (before or after applying the baseline): stale entries
 * whose tests pass, whose names are gone, or whose `expect` no longer matches are removed (a changed failure is then
 * new); each new failure (one no remaining entry names) gets an entry with `reason`, by rule ID when every test of its
 * rule failed, else by exact test name; every other entry stays as written, past-`until` ones included.
 */
export function planBaselineUpdate(outcomes: TestOutcome[], baseline: Baseline, options: ApplyOptions, reason: string): BaselineUpdate {
  const removed: BaselineUpdate['removed'] = [];
  const kept: BaselineUpdate['kept'] = [];
  const remaining: BaselineEntry[] = [];
  for (const entry of baseline.entries) {
    const judgement = judge(entry, outcomes, options);
    if (judgement.status === 'stale' && judgement.kind !== 'expired') {
      removed.push({ entry, why: judgement.why });
      continue;
    }
    if (judgement.status === 'stale') kept.push({ entry, why: judgement.why });
    remaining.push(entry);
  }
  const isFailure = (o: TestOutcome) => o.state === 'failed' || o.state === 'expected-failure';
  const added: NewEntry[] = [];
  const unlisted: string[] = [];
  for (const o of outcomes.filter((x) => isFailure(x) && !remaining.some((e) => matches(e, x)))) {
    const isCase = CASE_NAME.test(o.name);
    const id = TEST_RULE.exec(o.name)?.[1];
    if (!isCase && !id) {
      unlisted.push(o.name);
      continue;
    }
    const wholeRule = !isCase && outcomes.filter((x) => x.ruleId === id).every(isFailure);
    const entry: NewEntry = wholeRule ? { kind: 'rule', key: id!, reason } : { kind: 'test', key: o.name, reason };
    if (!added.some((a) => a.kind === entry.kind && a.key === entry.key)) added.push(entry);
  }
  return { added, removed, kept, unlisted };
}

export const BASELINE_HEADER = [
  ' plugin-conformance baseline (--baseline): known failures that do not fail the run, each until it goes stale.',
  ' An entry: rule (an ID like EXEC-001, or a whole group EXEC-*) or test (an exact test name), reason (required),',
  ' expect (a substring of the failure message), until (YYYY-MM-DD, or a plugin version checked with --plugin-version).',
].join('\n');

/**
 * The file's text after an update: removed entries deleted, new ones appended; comments and the rest of the file
 * kept as written. `text` undefined (no file yet) starts a new file with a header comment.
 */
export function renderBaselineUpdate(text: string | undefined, update: BaselineUpdate): string {
  const doc: Document = text === undefined || !text.trim() ? parseDocument('entries: []\n') : parseDocument(text);
  if (text === undefined || !text.trim()) doc.commentBefore = BASELINE_HEADER;
  let list = doc.get('entries', true);
  if (!isSeq(list)) {
    doc.set('entries', doc.createNode([]));
    list = doc.get('entries', true);
  }
  const seq = list as unknown as { items: unknown[]; flow?: boolean };
  const drop = new Set(update.removed.map((r) => r.entry.index));
  seq.items = seq.items.filter((_, i) => !drop.has(i));
  for (const entry of update.added) seq.items.push(doc.createNode({ [entry.kind]: entry.key, reason: entry.reason }));
  seq.flow = seq.items.length === 0;
  return doc.toString({ lineWidth: 0 });
}

/** Console lines for the baseline's effect on this run (nothing when it changed nothing). */
export function formatBaselineResult(result: BaselineResult, file: string): string[] {
  const lines: string[] = [];
  const expected = result.outcomes.filter((o) => o.state === 'expected-failure');
  if (expected.length) {
    lines.push('', `Expected failures (baseline ${file}; they do not fail the run):`);
    for (const o of expected) lines.push(`  ~ [${o.level ?? '?'}] ${o.name}`, `      ${o.baseline!.reason}`);
  }
  if (result.stale.length) {
    lines.push('', `Stale baseline entries (${file}; each fails the run):`);
    for (const s of result.stale) lines.push(`  ! ${file}:${s.line} ${s.entry}`, `      ${s.why}`);
  }
  return lines;
}

/** Console lines saying what --update-baseline changed. */
export function formatBaselineUpdate(update: BaselineUpdate, file: string): string[] {
  const lines = [`\nbaseline ${file} updated: ${update.added.length} added, ${update.removed.length} removed`];
  for (const a of update.added) lines.push(`  + ${a.kind}: ${a.kind === 'test' ? JSON.stringify(a.key) : a.key} (reason: ${a.reason})`);
  for (const r of update.removed) lines.push(`  - ${entryLabel(r.entry)} (line ${r.entry.line}): ${r.why}`);
  for (const k of update.kept) lines.push(`  ! kept ${entryLabel(k.entry)} (line ${k.entry.line}), still stale: ${k.why}`);
  for (const name of update.unlisted) lines.push(`  ? not added: "${name}" has no rule ID in its name`);
  if (!update.added.length && !update.removed.length) lines[0] = `\nbaseline ${file} unchanged`;
  return lines;
}

/** Today in the local time zone, YYYY-MM-DD. */
export function localDate(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

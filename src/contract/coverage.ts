// Which catalogue rules the suites check: a static scan of the compiled suites for test titles that begin with a
// rule ID, joined with UNCHECKED (why each remaining rule has no test yet). Computed, never listed by hand.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Rule, RuleLevel } from './rules.js';

/**
 * Why no suite checks a rule yet: one entry per rule that no test title names. When a suite starts checking a
 * rule, delete its entry here (the unit test over dist/suites fails until you do, and when a rule has neither).
 */
export const UNCHECKED: Record<string, string> = {
  // 4.1 Process
  'PROC-015': 'INFO: a fact for the harness: stdout is never parsed and every launch has stdin /dev/null (PROC-002 launches with nothing else), so there is nothing separate to check',
  'PROC-016': 'INFO: a fact for the harness (the admin server is not required), nothing to check',
  'PROC-017': 'INFO: optional flags piped never passes; nothing to check',
  // 4.3 General RPC behaviour
  // 4.6 BuildPipelineSyncStages and BuildQuickSyncStages
  'PLAN-018': 'INFO: piped overwrites id and requires itself, so a value set there does no harm; a warning at most, and reports have no warning outcome yet',
  'PLAN-021': 'INFO: facts about the requests piped sends (global, gappy indexes; empty timeout; JSON config); the harness sends such requests, nothing for a plugin to break',
  'PLAN-033': 'INFO: quick-sync index is ignored, stages run in response order with an empty stage_config; the harness executes quick-sync plans that way, nothing for a plugin to break',
  // 4.7 ExecuteStage
  'EXEC-003': 'INFO: status semantics for scenario tests, nothing to check on its own',
  'EXEC-014': 'INFO: the response message is ignored by piped, nothing to check',
  'EXEC-017': 'INFO: request statuses are a snapshot; nothing a black-box test can see',
  // 4.10 Callbacks to piped's PluginService
  'SVC-009': 'INFO: merge semantics the fake implements (Put merges, Get sees seeds and earlier Puts); a plugin relying on replace-on-Put shows up only in plugin-specific scenarios',
  'SVC-012': 'INFO: shared metadata has no Put RPC, so no plugin can write it; nothing to check',
  'SVC-018': 'INFO: DecryptSecret is not a PluginService RPC; a call would be UNIMPLEMENTED before the fake sees it, so nothing is journaled to check',
};

/** One rule's coverage by the suites, as `plugin-conformance rules` prints it. */
export interface RuleCoverage {
  id: string;
  level: RuleLevel;
  title: string;
  reference: string;
  status: 'checked' | 'unchecked';
  /** Titles of the suite tests that begin with this rule's ID. */
  tests: string[];
  /** Why no suite checks it yet (unchecked rules only). */
  reason?: string;
}

export interface CoverageReport {
  coverage: RuleCoverage[];
  /** Registry inconsistencies: a rule both checked and UNCHECKED, or neither; a test naming an unknown rule. */
  problems: string[];
}

/** Joins the catalogue with the scanned test titles and UNCHECKED; pure. */
export function ruleCoverage(
  catalogue: readonly Rule[],
  testsByRule: ReadonlyMap<string, readonly string[]>,
  unchecked: Readonly<Record<string, string>> = UNCHECKED,
): CoverageReport {
  const problems: string[] = [];
  const known = new Set(catalogue.map((r) => r.id));
  const coverage = catalogue.map((r): RuleCoverage => {
    const tests = [...(testsByRule.get(r.id) ?? [])];
    const reason = Object.hasOwn(unchecked, r.id) ? unchecked[r.id] : undefined;
    const base = { id: r.id, level: r.level, title: r.title, reference: r.reference };
    if (tests.length && reason !== undefined) {
      problems.push(`${r.id} is checked by ${tests.length} test(s) but still listed in UNCHECKED ("${reason}"); remove it from src/contract/coverage.ts`);
    }
    if (!tests.length && !reason) {
      problems.push(`${r.id} is checked by no suite test and has no reason in UNCHECKED; add a test or a reason in src/contract/coverage.ts`);
    }
    return tests.length ? { ...base, status: 'checked', tests } : { ...base, status: 'unchecked', tests, ...(reason ? { reason } : {}) };
  });
  for (const id of testsByRule.keys()) {
    if (!known.has(id)) problems.push(`test(s) name ${id}, which is not a catalogue rule: ${(testsByRule.get(id) ?? []).join(' | ')}`);
  }
  for (const id of Object.keys(unchecked)) {
    if (!known.has(id)) problems.push(`UNCHECKED lists ${id}, which is not a catalogue rule`);
  }
  return { coverage, problems };
}

export interface CoverageSummary {
  total: number;
  checked: number;
  unchecked: number;
  byLevel: Record<RuleLevel, { total: number; checked: number; unchecked: number }>;
}

/** Counts over coverage objects: all rules, and per level. */
export function coverageSummary(coverage: readonly RuleCoverage[]): CoverageSummary {
  const zero = () => ({ total: 0, checked: 0, unchecked: 0 });
  const summary: CoverageSummary = { ...zero(), byLevel: { MUST: zero(), SHOULD: zero(), INFO: zero() } };
  for (const c of coverage) {
    for (const bucket of [summary, summary.byLevel[c.level]]) {
      bucket.total += 1;
      bucket[c.status] += 1;
    }
  }
  return summary;
}

/** Rule ID → titles of the tests naming it, over every `*.test.js` under `suitesDir` (the compiled suites). */
export function suiteTestNames(suitesDir: string): Map<string, string[]> {
  const byRule = new Map<string, string[]>();
  for (const file of testFiles(suitesDir)) {
    for (const title of scanTestTitles(readFileSync(file, 'utf8'))) {
      const id = RULE_TITLE.exec(title)?.[1];
      if (!id) continue;
      const list = byRule.get(id) ?? [];
      list.push(title);
      byRule.set(id, list);
    }
  }
  return byRule;
}

/** A test title that names a rule: it begins with the ID. */
const RULE_TITLE = /^([A-Z]+-\d{3})\b/;

function testFiles(dir: string): string[] {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  return entries.flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return testFiles(full);
    return e.isFile() && e.name.endsWith('.test.js') ? [full] : [];
  });
}

/**
 * The literal titles of the tests a source file declares: the first argument of `it(…)` / `test(…)` and of their
 * chained forms (`it.each(table)(…)`, `it.skipIf(x)(…)`, `test.concurrent(…)`), when that argument is a
 * single-, double- or backtick-quoted string. `describe` titles are not tests. Pure; tolerant of comments,
 * strings and regular expression literals elsewhere in the file.
 */
export function scanTestTitles(sourceText: string): string[] {
  return new TitleScanner(sourceText).scan();
}

class TitleScanner {
  private pos = 0;
  /** The last significant token, to tell a regex literal from a division. */
  private last = '';
  private readonly titles: string[] = [];

  constructor(private readonly src: string) {}

  scan(): string[] {
    const s = this.src;
    while (this.pos < s.length) {
      const ch = s[this.pos];
      if (/\s/.test(ch)) {
        this.pos += 1;
      } else if (s.startsWith('//', this.pos) || s.startsWith('/*', this.pos)) {
        this.skipComment();
      } else if (ch === '"' || ch === "'" || ch === '`') {
        this.readString();
        this.last = 'str';
      } else if (ch === '/' && this.regexAllowed()) {
        this.skipRegex();
        this.last = 'regex';
      } else if (/[A-Za-z_$]/.test(ch)) {
        const start = this.pos;
        const word = this.readWord();
        const memberAccess = this.last === '.';
        this.last = word;
        if ((word === 'it' || word === 'test') && !memberAccess && !/[\w$]/.test(s[start - 1] ?? '')) this.readTestCall();
      } else if (/[0-9]/.test(ch)) {
        while (this.pos < s.length && /[\w.]/.test(s[this.pos])) this.pos += 1;
        this.last = 'num';
      } else {
        this.pos += 1;
        this.last = ch;
      }
    }
    return this.titles;
  }

  /** After `it`/`test`: follows `.name` and call groups until a call whose first argument is a string literal. */
  private readTestCall(): void {
    const s = this.src;
    for (;;) {
      this.skipSpace();
      if (s[this.pos] === '.') {
        this.pos += 1;
        this.skipSpace();
        if (!/[A-Za-z_$]/.test(s[this.pos] ?? '')) return;
        this.last = this.readWord();
        continue;
      }
      if (s[this.pos] !== '(') return;
      const open = this.pos;
      this.pos += 1;
      this.skipSpace();
      const q = s[this.pos];
      if (q === '"' || q === "'" || q === '`') {
        const title = this.readString();
        this.skipSpace();
        // `it('title', …)` or `it('title')`; a string followed by anything else (`'a' + b`) is not a plain title.
        if (s[this.pos] === ',' || s[this.pos] === ')') this.titles.push(title);
        this.last = 'str';
        return;
      }
      // Not a title: a chained call such as it.each(table) or it.skipIf(cond). Skip it; a call may follow.
      this.pos = open;
      if (!this.skipGroup()) return;
      this.last = ')';
    }
  }

  private skipSpace(): void {
    const s = this.src;
    while (this.pos < s.length) {
      if (/\s/.test(s[this.pos])) this.pos += 1;
      else if (s.startsWith('//', this.pos) || s.startsWith('/*', this.pos)) this.skipComment();
      else return;
    }
  }

  private skipComment(): void {
    const s = this.src;
    if (s.startsWith('//', this.pos)) {
      const end = s.indexOf('\n', this.pos);
      this.pos = end < 0 ? s.length : end + 1;
    } else {
      const end = s.indexOf('*/', this.pos + 2);
      this.pos = end < 0 ? s.length : end + 2;
    }
  }

  private readWord(): string {
    const start = this.pos;
    while (this.pos < this.src.length && /[\w$]/.test(this.src[this.pos])) this.pos += 1;
    return this.src.slice(start, this.pos);
  }

  /** Skips a balanced `( … )` group (strings, comments, templates and regexes inside); false if unterminated. */
  private skipGroup(): boolean {
    const s = this.src;
    let depth = 0;
    this.last = '(';
    while (this.pos < s.length) {
      const ch = s[this.pos];
      if (s.startsWith('//', this.pos) || s.startsWith('/*', this.pos)) {
        this.skipComment();
        continue;
      }
      if (ch === '"' || ch === "'" || ch === '`') {
        this.readString();
        this.last = 'str';
        continue;
      }
      if (ch === '/' && this.regexAllowed()) {
        this.skipRegex();
        this.last = 'regex';
        continue;
      }
      if (/[A-Za-z_$]/.test(ch)) {
        this.last = this.readWord();
        continue;
      }
      this.pos += 1;
      if (/\s/.test(ch)) continue;
      this.last = ch;
      if (ch === '(' || ch === '[' || ch === '{') depth += 1;
      else if (ch === ')' || ch === ']' || ch === '}') {
        depth -= 1;
        if (depth === 0) return true;
      }
    }
    return false;
  }

  /**
   * Reads a quoted string or template literal starting at `pos` and returns its text with simple escapes decoded.
   * A template keeps its `${…}` placeholders verbatim (their contents are skipped as code).
   */
  private readString(): string {
    const s = this.src;
    const quote = s[this.pos];
    this.pos += 1;
    let out = '';
    while (this.pos < s.length) {
      const ch = s[this.pos];
      if (ch === '\\') {
        out += unescape(s[this.pos + 1] ?? '');
        this.pos += 2;
        continue;
      }
      if (ch === quote) {
        this.pos += 1;
        return out;
      }
      if (quote !== '`' && ch === '\n') return out; // unterminated: stop at the line end
      if (quote === '`' && s.startsWith('${', this.pos)) {
        const start = this.pos;
        this.pos += 1; // onto '{'
        this.skipBraces();
        out += s.slice(start, this.pos);
        continue;
      }
      out += ch;
      this.pos += 1;
    }
    return out;
  }

  /** Skips a balanced `{ … }` starting at `pos` (a template placeholder). */
  private skipBraces(): void {
    const s = this.src;
    let depth = 0;
    while (this.pos < s.length) {
      const ch = s[this.pos];
      if (ch === '"' || ch === "'" || ch === '`') {
        this.readString();
        continue;
      }
      this.pos += 1;
      if (ch === '{') depth += 1;
      else if (ch === '}' && --depth === 0) return;
    }
  }

  /** Whether a `/` here starts a regular expression literal rather than a division. */
  private regexAllowed(): boolean {
    const last = this.last;
    if (last === '' ) return true;
    if (last === ')' || last === ']' || last === '}' || last === 'str' || last === 'num' || last === 'regex') return false;
    if (/^[\w$]+$/.test(last)) return REGEX_KEYWORDS.has(last);
    return true; // after an operator or punctuation
  }

  private skipRegex(): void {
    const s = this.src;
    this.pos += 1;
    let inClass = false;
    while (this.pos < s.length && s[this.pos] !== '\n') {
      const ch = s[this.pos];
      this.pos += 1;
      if (ch === '\\') this.pos += 1;
      else if (ch === '[') inClass = true;
      else if (ch === ']') inClass = false;
      else if (ch === '/' && !inClass) break;
    }
    while (this.pos < s.length && /[a-z]/i.test(s[this.pos])) this.pos += 1;
  }
}

const REGEX_KEYWORDS = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await']);

function unescape(ch: string): string {
  switch (ch) {
    case 'n':
      return '\n';
    case 't':
      return '\t';
    case 'r':
      return '\r';
    case '\n':
      return '';
    default:
      return ch;
  }
}

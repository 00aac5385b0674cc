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
  'PROC-002': 'needs a launch with a scrubbed env (PATH, HOME only), a fresh temp cwd and stdin /dev/null',
  'PROC-003': 'needs a launch from a copy of the executable at <tmp>/<name> with no sibling files',
  'PROC-004': 'needs dialling both 127.0.0.1 and [::1] on config.port',
  'PROC-007': 'needs a launch with the fake PluginService started a few seconds after the plugin',
  'PROC-009': 'needs a launch without --config, expecting a non-zero exit',
  'PROC-011': 'needs the exit status checked after a graceful SIGTERM and SIGINT',
  'PROC-012': 'needs a long-running stage interrupted by SIGTERM, timing the end of the ExecuteStage call',
  'PROC-013': 'needs a long-running stage interrupted by SIGTERM, then a look for completed=true in the journal',
  'PROC-015': 'INFO: a fact for the harness (stdout is not parsed, stdin is /dev/null), nothing to check',
  'PROC-016': 'INFO: a fact for the harness (the admin server is not required), nothing to check',
  'PROC-017': 'INFO: optional flags piped never passes; nothing to check',
  'PROC-018': 'needs the encoded size of every response and callback measured against 4 MiB',
  'PROC-019': 'needs the callbacks made during start-up validated, and a slow InstallTool injected at start-up',
  // 4.2 Configuration
  'CONF-001': 'needs launches with a minimal config (no config, no targets) and with deploy targets whose config is null',
  'CONF-002': 'needs a launch whose --config carries an unknown field',
  'CONF-003': 'needs a launch under a random plugin name, then callbacks and target resolution checked for it',
  'CONF-004': 'needs a deployment plugin launched without deploy targets, expecting a non-zero exit',
  'CONF-005': 'needs a launch without a plugin config, expecting readiness',
  // 4.3 General RPC behaviour
  'API-003': 'needs invalid requests derived from the validate rules (src/generate), expecting INVALID_ARGUMENT',
  'API-004': 'needs a plugin-specific config the plugin cannot parse, expecting a non-OK status',
  'API-005': 'needs parallel ExecuteStage calls with distinct ids, each callback matched to its call',
  'API-006': 'needs a call made with no metadata; every call the harness makes already sends none (implicit)',
  'API-007': 'needs property-generated valid-but-unusual requests with process liveness checked after each',
  // 4.4 FetchDefinedStages
  'DEF-003': 'needs the stage names of other plugins or the official names list to compare against',
  'DEF-005': 'needs FetchDefinedStages latency measured and its callbacks counted',
  // 4.5 DetermineVersions and DetermineStrategy
  'PLAN-001': 'needs a valid DetermineVersions request, expecting OK (and an empty list from a stage plugin)',
  'PLAN-002': 'needs each DetermineVersions ArtifactVersion.kind checked against the enum',
  'PLAN-003': 'needs DetermineVersions sent without running_deployment_source, expecting OK',
  'PLAN-006': 'needs the DetermineStrategy summary checked when a strategy is returned',
  'PLAN-007': 'needs DetermineStrategy sent the partial plan-preview Deployment, expecting an answer',
  'PLAN-008': 'needs the callbacks made during planning RPCs inspected for stage-scoped calls',
  'PLAN-009': 'needs DetermineVersions/DetermineStrategy repeated with the same input and compared',
  // 4.6 BuildPipelineSyncStages and BuildQuickSyncStages
  'PLAN-013': 'needs each non-rollback stage name compared with the request name at its index',
  'PLAN-014': 'checked as DEF-004 (same fact: built stage names are defined); no separate test yet',
  'PLAN-015': 'needs the rollback=false and rollback=true pipeline answers compared',
  'PLAN-017': 'needs available_operation and authorized_operators of built stages checked',
  'PLAN-018': 'INFO: piped overwrites id and requires; would be a warning at most',
  'PLAN-019': 'needs planned stage metadata seeded into the fake and read back during ExecuteStage',
  'PLAN-020': 'needs a pipeline stage sent with config "{not json", expecting a non-OK status',
  'PLAN-021': 'INFO: request facts the generators follow, nothing to check',
  'PLAN-022': 'needs BuildPipelineSyncStages repeated and diffed (ignoring timestamps), with no writes seen',
  'PLAN-030': 'needs BuildQuickSyncStages answers checked for OK, PLAN-016 fields and DEF-004 names',
  'PLAN-031': 'needs the quick-sync rollback=false and rollback=true answers of a deployment plugin compared',
  'PLAN-032': 'needs the non-rollback quick-sync stages of a deployment plugin counted',
  'PLAN-033': 'INFO: quick-sync facts the generators follow, nothing to check',
  // 4.7 ExecuteStage
  'EXEC-002': 'needs every non-cancelled ExecuteStage answer checked for STAGE_CANCELLED',
  'EXEC-003': 'INFO: status semantics for scenario tests, nothing to check on its own',
  'EXEC-004': 'needs an ExecuteStage call cancelled mid-stage, then callbacks watched for the stage',
  'EXEC-005': 'needs a long stage run with no deadline (minutes at least), so it belongs to a slow optional suite',
  'EXEC-007': 'needs a deployment plugin executed with no target entry, an unknown target and a valid one',
  'EXEC-010': 'needs plugin-specific knowledge of stage options to vary stage_config and compare behaviour',
  'EXEC-011': 'needs a stage cancelled mid-way, then re-executed with the same ids and the fake state kept',
  'EXEC-012': 'needs each rollback stage executed alone on a fresh deployment',
  'EXEC-014': 'INFO: the response message is ignored by piped, nothing to check',
  'EXEC-015': 'needs duplicate and irrelevant commands injected into ListStageCommands for a manual-operation stage',
  'EXEC-016': 'needs an approval stage approved through ListStageCommands, then its PutStageMetadata keys checked',
  'EXEC-017': 'INFO: request statuses are a snapshot; nothing a black-box test can see',
  'EXEC-018': 'needs the log blocks of each ExecuteStage counted (at least one)',
  // 4.8 Live state
  'LIVE-001': 'needs a GetLivestate call with valid deploy targets on a plugin that implements it',
  'LIVE-002': 'needs each ResourceState of an OK GetLivestate answer validated',
  'LIVE-003': 'needs sync_state status and timestamp of an OK GetLivestate answer checked',
  'LIVE-004': 'needs resource plugin_name, deploy_target and parent_ids checked against the request and answer',
  'LIVE-005': 'needs the application health recomputed from the resources and compared',
  'LIVE-006': 'needs GetLivestate sent empty and unknown deploy targets',
  'LIVE-007': 'needs GetLivestate latency measured and its callbacks checked for writes',
  // 4.9 Plan preview
  'PREV-001': 'needs GetPlanPreview results checked against the requested deploy targets',
  'PREV-002': 'needs one GetPlanPreview result per target with summary and diff_language checked',
  'PREV-003': 'needs GetPlanPreview sent without running_deployment_source',
  'PREV-004': 'needs the callbacks made during GetPlanPreview checked for Put* calls',
  'PREV-005': 'needs GetPlanPreview called with a short deadline, timing the answer',
  'PREV-006': 'needs GetPlanPreview sent empty deploy targets, expecting INVALID_ARGUMENT',
  // 4.10 Callbacks to piped's PluginService
  'SVC-001': 'the fake serves plaintext only and requires no auth, so every run exercises it; no test names it',
  'SVC-006': 'needs the checkpoint payloads compared with all blocks, and completion ordered before the response',
  'SVC-007': 'needs the log retried_count compared with the ExecuteStage request stage.retried_count',
  'SVC-008': 'needs the fake to close deployment stores after a call ends and report later metadata calls',
  'SVC-009': 'INFO: merge semantics the fake implements, nothing to check',
  'SVC-010': 'needs the stage_id of each PutStageMetadata compared with the executing stage',
  'SVC-011': 'needs the plugin_name of each PutDeploymentPluginMetadata compared with the config name',
  'SVC-012': 'INFO: shared metadata has no Put RPC, nothing to check',
  'SVC-013': 'needs the fake to repeat commands with noise and duplicates, then one reaction per command checked',
  'SVC-014': 'needs ListStageCommands calls per stage per minute counted during a manual-operation stage',
  'SVC-015': 'needs InstallTool templates rendered strictly and the returned installed_path seen in use',
  'SVC-016': 'needs two InstallTool calls for one name-version with different scripts',
  'SVC-017': 'needs shared-object requests checked, and NOT_FOUND answered without the stage failing',
  'SVC-018': 'INFO: DecryptSecret is not an RPC; nothing to check',
  'SVC-019': 'needs PluginService errors injected by the fake, then liveness and a legal status checked',
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

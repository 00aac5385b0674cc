// Which catalogue rules the suites check: the names of the suites' tests (collected by vitest, src/list.ts) that
// begin with a rule ID, joined with UNCHECKED (why each remaining rule has no test yet). Computed, never listed by hand.
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
  /** Names of the suite tests that begin with this rule's ID. */
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

/** Rule ID → names of the tests naming it (a test names the rule its name begins with), in the order given. */
export function testsByRule(testNames: readonly string[]): Map<string, string[]> {
  const byRule = new Map<string, string[]>();
  for (const name of testNames) {
    const id = RULE_TITLE.exec(name)?.[1];
    if (!id) continue;
    byRule.set(id, [...(byRule.get(id) ?? []), name]);
  }
  return byRule;
}

/** A test name that names a rule: it begins with the ID. */
const RULE_TITLE = /^([A-Z]+-\d{3})\b/;

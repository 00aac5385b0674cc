// The kill matrix, judged: did each mutant of the reference plugin fail exactly the rule it breaks (plus the rules
// its fault lists in `alsoSeenBy`), and did the reference itself pass? Pure; scripts/kill-matrix.ts runs the CLI.

export interface MutantSpec {
  /** The fault name, which is also the mutant config's file name. */
  name: string;
  /** The rule the mutant breaks. */
  rule: string;
  /** Other rules that necessarily see the same misbehaviour. */
  alsoSeenBy: readonly string[];
}

/** What one CLI run left behind. */
export interface CliResult {
  exitCode: number;
  /** Rule IDs of failed tests in results.json (empty when there is none). */
  failedRules: string[];
  /** Set when the run gave no results.json, timed out, or ended in a setup error. */
  problem?: string;
}

/**
 * killed: its rule failed, and only allowed rules did; overkilled: its rule failed, and rules it should not touch too;
 * missed: only other rules failed; survived: nothing failed; broken: the run itself did not work.
 */
export type MutantVerdict = 'killed' | 'overkilled' | 'missed' | 'survived' | 'broken';

export interface MutantJudgement {
  mutant: MutantSpec;
  verdict: MutantVerdict;
  failedRules: string[];
  /** Failed rules outside {rule} ∪ alsoSeenBy. */
  unexpected: string[];
  problem?: string;
}

export interface ReferenceJudgement {
  ok: boolean;
  failedRules: string[];
  problem?: string;
}

/** The rule IDs of failed tests in a results.json object, each once, in report order. */
export function failedRulesOf(results: any): string[] {
  const outcomes: any[] = Array.isArray(results?.outcomes) ? results.outcomes : [];
  return [...new Set(outcomes.filter((o) => o?.state === 'failed').map((o) => String(o.ruleId ?? o.name)))];
}

export function judgeMutant(mutant: MutantSpec, result: CliResult): MutantJudgement {
  const allowed = new Set([mutant.rule, ...mutant.alsoSeenBy]);
  const failedRules = [...result.failedRules].sort();
  const unexpected = failedRules.filter((r) => !allowed.has(r));
  const base = { mutant, failedRules, unexpected };
  if (result.problem || (result.exitCode !== 0 && result.exitCode !== 1)) {
    return { ...base, verdict: 'broken', problem: result.problem ?? `the CLI exited with code ${result.exitCode}` };
  }
  if (!failedRules.includes(mutant.rule)) return { ...base, verdict: failedRules.length ? 'missed' : 'survived' };
  return { ...base, verdict: unexpected.length ? 'overkilled' : 'killed' };
}

export function judgeReference(result: CliResult): ReferenceJudgement {
  const problem = result.problem ?? (result.exitCode === 0 ? undefined : `the CLI exited with code ${result.exitCode}`);
  return { ok: !problem && result.failedRules.length === 0, failedRules: result.failedRules, problem };
}

/** Green only when the reference passes and every mutant is killed cleanly. */
export function isGreen(reference: ReferenceJudgement, rows: MutantJudgement[]): boolean {
  return reference.ok && rows.every((r) => r.verdict === 'killed');
}

function verdictText(row: MutantJudgement): string {
  switch (row.verdict) {
    case 'killed':
      return 'killed';
    case 'overkilled':
      return `OVERKILLED: also ${row.unexpected.join(', ')} (add to alsoSeenBy only if they necessarily see it)`;
    case 'missed':
      return `MISSED: ${row.mutant.rule} passed`;
    case 'survived':
      return 'SURVIVED: nothing failed';
    case 'broken':
      return `BROKEN: ${row.problem ?? 'no result'}`;
  }
}

/** The matrix as an aligned text table: `rule | mutant | rules that failed | verdict`, sorted by rule then mutant. */
export function killMatrixTable(rows: MutantJudgement[]): string {
  const sorted = [...rows].sort((a, b) => a.mutant.rule.localeCompare(b.mutant.rule) || a.mutant.name.localeCompare(b.mutant.name));
  const cells = [
    ['rule', 'mutant', 'rules that failed', 'verdict'],
    ...sorted.map((r) => [r.mutant.rule, r.mutant.name, r.failedRules.join(', ') || '-', verdictText(r)]),
  ];
  const widths = [0, 1, 2].map((col) => Math.max(...cells.map((row) => row[col].length)));
  const line = (row: string[]) => row.map((cell, col) => (col < 3 ? cell.padEnd(widths[col]) : cell)).join(' | ');
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('-|-') + '-|-' + '-'.repeat(7), ...cells.slice(1).map(line)].join('\n');
}

/** The closing lines: the reference's result and `killed K of N mutants`. */
export function killMatrixSummary(reference: ReferenceJudgement, rows: MutantJudgement[]): string {
  const referenceLine = reference.ok
    ? 'reference plugin: conforms'
    : `reference plugin: NOT CONFORMING (${reference.problem ?? `failed ${reference.failedRules.join(', ')}`})`;
  const killed = rows.filter((r) => r.verdict === 'killed').length;
  return `${referenceLine}\nkilled ${killed} of ${rows.length} mutants`;
}

// The `plugin-conformance rules` table: one line per rule (ID, level, status, title), then the counts.
import { coverageSummary, type RuleCoverage } from '../contract/coverage.js';
import { RULE_LEVELS } from '../contract/rules.js';

/** Formats coverage objects as a plain-text table followed by a total line and one line per level; pure. */
export function formatRulesTable(coverage: readonly RuleCoverage[]): string {
  const header = ['ID', 'LEVEL', 'STATUS', 'TITLE'];
  const rows = coverage.map((c) => [c.id, c.level, c.status, c.title]);
  const widths = header.slice(0, -1).map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i < widths.length ? cell.padEnd(widths[i]) : cell)).join('  ').trimEnd();
  const summary = coverageSummary(coverage);
  const levels = RULE_LEVELS.filter((level) => summary.byLevel[level].total > 0).map((level) => {
    const counts = summary.byLevel[level];
    return `  ${level.padEnd(6)} ${String(counts.total).padStart(3)}: ${counts.checked} checked, ${counts.unchecked} unchecked`;
  });
  return [
    line(header),
    ...rows.map(line),
    '',
    `${summary.total} ${summary.total === 1 ? 'rule' : 'rules'}: ${summary.checked} checked, ${summary.unchecked} unchecked`,
    ...levels,
    '',
  ].join('\n');
}

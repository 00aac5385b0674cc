// A self-contained HTML report (no external assets) from the same data as results.json.
import type { TestOutcome } from './outcome.js';
import type { Counts, Verdict } from './verdict.js';

export interface HtmlReportInput {
  target: string;
  pluginName: string;
  verdict: Verdict;
  counts: Counts;
  outcomes: TestOutcome[];
  generatedAt: string;
}

const STATE_LABEL: Record<TestOutcome['state'], string> = {
  passed: 'passed',
  failed: 'failed',
  unsupported: 'not applicable',
  'not-exercised': 'not exercised',
  skipped: 'skipped',
  'setup-error': 'setup error',
  'harness-error': 'harness error',
  'expected-failure': 'expected failure',
};

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The rule group of an outcome (`PLAN-010` → `PLAN`), or `other`. */
function groupOf(outcome: TestOutcome): string {
  return outcome.ruleId?.split('-')[0] ?? 'other';
}

function row(o: TestOutcome): string {
  // An expected failure shows why the --baseline excuses it before the failure itself.
  const texts = o.baseline ? [`expected failure (baseline entry ${o.baseline.entry}): ${o.baseline.reason}`, ...o.messages] : o.messages;
  const details = texts.length ? `<details${o.state === 'failed' || o.state === 'setup-error' || o.state === 'harness-error' ? ' open' : ''}><summary>details</summary><pre>${escapeHtml(texts.join('\n\n'))}</pre></details>` : '';
  return `<tr class="${o.state}"><td class="rule">${escapeHtml(o.ruleId ?? '')}</td><td>${escapeHtml(o.level ?? '')}</td><td><span class="badge ${o.state}">${STATE_LABEL[o.state]}</span></td><td>${escapeHtml(o.name)}${details}</td><td class="num">${o.durationMs} ms</td></tr>`;
}

function section(group: string, outcomes: TestOutcome[]): string {
  const failed = outcomes.filter((o) => o.state === 'failed').length;
  return `<section><h2>${escapeHtml(group)} <small>${outcomes.length} test(s)${failed ? `, <span class="failed-text">${failed} failed</span>` : ''}</small></h2>
<table><thead><tr><th>rule</th><th>level</th><th>result</th><th>test</th><th>time</th></tr></thead><tbody>
${outcomes.map(row).join('\n')}
</tbody></table></section>`;
}

/** Rules the harness could not drive, grouped by cause: each cause names the input that would let it drive them. */
function notExercisedSection(outcomes: TestOutcome[]): string {
  const byReason = groupNotExercised(outcomes);
  if (!byReason.size) return '';
  const items = [...byReason].map(([reason, ids]) => `<li><b>${escapeHtml(ids.join(', '))}</b><pre>${escapeHtml(reason)}</pre></li>`);
  return `<section class="not-exercised"><h2>Not exercised <small>rules that apply to this plugin but could not be driven; give the inputs named below</small></h2><ul>${items.join('\n')}</ul></section>`;
}

/** Cause (first line of the reason) → rule IDs (or test names) not exercised for it, in first-seen order. */
export function groupNotExercised(outcomes: TestOutcome[]): Map<string, string[]> {
  const byReason = new Map<string, string[]>();
  for (const o of outcomes) {
    if (o.state !== 'not-exercised') continue;
    // Rules left without input for one cause share the first line of their reason (the cause and its fix).
    const reason = (o.messages[0] ?? 'no reason recorded').split('\n')[0];
    const ids = byReason.get(reason) ?? [];
    const id = o.ruleId ?? o.name;
    if (!ids.includes(id)) ids.push(id);
    byReason.set(reason, ids);
  }
  return byReason;
}

/** The whole page. Groups appear in the order of their first test; failures are expanded. */
export function renderHtmlReport(input: HtmlReportInput): string {
  const groups = new Map<string, TestOutcome[]>();
  for (const o of input.outcomes) groups.set(groupOf(o), [...(groups.get(groupOf(o)) ?? []), o]);
  const c = input.counts;
  const status = input.verdict.exitCode === 0 ? 'ok' : input.verdict.exitCode === 1 ? 'bad' : 'error';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>plugin-conformance: ${escapeHtml(input.pluginName)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#1d1d1f}h1{margin:0 0 .3rem}h2{margin:1.6rem 0 .4rem}
.verdict{padding:.7rem 1rem;border-radius:6px;margin:1rem 0}.verdict.ok{background:#e3f6e8}.verdict.bad{background:#fde7e7}.verdict.error{background:#fff3d6}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #e5e5e5;vertical-align:top}
.rule{font-family:ui-monospace,monospace;white-space:nowrap}.num{text-align:right;white-space:nowrap;color:#666}
.badge{padding:.05rem .45rem;border-radius:4px;font-size:12px;white-space:nowrap}.badge.passed{background:#d5f2dc}.badge.failed{background:#f9cccc}
.badge.unsupported,.badge.skipped{background:#eee}.badge.not-exercised{background:#ffe9c7}.badge.setup-error,.badge.harness-error{background:#ffe2a8}.badge.expected-failure{background:#e8dcf5}.failed-text{color:#b00020}
pre{white-space:pre-wrap;background:#f7f7f7;padding:.5rem;border-radius:4px;max-height:30rem;overflow:auto}small{color:#666;font-weight:normal}
</style></head><body>
<h1>plugin-conformance report</h1>
<div>plugin <b>${escapeHtml(input.pluginName)}</b> — ${escapeHtml(input.target)} — ${escapeHtml(input.generatedAt)}</div>
<div class="verdict ${status}"><b>${escapeHtml(input.verdict.summary)}</b> (exit code ${input.verdict.exitCode})<br>
${c.passed} passed, ${c.failed} failed, ${c['not-exercised']} not exercised, ${c.unsupported} not applicable, ${c.skipped} skipped${c['setup-error'] ? `, ${c['setup-error']} setup error(s)` : ''}${c['harness-error'] ? `, ${c['harness-error']} harness error(s)` : ''}${c['expected-failure'] ? `, ${c['expected-failure']} expected failure(s)` : ''}</div>
${notExercisedSection(input.outcomes)}
${[...groups].map(([group, outcomes]) => section(group, outcomes)).join('\n')}
</body></html>
`;
}

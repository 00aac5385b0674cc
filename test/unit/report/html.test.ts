import { describe, expect, it } from 'vitest';
import { escapeHtml, renderHtmlReport } from '../../../src/report/html.js';
import type { TestOutcome } from '../../../src/report/outcome.js';
import { countOutcomes, verdictOf } from '../../../src/report/verdict.js';

const outcome = (over: Partial<TestOutcome>): TestOutcome => ({ name: 'PLAN-010 x', ruleId: 'PLAN-010', level: 'MUST', file: 'f', state: 'passed', durationMs: 3, messages: [], ...over });

describe('HTML report', () => {
  it('escapes text that would otherwise become markup', () => {
    expect(escapeHtml('<b a="1">&</b>')).toBe('&lt;b a=&quot;1&quot;&gt;&amp;&lt;/b&gt;');
  });

  it('groups tests by rule group, shows the verdict and expands failures', () => {
    const outcomes = [
      outcome({}),
      outcome({ name: 'EXEC-001 <script>', ruleId: 'EXEC-001', state: 'failed', messages: ['EXEC-001: status <RUNNING>'] }),
      outcome({ name: 'PLAN-005 y', ruleId: 'PLAN-005', state: 'unsupported', messages: ['unsupported: deployment plugin'] }),
    ];
    const html = renderHtmlReport({ target: '/p', pluginName: 'p', verdict: verdictOf(outcomes), counts: countOutcomes(outcomes), outcomes, generatedAt: 'now' });
    expect(html).toContain('<h2>PLAN <small>2 test(s)</small></h2>');
    expect(html).toContain('<span class="failed-text">1 failed</span>');
    expect(html).toContain('does not conform: EXEC-001 failed');
    expect(html).toContain('<details open><summary>details</summary><pre>EXEC-001: status &lt;RUNNING&gt;</pre>');
    expect(html).not.toContain('<script>');
    expect(html).toContain('not applicable');
  });
});

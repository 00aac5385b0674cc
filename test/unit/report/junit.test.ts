import { describe, expect, it } from 'vitest';
import type { OutcomeState, TestOutcome } from '../../../src/report/outcome.js';
import { renderJunit, xmlText } from '../../../src/report/junit.js';

function outcome(name: string, state: OutcomeState, messages: string[] = [], file = 'suites/a.test.ts'): TestOutcome {
  return { name, ruleId: name.slice(0, 8), level: 'MUST', file, state, durationMs: 1500, messages };
}

describe('renderJunit', () => {
  const xml = renderJunit([
    outcome('PLAN-010 a', 'passed'),
    outcome('PLAN-011 b', 'failed', ['PLAN-011: duplicate index 2\n  evidence: {}']),
    outcome('EXEC-015 c', 'not-exercised', ["stage X refused `{}` with INTERNAL 'approvers must be set'; give an example"], 'suites/b.test.ts'),
    outcome('LIVE-001 d', 'unsupported', ['the plugin does not serve LivestateService'], 'suites/b.test.ts'),
    outcome('PROC-001 e', 'setup-error', ['the plugin did not start']),
  ]);

  it('counts per suite file and in total', () => {
    expect(xml).toContain('<testsuites name="plugin-conformance" tests="5" failures="1" errors="1" skipped="2" time="7.500">');
    expect(xml).toContain('<testsuite name="suites/a.test.ts" tests="3" failures="1" errors="1" skipped="0"');
    expect(xml).toContain('<testsuite name="suites/b.test.ts" tests="2" failures="0" errors="0" skipped="2"');
  });

  it('keeps the reason of a rule not exercised or not applicable in <skipped message>', () => {
    expect(xml).toContain(`<skipped message="not exercised: stage X refused \`{}\` with INTERNAL &apos;approvers must be set&apos;; give an example"/>`);
    expect(xml).toContain('<skipped message="does not apply: the plugin does not serve LivestateService"/>');
  });

  it('writes failures with the first line as message and setup errors as <error>', () => {
    expect(xml).toContain('<failure message="PLAN-011: duplicate index 2" type="RuleViolation">PLAN-011: duplicate index 2\n  evidence: {}</failure>');
    expect(xml).toContain('<error message="the plugin did not start" type="SetupError">');
    expect(xml).toContain('<testcase classname="suites/a.test.ts" name="PLAN-010 a" time="1.500"/>');
  });
});

describe('xmlText', () => {
  it('escapes markup and drops characters XML 1.0 cannot carry (plugin output may hold any byte)', () => {
    expect(xmlText('<a href="x">&\'</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;');
    expect(xmlText('bell\u0007 esc\u001b[31m ok\ttab\nline')).toBe('bell esc[31m ok\ttab\nline');
  });
});

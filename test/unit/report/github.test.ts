// The GitHub Action's summary, outputs and annotations (src/report/github.ts), from results.json objects.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import {
  countsByGroupAndLevel, escapeData, escapeProperty, githubReport, githubSummaryCommand, parseGithubSummaryCli, replayCommand, verdictWord,
} from '../../../src/report/github.js';

const outcome = (ruleId: string, level: string, state: string, more: Record<string, unknown> = {}) => ({
  name: `${ruleId} test of ${ruleId}`, ruleId, level, file: 'dist/suites/x.test.js', state, durationMs: 1, messages: state === 'passed' ? [] : [`${ruleId}: went wrong\n    evidence: {"a":1}`], gating: level === 'MUST', edition: 1, ...more,
});

function results(outcomes: any[], verdict = { exitCode: 1, summary: 'does not conform: PLAN-010 failed', release: false }) {
  const counts: Record<string, number> = { passed: 0, failed: 0, 'not-exercised': 0, unsupported: 0, skipped: 0, 'setup-error': 0, 'harness-error': 0 };
  for (const o of outcomes) counts[o.state] += 1;
  return {
    schemaVersion: 1,
    tool: 'plugin-conformance',
    provenance: {
      harness: { name: 'plugin-conformance', version: '0.1.0' },
      catalogueEdition: 2,
      seed: 42,
      options: { target: './bin/my plugin', configFile: 'conf.yaml', apps: ['examples/canary'], tools: [{ name: 'helm', version: '3.14.0', path: '/usr/bin/helm' }], rulesEdition: 1 },
    },
    target: './bin/my plugin',
    pluginName: 'my-plugin',
    seed: 42,
    verdict,
    counts,
    outcomes,
  };
}

const SAMPLE = results([
  outcome('PLAN-010', 'MUST', 'failed'),
  outcome('PLAN-010', 'MUST', 'passed'),
  outcome('PLAN-013', 'SHOULD', 'failed', { gating: false }),
  outcome('EXEC-010', 'MUST', 'failed', { gating: false, edition: 2 }),
  outcome('LIVE-001', 'MUST', 'unsupported'),
  { name: 'odd test', file: 'f', state: 'harness-error', durationMs: 0, messages: ['this is a bug in plugin-conformance'], gating: true },
]);

describe('verdictWord', () => {
  it('one word per verdict, from the exit code and counts', () => {
    expect(verdictWord({ counts: {} }, 0)).toBe('conforms');
    expect(verdictWord({ counts: {} }, 1)).toBe('fails');
    expect(verdictWord({ counts: {} }, 130)).toBe('interrupted');
    expect(verdictWord({ counts: { 'harness-error': 1 } }, 2)).toBe('harness-error');
    expect(verdictWord({ counts: { 'setup-error': 1 } }, 2)).toBe('setup-error');
    expect(verdictWord({ counts: { passed: 0, failed: 0 } }, 2)).toBe('nothing-ran');
    expect(verdictWord({ counts: { passed: 3, 'not-exercised': 1 } }, 2)).toBe('incomplete');
  });
});

describe('workflow command escaping', () => {
  it('escapes %, CR and LF in messages, and also : and , in properties', () => {
    expect(escapeData('50% done\r\nnext: a, b')).toBe('50%25 done%0D%0Anext: a, b');
    expect(escapeProperty('PLAN-010: a, b')).toBe('PLAN-010%3A a%2C b');
  });
});

describe('replayCommand', () => {
  it('reaches the same plugin the same way, one rule, same seed, quoted for a shell', () => {
    expect(replayCommand(SAMPLE, 'PLAN-010')).toBe(
      "npx plugin-conformance './bin/my plugin' --config conf.yaml --app examples/canary --tool helm@3.14.0=/usr/bin/helm --only PLAN-010 --seed 42",
    );
    expect(replayCommand({ provenance: { options: { container: 'me/p:1', pull: true }, seed: 1 } }, 'EXEC-001')).toBe('npx plugin-conformance --container me/p:1 --pull --only EXEC-001 --seed 1');
  });
});

describe('countsByGroupAndLevel', () => {
  it('one row per (group, level) in first-seen group order, MUST before SHOULD; columns only for states that occur', () => {
    const table = countsByGroupAndLevel(SAMPLE.outcomes);
    expect(table.columns).toEqual(['passed', 'failed', 'unsupported', 'harness-error']);
    expect(table.rows.map((r) => [r.group, r.level, r.counts])).toEqual([
      ['PLAN', 'MUST', { failed: 1, passed: 1 }],
      ['PLAN', 'SHOULD', { failed: 1 }],
      ['EXEC', 'MUST', { failed: 1 }],
      ['LIVE', 'MUST', { unsupported: 1 }],
      ['(no rule)', '?', { 'harness-error': 1 }],
    ]);
  });
});

describe('githubReport', () => {
  const report = githubReport(SAMPLE);

  it('outputs verdict, exit-code and release', () => {
    expect(report.outputs).toEqual({ verdict: 'fails', 'exit-code': '1', release: 'false' });
    expect(githubReport(SAMPLE, { exitCode: 2 }).outputs['exit-code']).toBe('2');
  });

  it('the summary: headline, verdict sentence, facts, the counts table, gating failures with replay commands, then warnings', () => {
    const md = report.markdown;
    expect(md).toMatch(/^## plugin-conformance: ❌ does not conform\n\n\*\*does not conform: PLAN-010 failed\*\*\n/);
    expect(md).toContain('plugin `my-plugin` (./bin/my plugin) · harness 0.1.0 · rules edition 1 of 2 · seed 42 · exit code 1 · release verdict: no');
    expect(md).toContain('| group | level | passed | failed | unsupported | harness-error |');
    expect(md).toContain('| PLAN | MUST | 1 | 1 | 0 | 0 |');
    const failures = md.indexOf('### Failures');
    const warnings = md.indexOf('### Warnings');
    expect(failures).toBeGreaterThan(0);
    expect(warnings).toBeGreaterThan(failures);
    const gating = md.slice(failures, warnings);
    expect(gating).toContain('#### PLAN-010 [MUST]');
    expect(gating).toContain('```text\nPLAN-010: went wrong\n    evidence: {"a":1}\n```');
    expect(gating).toContain('Replay: `npx plugin-conformance');
    expect(gating).toContain('--only PLAN-010 --seed 42`');
    expect(gating).toContain('#### odd test [?] (harness-error)');
    const advisory = md.slice(warnings);
    expect(advisory).toContain('#### PLAN-013 [SHOULD]');
    expect(advisory).toContain('#### EXEC-010 [MUST, gating from rules edition 2]');
  });

  it('annotations: ::error for each gating failure, ::warning for the others, titled by rule', () => {
    expect(report.annotations.map((a) => a.split('::').slice(0, 2).join('::'))).toEqual([
      '::error title=PLAN-010',
      '::error title=odd test harness-error',
      '::warning title=PLAN-013',
      '::warning title=EXEC-010',
    ]);
    expect(report.annotations[0]).toBe('::error title=PLAN-010::PLAN-010 test of PLAN-010%0APLAN-010: went wrong%0A    evidence: {"a":1}');
  });

  it('a clean run says so and annotates nothing', () => {
    const clean = githubReport(results([outcome('PLAN-010', 'MUST', 'passed')], { exitCode: 0, summary: 'conforms: every selected rule passed', release: true }));
    expect(clean.outputs).toEqual({ verdict: 'conforms', 'exit-code': '0', release: 'true' });
    expect(clean.markdown).toContain('## plugin-conformance: ✅ conforms');
    expect(clean.markdown).toContain('No rule failed.');
    expect(clean.annotations).toEqual([]);
  });

  it('no results.json: says the harness exited early, outputs no-results with its exit code', () => {
    const none = githubReport(undefined, { exitCode: 2, source: 'reports/results.json' });
    expect(none.outputs).toEqual({ verdict: 'no-results', 'exit-code': '2', release: 'false' });
    expect(none.markdown).toContain('The harness exited with code 2 before it wrote reports/results.json');
    expect(none.annotations).toEqual(['::error title=plugin-conformance::no results: the harness exited with code 2 before writing reports/results.json; see the step log']);
  });
});

describe('githubSummaryCommand', () => {
  it('appends the summary and outputs to the files Actions names, prints the annotations', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pc-gh-'));
    const file = path.join(dir, 'results.json');
    writeFileSync(file, JSON.stringify(SAMPLE));
    const env = { GITHUB_STEP_SUMMARY: path.join(dir, 'summary.md'), GITHUB_OUTPUT: path.join(dir, 'output') };
    writeFileSync(env.GITHUB_OUTPUT, 'earlier=1\n');
    const printed: string[] = [];
    expect(githubSummaryCommand({ resultsFile: file, exitCode: 1 }, env, (t) => printed.push(t))).toBe(0);
    expect(readFileSync(env.GITHUB_STEP_SUMMARY, 'utf8')).toContain('## plugin-conformance: ❌ does not conform');
    expect(readFileSync(env.GITHUB_OUTPUT, 'utf8')).toBe('earlier=1\nverdict=fails\nexit-code=1\nrelease=false\n');
    expect(printed.join('')).toMatch(/^::error title=PLAN-010::/);
  });

  it('without $GITHUB_STEP_SUMMARY the summary goes to stdout', () => {
    const printed: string[] = [];
    githubSummaryCommand({ resultsFile: '/no/such/results.json', exitCode: 2 }, {}, (t) => printed.push(t));
    expect(printed[0]).toContain('## plugin-conformance: 🛑 no results');
  });

  it('parses its arguments', () => {
    expect(parseGithubSummaryCli([])).toEqual({ resultsFile: path.join('reports', 'results.json') });
    expect(parseGithubSummaryCli(['out/results.json', '--exit-code', '1'])).toEqual({ resultsFile: 'out/results.json', exitCode: 1 });
    expect(parseGithubSummaryCli(['--exit-code', ''])).toEqual({ resultsFile: path.join('reports', 'results.json') });
    expect(() => parseGithubSummaryCli(['--exit-code', 'x'])).toThrow(UsageError);
    expect(() => parseGithubSummaryCli(['a', 'b'])).toThrow(/takes one results.json/);
  });
});

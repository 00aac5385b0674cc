// Baselines (src/report/baseline.ts): parsing with file:line errors, applying to outcomes (expected failures, stale
// entries), --update-baseline, the verdict and reports that follow, the JSON Schema, and stable test names.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { HELP, parseCli, replayCommandLine } from '../../../src/cli.js';
import { rules } from '../../../src/contract/rules.js';
import { PLACEHOLDER_CHECKOUT } from '../../../src/generate/arbitraries.js';
import { invalidRequestCases } from '../../../src/generate/invalid.js';
import { PROPERTIES, propertyTestName } from '../../../src/generate/properties.js';
import { freshIds } from '../../../src/generate/requests.js';
import { loadProtocol } from '../../../src/protocol/load.js';
import {
  applyBaseline, compareSemver, formatBaselineResult, formatBaselineUpdate, parseBaseline, planBaselineUpdate, renderBaselineUpdate, type Baseline,
} from '../../../src/report/baseline.js';
import { renderHtmlReport } from '../../../src/report/html.js';
import { renderJunit } from '../../../src/report/junit.js';
import type { OutcomeState, TestOutcome } from '../../../src/report/outcome.js';
import { closingLine, countOutcomes, verdictOf } from '../../../src/report/verdict.js';
import type { RunOptions } from '../../../src/run.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const RULE_IDS = new Set(['EXEC-001', 'EXEC-002', 'EXEC-017', 'PLAN-010', 'SVC-004']);
const TODAY = { today: '2030-06-15' };

function outcome(name: string, state: OutcomeState, messages: string[] = [], level: 'MUST' | 'SHOULD' = 'MUST'): TestOutcome {
  return { name, ruleId: /^[A-Z]+-\d{3}/.exec(name)?.[0], level, file: 'suites/x.test.js', state, durationMs: 10, messages };
}

const parse = (text: string, pluginVersion?: string) => parseBaseline(text, 'known.yaml', { ruleIds: RULE_IDS, pluginVersion });
const errorOf = (text: string, pluginVersion?: string) => {
  try {
    parse(text, pluginVersion);
  } catch (error) {
    expect((error as Error).name).toBe('UsageError');
    return (error as Error).message;
  }
  throw new Error('parsed without an error');
};

describe('parseBaseline', () => {
  it('reads rule, wildcard and test-name entries with reason, expect and until, and where each is', () => {
    const baseline = parse(
      [
        '# known failures',
        'entries:',
        '  - rule: EXEC-001',
        '    reason: "empty status, #42"',
        '    expect: STAGE_NOT_STARTED_YET',
        '    until: 2030-12-31',
        '  - rule: EXEC-*',
        '    reason: executor rewrite',
        '  - test: "PLAN-010 non-rollback indexes equal the request indexes, one stage each"',
        '    reason: r',
        '    until: v1.4.0',
        '  - test: "CASE cases/approve.yaml: two approvers"',
        '    reason: scripted',
      ].join('\n'),
      '1.3.0',
    );
    expect(baseline.entries).toEqual([
      { kind: 'rule', key: 'EXEC-001', reason: 'empty status, #42', expect: 'STAGE_NOT_STARTED_YET', until: '2030-12-31', line: 3, index: 0 },
      { kind: 'group', key: 'EXEC-*', reason: 'executor rewrite', line: 7, index: 1 },
      { kind: 'test', key: 'PLAN-010 non-rollback indexes equal the request indexes, one stage each', reason: 'r', until: 'v1.4.0', line: 9, index: 2 },
      { kind: 'test', key: 'CASE cases/approve.yaml: two approvers', reason: 'scripted', line: 12, index: 3 },
    ]);
  });

  it('an empty file, or entries: with nothing, is an empty baseline', () => {
    expect(parse('').entries).toEqual([]);
    expect(parse('# nothing yet\n').entries).toEqual([]);
    expect(parse('entries:\n').entries).toEqual([]);
    expect(parse('entries: []\n').entries).toEqual([]);
  });

  it.each([
    ['bad YAML', 'entries:\n  - rule: EXEC-001\n    reason: ticket: 42\n', /^known\.yaml:3: not valid YAML: Nested mappings are not allowed/],
    ['not a mapping', '- rule: EXEC-001\n', /^known\.yaml:1: a baseline is a mapping with one key, entries:/],
    ['unknown top-level key', 'entries: []\nversion: 2\n', /^known\.yaml:2: unknown key "version"; a baseline has only entries:/],
    ['unknown entry key', 'entries:\n  - rule: EXEC-001\n    reason: r\n    until_version: 1.0.0\n', /^known\.yaml:4: entry 1: unknown key "until_version"; an entry takes rule, test, reason, expect, until/],
    ['missing reason', 'entries:\n  - rule: EXEC-001\n  - rule: EXEC-002\n', /^known\.yaml:2: entry 1: missing reason; add reason: </],
    ['empty reason', 'entries:\n  - rule: EXEC-001\n    reason: "  "\n', /^known\.yaml:3: entry 1: reason must be a non-empty text/],
    ['bad date', 'entries:\n  - rule: EXEC-001\n    reason: r\n    until: 2030-02-30\n', /^known\.yaml:4: entry 1: until: 2030-02-30 is not a calendar date; write YYYY-MM-DD/],
    ['neither date nor version', 'entries:\n  - rule: EXEC-001\n    reason: r\n    until: next week\n', /^known\.yaml:4: entry 1: until: "next week" is neither a date YYYY-MM-DD nor a plugin version/],
    ['a version YAML reads as a number', 'entries:\n  - rule: EXEC-001\n    reason: r\n    until: 1.4\n', /^known\.yaml:4: entry 1: until must be a non-empty text \(YAML read 1\.4; quote it\)/],
    ['a version without --plugin-version', 'entries:\n  - rule: EXEC-001\n    reason: r\n    until: 1.4.0\n', /^known\.yaml:4: entry 1: until: 1\.4\.0 is a plugin version; pass the version under test with --plugin-version V/],
    ['unknown rule ID', 'entries:\n  - rule: EXEC-099\n    reason: r\n', /^known\.yaml:2: entry 1: unknown rule ID EXEC-099; see `plugin-conformance rules`/],
    ['not a rule ID', 'entries:\n  - rule: exec-001\n    reason: r\n', /^known\.yaml:2: entry 1: "exec-001" is not a rule ID like EXEC-001/],
    ['wildcard *', 'entries:\n  - rule: "*"\n    reason: r\n', /^known\.yaml:2: entry 1: malformed wildcard "\*"; a wildcard covers one whole rule group, written GROUP-\* \(e\.g\. EXEC-\*\)/],
    ['wildcard E*', 'entries:\n  - rule: E*\n    reason: r\n', /^known\.yaml:2: entry 1: malformed wildcard "E\*"/],
    ['wildcard inside a group', 'entries:\n  - rule: EXEC-0*\n    reason: r\n', /^known\.yaml:2: entry 1: malformed wildcard "EXEC-0\*"/],
    ['unknown group', 'entries:\n  - rule: FOO-*\n    reason: r\n', /^known\.yaml:2: entry 1: unknown rule group FOO; groups are EXEC, PLAN, SVC/],
    ['test name with an unknown rule', 'entries:\n  - test: "EXEC-099 something"\n    reason: r\n', /^known\.yaml:2: entry 1: unknown rule ID EXEC-099 in the test name/],
    ['test name without a rule ID', 'entries:\n  - test: "every OK answer"\n    reason: r\n', /^known\.yaml:2: entry 1: a test name starts with its rule ID/],
    ['rule and test', 'entries:\n  - rule: EXEC-001\n    test: "EXEC-001 x"\n    reason: r\n', /^known\.yaml:2: entry 1: give exactly one of rule: .* and test:/],
    ['duplicate entry', 'entries:\n  - rule: EXEC-001\n    reason: a\n  - rule: EXEC-001\n    reason: b\n', /^known\.yaml:4: entry 2: a second entry for EXEC-001 \(the first is at line 2\); merge them/],
  ])('%s is an error naming file:line and the fix', (_what, text, message) => {
    expect(errorOf(text)).toMatch(message);
  });

  it('a version until is fine with --plugin-version', () => {
    expect(parse('entries:\n  - rule: EXEC-001\n    reason: r\n    until: 1.4.0\n', '1.3.9').entries[0].until).toBe('1.4.0');
  });
});

describe('compareSemver', () => {
  it('orders versions as semver.org §11 does (pre-releases before the release, numeric identifiers numerically)', () => {
    const ordered = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.2.0', '1.10.0', '2.0.0'];
    for (let i = 0; i < ordered.length - 1; i += 1) {
      expect(compareSemver(ordered[i], ordered[i + 1]), `${ordered[i]} < ${ordered[i + 1]}`).toBe(-1);
      expect(compareSemver(ordered[i + 1], ordered[i])).toBe(1);
    }
    expect(compareSemver('v1.2.3', '1.2.3+build.7')).toBe(0);
  });
});

describe('applyBaseline', () => {
  const baselineOf = (text: string, pluginVersion?: string): Baseline => parse(text, pluginVersion);
  const failedExec = [
    outcome('EXEC-001 every OK answer has a final status', 'failed', ['EXEC-001: got STAGE_NOT_STARTED_YET']),
    outcome('EXEC-001 property: OK answers carry a final status', 'failed', ['EXEC-001: got STAGE_NOT_STARTED_YET\n\nseed 12']),
    outcome('PLAN-010 non-rollback indexes', 'passed'),
  ];

  it('turns the failures an entry covers into expected failures with its reason; the run passes, not as a release', () => {
    const result = applyBaseline(failedExec, baselineOf('entries:\n  - rule: EXEC-001\n    reason: "#42"\n    expect: STAGE_NOT_STARTED_YET\n'), TODAY);
    expect(result.outcomes.map((o) => o.state)).toEqual(['expected-failure', 'expected-failure', 'passed']);
    expect(result.outcomes[0].baseline).toEqual({ entry: 'EXEC-001', reason: '#42' });
    expect(result.outcomes[0].messages).toEqual(failedExec[0].messages);
    expect(result.matched).toEqual([{ entry: 'EXEC-001', line: 2, reason: '#42', tests: [failedExec[0].name, failedExec[1].name] }]);
    expect(result.stale).toEqual([]);
    const verdict = verdictOf(result.outcomes, { staleBaseline: result.stale });
    expect(verdict.exitCode).toBe(0);
    expect(verdict.release).toBe(false);
    expect(verdict.summary).toBe('conforms except for failures the baseline expects: EXEC-001; not a release verdict: MUST rule(s) failed, excused by the baseline: EXEC-001');
    expect(closingLine(countOutcomes(result.outcomes))).toBe('1 passed, 0 failed, 0 skipped, 2 expected failures');
  });

  it('a baselined SHOULD failure keeps the release verdict', () => {
    const outcomes = [outcome('SVC-004 log indexes', 'failed', ['x'], 'SHOULD'), outcome('PLAN-010 a', 'passed')];
    const result = applyBaseline(outcomes, baselineOf('entries:\n  - rule: SVC-004\n    reason: r\n'), TODAY);
    expect(verdictOf(result.outcomes, { strict: true, staleBaseline: result.stale })).toMatchObject({ exitCode: 0, release: true });
    expect(closingLine(countOutcomes(result.outcomes))).toBe('1 passed, 0 failed, 0 skipped, 1 expected failure');
  });

  it('the most specific entry gives the reason: test name, then rule, then group', () => {
    const text = ['entries:', '  - rule: EXEC-*', '    reason: group', '  - test: "EXEC-001 every OK answer has a final status"', '    reason: test', '  - rule: EXEC-001', '    reason: rule'].join('\n');
    const result = applyBaseline(failedExec, baselineOf(text), TODAY);
    expect(result.outcomes.map((o) => o.baseline?.reason)).toEqual(['test', 'rule', undefined]);
    expect(result.matched.map((m) => m.entry)).toEqual(['EXEC-*', 'EXEC-001 every OK answer has a final status', 'EXEC-001']);
  });

  it('an expect that is not in the message is stale, and the changed failure stays a failure', () => {
    const result = applyBaseline(failedExec, baselineOf('entries:\n  - rule: EXEC-001\n    reason: r\n    expect: STAGE_RUNNING\n'), TODAY);
    expect(result.outcomes.map((o) => o.state)).toEqual(['failed', 'failed', 'passed']);
    expect(result.stale).toEqual([
      { entry: 'EXEC-001', line: 2, kind: 'expect', why: 'expect "STAGE_RUNNING" is not in the failure message of "EXEC-001 every OK answer has a final status" (EXEC-001: got STAGE_NOT_STARTED_YET): the failure changed' },
    ]);
    const verdict = verdictOf(result.outcomes, { staleBaseline: result.stale });
    expect(verdict.exitCode).toBe(1);
    expect(verdict.summary).toContain('stale baseline entries: EXEC-001 (expect "STAGE_RUNNING" is not in the failure message');
  });

  it('an entry whose tests now pass is stale: exit 1, the summary names it and why', () => {
    const outcomes = [outcome('EXEC-001 a', 'passed'), outcome('EXEC-001 b', 'passed'), outcome('PLAN-010 c', 'failed', ['x'])];
    const text = 'entries:\n  - rule: EXEC-001\n    reason: r\n  - test: "PLAN-010 c"\n    reason: r\n';
    const result = applyBaseline(outcomes, baselineOf(text), TODAY);
    expect(result.stale).toEqual([{ entry: 'EXEC-001', line: 2, kind: 'passes', why: 'now passes: every test of EXEC-001 that ran passed' }]);
    const verdict = verdictOf(result.outcomes, { staleBaseline: result.stale });
    expect(verdict).toMatchObject({ exitCode: 1, release: false });
    expect(verdict.summary).toBe('baseline is stale: EXEC-001 (now passes: every test of EXEC-001 that ran passed); fix the failures or the entries (--update-baseline --reason TEXT prunes entries that now pass); failing as the baseline expects: PLAN-010');
    expect(formatBaselineResult(result, 'known.yaml')).toContain('  ! known.yaml:2 EXEC-001');
  });

  it('a rule that still fails once and passes once stays matched', () => {
    const outcomes = [outcome('EXEC-001 a', 'passed'), outcome('EXEC-001 b', 'failed', ['x'])];
    const result = applyBaseline(outcomes, baselineOf('entries:\n  - rule: EXEC-001\n    reason: r\n'), TODAY);
    expect(result.stale).toEqual([]);
    expect(result.outcomes.map((o) => o.state)).toEqual(['passed', 'expected-failure']);
  });

  it('past until (a date, or a version below --plugin-version) is stale and excuses nothing', () => {
    const dated = (until: string) => applyBaseline(failedExec, baselineOf(`entries:\n  - rule: EXEC-001\n    reason: r\n    until: ${until}\n`), TODAY);
    expect(dated('2030-06-15').stale).toEqual([]);
    const expired = dated('2030-06-14');
    expect(expired.stale).toEqual([{ entry: 'EXEC-001', line: 2, kind: 'expired', why: 'past until 2030-06-14 (today is 2030-06-15)' }]);
    expect(expired.outcomes.map((o) => o.state)).toEqual(['failed', 'failed', 'passed']);
    const versioned = (version: string) => applyBaseline(failedExec, baselineOf('entries:\n  - rule: EXEC-001\n    reason: r\n    until: 1.4.0\n', version), { ...TODAY, pluginVersion: version }).stale;
    expect(versioned('1.4.0')).toEqual([]);
    expect(versioned('1.4.0-rc.2')).toEqual([]);
    expect(versioned('1.4.1')).toEqual([{ entry: 'EXEC-001', line: 2, kind: 'expired', why: 'past until 1.4.0 (plugin version 1.4.1)' }]);
  });

  it('entries whose tests did not run are neither matched nor stale; names no test has are stale', () => {
    const outcomes = [outcome('EXEC-001 a', 'skipped', ['not selected']), outcome('EXEC-002 b', 'unsupported', ['n/a']), outcome('PLAN-010 c', 'passed')];
    const text = 'entries:\n  - rule: EXEC-001\n    reason: r\n  - rule: EXEC-002\n    reason: r\n  - test: "PLAN-010 renamed"\n    reason: r\n  - rule: EXEC-017\n    reason: r\n';
    const result = applyBaseline(outcomes, baselineOf(text), TODAY);
    expect(result.unjudged).toEqual([{ entry: 'EXEC-001', line: 2 }, { entry: 'EXEC-002', line: 4 }]);
    expect(result.stale.map((s) => [s.entry, s.kind, s.why])).toEqual([
      ['PLAN-010 renamed', 'absent', 'no test of this run has this name (renamed or removed?)'],
      ['EXEC-017', 'absent', 'no test checks EXEC-017'],
    ]);
  });

  it('setup and harness errors are never excused', () => {
    const outcomes = [outcome('EXEC-001 a', 'setup-error', ['did not start'])];
    const result = applyBaseline(outcomes, baselineOf('entries:\n  - rule: EXEC-001\n    reason: r\n'), TODAY);
    expect(result.outcomes[0].state).toBe('setup-error');
    expect(verdictOf(result.outcomes, { staleBaseline: result.stale }).exitCode).toBe(2);
  });

  it('a run with only expected failures did run something', () => {
    const result = applyBaseline([failedExec[0]], baselineOf('entries:\n  - rule: EXEC-001\n    reason: r\n'), TODAY);
    expect(verdictOf(result.outcomes).summary).not.toMatch(/nothing ran/);
  });
});

describe('reports of expected failures', () => {
  const outcomes: TestOutcome[] = [
    { ...outcome('EXEC-001 a', 'expected-failure', ['EXEC-001: got <nothing>']), baseline: { entry: 'EXEC-001', reason: 'fix in "v2"' } },
    outcome('PLAN-010 b', 'passed'),
  ];

  it('JUnit: <skipped message="expected failure: <reason>"> with the failure as its text, counted as skipped', () => {
    const xml = renderJunit(outcomes);
    expect(xml).toContain('<skipped message="expected failure: fix in &quot;v2&quot;">EXEC-001: got &lt;nothing&gt;</skipped>');
    expect(xml).toContain('tests="2" failures="0" errors="0" skipped="1"');
  });

  it('HTML: an expected-failure badge, the reason before the failure, and the count', () => {
    const html = renderHtmlReport({ target: '/p', pluginName: 'p', verdict: verdictOf(outcomes), counts: countOutcomes(outcomes), outcomes, generatedAt: 'now' });
    expect(html).toContain('<span class="badge expected-failure">expected failure</span>');
    expect(html).toContain('expected failure (baseline entry EXEC-001): fix in &quot;v2&quot;\n\nEXEC-001: got &lt;nothing&gt;');
    expect(html).toContain(', 1 expected failure(s)</div>');
  });
});

describe('--update-baseline', () => {
  const header = '# our known failures\nentries:\n';

  it('adds new failures by rule when all its tests failed, else by test name, with the given reason', () => {
    const outcomes = [
      outcome('EXEC-001 a', 'failed', ['x']),
      outcome('EXEC-001 b', 'failed', ['y']),
      outcome('PLAN-010 c', 'failed', ['z']),
      outcome('PLAN-010 d', 'passed'),
      outcome('EXEC-002 e', 'passed'),
    ];
    const update = planBaselineUpdate(outcomes, parse(''), TODAY, 'ticket 7');
    expect(update.added).toEqual([
      { kind: 'rule', key: 'EXEC-001', reason: 'ticket 7' },
      { kind: 'test', key: 'PLAN-010 c', reason: 'ticket 7' },
    ]);
    const text = renderBaselineUpdate(undefined, update);
    expect(text).toMatch(/^# plugin-conformance baseline/);
    expect(parse(text).entries.map((e) => [e.kind, e.key, e.reason])).toEqual([['rule', 'EXEC-001', 'ticket 7'], ['test', 'PLAN-010 c', 'ticket 7']]);
    // The run after the update is green.
    const after = applyBaseline(outcomes, parse(text), TODAY);
    expect(after.stale).toEqual([]);
    expect(verdictOf(after.outcomes, { staleBaseline: after.stale }).exitCode).toBe(0);
  });

  it('removes entries that now pass or name no test, replaces changed failures, keeps the rest and the comments', () => {
    const text = [
      header.trimEnd(),
      '  - rule: EXEC-001 # the executor',
      '    reason: kept reason',
      '  - rule: EXEC-002',
      '    reason: fixed since',
      '  - test: "PLAN-010 c"',
      '    reason: old failure',
      '    expect: index 3',
      '  - test: "PLAN-010 gone"',
      '    reason: renamed',
      '  - rule: SVC-004',
      '    reason: until passed',
      '    until: 2030-01-01',
      '',
    ].join('\n');
    const outcomes = [
      outcome('EXEC-001 a', 'failed', ['x']),
      outcome('EXEC-002 b', 'passed'),
      outcome('PLAN-010 c', 'failed', ['index 4']),
      outcome('PLAN-010 d', 'passed'),
      outcome('SVC-004 e', 'failed', ['y'], 'SHOULD'),
    ];
    const baseline = parse(text);
    const update = planBaselineUpdate(outcomes, baseline, TODAY, 'new');
    expect(update.removed.map((r) => r.entry.key)).toEqual(['EXEC-002', 'PLAN-010 c', 'PLAN-010 gone']);
    expect(update.kept.map((k) => [k.entry.key, k.why])).toEqual([['SVC-004', 'past until 2030-01-01 (today is 2030-06-15)']]);
    expect(update.added).toEqual([{ kind: 'test', key: 'PLAN-010 c', reason: 'new' }]);
    const written = renderBaselineUpdate(text, update);
    expect(written).toContain('# our known failures');
    expect(written).toContain('- rule: EXEC-001 # the executor\n    reason: kept reason');
    expect(parse(written).entries.map((e) => [e.key, e.reason])).toEqual([['EXEC-001', 'kept reason'], ['SVC-004', 'until passed'], ['PLAN-010 c', 'new']]);
    const lines = formatBaselineUpdate(update, 'known.yaml').join('\n');
    expect(lines).toContain('baseline known.yaml updated: 1 added, 3 removed');
    expect(lines).toContain('  - EXEC-002 (line 5): now passes: every test of EXEC-002 that ran passed');
    expect(lines).toContain('  ! kept SVC-004 (line 12), still stale: past until 2030-01-01');
  });

  it('leaves entries of tests that did not run alone, and an empty update says unchanged', () => {
    const text = `${header}  - rule: EXEC-001\n    reason: r\n`;
    const update = planBaselineUpdate([outcome('EXEC-001 a', 'skipped'), outcome('PLAN-010 b', 'passed')], parse(text), TODAY, 'x');
    expect(update).toEqual({ added: [], removed: [], kept: [], unlisted: [] });
    expect(renderBaselineUpdate(text, update)).toBe(text);
    expect(formatBaselineUpdate(update, 'known.yaml')[0]).toBe('\nbaseline known.yaml unchanged');
  });

  it('pruning every entry leaves a valid, empty baseline', () => {
    const text = `${header}  - rule: EXEC-001\n    reason: r\n`;
    const update = planBaselineUpdate([outcome('EXEC-001 a', 'passed')], parse(text), TODAY, 'x');
    const written = renderBaselineUpdate(text, update);
    expect(parse(written).entries).toEqual([]);
    expect(written).toContain('entries: []');
  });
});

describe('baseline flags', () => {
  const cli = (...args: string[]) => parseCli(['fixtures/plugins/reference', ...args]) as RunOptions;
  const usage = (...args: string[]) => {
    try {
      cli(...args);
    } catch (error) {
      expect((error as Error).name).toBe('UsageError');
      return (error as Error).message;
    }
    throw new Error('accepted');
  };

  it('--baseline FILE (absolute), --update-baseline --reason TEXT, --plugin-version V', () => {
    expect(cli().baseline).toBeUndefined();
    expect(cli('--baseline', 'known.yaml').baseline).toEqual({ file: path.resolve('known.yaml') });
    expect(cli('--baseline', 'known.yaml', '--update-baseline', '--reason', ' ticket 7 ', '--plugin-version', 'v1.4.0-rc.1').baseline).toEqual({
      file: path.resolve('known.yaml'),
      update: { reason: 'ticket 7' },
      pluginVersion: 'v1.4.0-rc.1',
    });
    expect(HELP).toContain('--update-baseline');
    expect(HELP).toContain(', N expected failures');
  });

  it('refuses --update-baseline without --baseline or --reason, --reason alone, and a version that is not semver', () => {
    expect(usage('--update-baseline', '--reason', 'x')).toBe('--update-baseline needs --baseline FILE: the file to write or prune');
    expect(usage('--baseline', 'b.yaml', '--update-baseline')).toMatch(/^--update-baseline needs --reason TEXT/);
    expect(usage('--baseline', 'b.yaml', '--reason', 'x')).toMatch(/^--reason goes with --update-baseline/);
    expect(usage('--baseline', 'b.yaml', '--plugin-version', '1.4')).toBe('--plugin-version takes a semantic version like 1.4.0, got "1.4"');
  });

  it('a printed replay command leaves the baseline flags out (a replay shows the raw result)', () => {
    const tokens = [
      { kind: 'positional', value: 'p', index: 0 },
      { kind: 'option', name: 'baseline', rawName: '--baseline', value: 'b.yaml', index: 1, inlineValue: false },
      { kind: 'option', name: 'plugin-version', rawName: '--plugin-version', value: '1.0.0', index: 3, inlineValue: false },
      { kind: 'option', name: 'strict', rawName: '--strict', value: undefined, index: 5, inlineValue: undefined },
    ] as Parameters<typeof replayCommandLine>[0];
    expect(replayCommandLine(tokens)).toEqual(['p', '--strict']);
  });
});

// ---- the JSON Schema --------------------------------------------------------------------------------------------

type Schema = Record<string, any>;

/**
 * A tiny JSON Schema validator for the keywords schemas/baseline.schema.json uses (no JSON Schema library is
 * installed and none is added): type, properties, additionalProperties: false, required, items, pattern, oneOf,
 * anyOf, local $ref. Returns the problems (empty: valid).
 */
function validate(schema: Schema, value: unknown, root: Schema = schema, at = '$'): string[] {
  if (schema.$ref) return validate(root.$defs[schema.$ref.replace('#/$defs/', '')], value, root, at);
  const problems: string[] = [];
  const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' && Number.isInteger(v) ? 'integer' : typeof v);
  if (schema.type) {
    const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
    const actual = typeOf(value);
    if (!types.includes(actual) && !(actual === 'integer' && types.includes('number'))) return [`${at}: ${actual} is not ${types.join('|')}`];
  }
  if (typeof value === 'string' && schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) problems.push(`${at}: does not match ${schema.pattern}`);
  if (Array.isArray(value) && schema.items) value.forEach((item, i) => problems.push(...validate(schema.items, item, root, `${at}[${i}]`)));
  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in object)) problems.push(`${at}: ${key} is required`);
    for (const [key, item] of Object.entries(object)) {
      if (schema.properties?.[key]) problems.push(...validate(schema.properties[key], item, root, `${at}.${key}`));
      else if (schema.additionalProperties === false) problems.push(`${at}: ${key} is not allowed`);
    }
  }
  if (schema.oneOf && schema.oneOf.filter((s: Schema) => validate(s, value, root, at).length === 0).length !== 1) problems.push(`${at}: must match exactly one of oneOf`);
  if (schema.anyOf && !schema.anyOf.some((s: Schema) => validate(s, value, root, at).length === 0)) problems.push(`${at}: matches none of anyOf`);
  return problems;
}

describe('schemas/baseline.schema.json', () => {
  const schema = JSON.parse(readFileSync(path.join(ROOT, 'schemas', 'baseline.schema.json'), 'utf8')) as Schema;
  const catalogue = new Set(rules().map((r) => r.id));
  const accepts = (text: string) => {
    try {
      parseBaseline(text, 'example.yaml', { ruleIds: catalogue, pluginVersion: '1.0.0' });
      return true;
    } catch {
      return false;
    }
  };

  const VALID = [
    '',
    'entries: []',
    'entries:\n  - rule: EXEC-001\n    reason: "#42"\n    expect: STAGE_NOT_STARTED_YET\n    until: 2030-12-31',
    'entries:\n  - rule: EXEC-*\n    reason: rewrite\n    until: v1.4.0-rc.1',
    'entries:\n  - test: "PLAN-010 non-rollback indexes equal the request indexes, one stage each"\n    reason: r',
    'entries:\n  - test: "CASE cases/approve.yaml: two approvers"\n    reason: r',
  ];
  const INVALID = [
    'entries:\n  - rule: EXEC-001',
    'entries:\n  - rule: EXEC-001\n    reason: r\n    extra: 1',
    'entries:\n  - rule: EXEC-001\n    test: "EXEC-001 a"\n    reason: r',
    'entries:\n  - reason: r',
    'entries:\n  - rule: "*"\n    reason: r',
    'entries:\n  - rule: E*\n    reason: r',
    'entries:\n  - rule: EXEC-001\n    reason: r\n    until: 2030/12/31',
    'entries:\n  - rule: EXEC-001\n    reason: r\n    until: 2030-13-01',
    'entries:\n  - test: "every OK answer"\n    reason: r',
    'entries:\n  - rule: EXEC-001\n    reason: " "',
    'version: 1\nentries: []',
    'entries: {rule: EXEC-001}',
  ];

  it.each(VALID)('accepts the example baseline %j, as plugin-conformance does', (text) => {
    expect(validate(schema, parseYaml(text) ?? null)).toEqual([]);
    expect(accepts(text)).toBe(true);
  });

  it.each(INVALID)('refuses %j, as plugin-conformance does', (text) => {
    expect(validate(schema, parseYaml(text) ?? null)).not.toEqual([]);
    expect(accepts(text)).toBe(false);
  });

  it('accepts the README example, as plugin-conformance does', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const example = /## Baselines[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    expect(validate(schema, parseYaml(example!))).toEqual([]);
    expect(parseBaseline(example!, 'README.md', { ruleIds: catalogue, pluginVersion: '1.4.2' }).entries.map((e) => e.reason)).toEqual([
      'empty ExecuteStage answers, ticket #42',
      'polls every 200 ms, ticket #57; the fix ships in 1.5.0',
    ]);
  });

  it('accepts what --update-baseline writes', () => {
    const text = renderBaselineUpdate(undefined, { added: [{ kind: 'rule', key: 'EXEC-001', reason: 'r' }, { kind: 'test', key: 'PLAN-010 x: y', reason: 'r' }], removed: [], kept: [], unlisted: [] });
    expect(validate(schema, parseYaml(text))).toEqual([]);
  });
});

// ---- test names must be stable across runs and seeds (baseline entries name them) -----------------------------------

describe('test names a baseline can name', () => {
  it('API-003 generated names come from the descriptors, not from the ids, timestamps or seed of a run', () => {
    const root = loadProtocol().root;
    const names = (ids: { deploymentId: string; applicationId: string }) => invalidRequestCases(root, { pluginName: 'p', deployTargets: ['t'], checkout: PLACEHOLDER_CHECKOUT, ids }).flatMap((m) => [...m.cases.map((c) => c.label), ...m.underivable.map((u) => `${u.typeName}.${u.where} ${u.rule}`)]);
    const first = names(freshIds('api-003'));
    expect(first.length).toBeGreaterThan(50);
    expect(names(freshIds('api-003'))).toEqual(first);
    expect(names({ deploymentId: 'api-003', applicationId: 'api-003' })).toEqual(first);
  });

  it('property test names are the rule and a fixed title (no seed)', () => {
    for (const def of PROPERTIES) expect(propertyTestName(def)).toBe(`${def.rule} property: ${def.title}`);
    expect(PROPERTIES.map((def) => propertyTestName(def)).join('\n')).not.toMatch(/\d{5,}|seed/i);
  });
});

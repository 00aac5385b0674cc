import { describe, it, expect } from 'vitest';
import type { OutcomeState, TestOutcome } from '../../../src/report/outcome.js';
import { closingLine, countOutcomes, EXIT, verdictOf, type Counts } from '../../../src/report/verdict.js';

function outcome(name: string, state: OutcomeState): TestOutcome {
  const ruleId = /^[A-Z]+-\d{3}/.exec(name)?.[0];
  return { name, ...(ruleId ? { ruleId } : {}), file: 'suites/x.test.ts', state, durationMs: 1, messages: [] };
}

function counts(overrides: Partial<Counts> = {}): Counts {
  return { passed: 0, failed: 0, unsupported: 0, 'not-exercised': 0, skipped: 0, 'setup-error': 0, 'harness-error': 0, 'expected-failure': 0, ...overrides };
}

describe('verdictOf', () => {
  it('exits 0 when every selected test passed', () => {
    const verdict = verdictOf([outcome('PLAN-010 a', 'passed'), outcome('EXEC-001 b', 'passed')]);
    expect(verdict.exitCode).toBe(0);
    expect(verdict.exitCode).toBe(EXIT.conforms);
    expect(verdict.summary).toContain('conforms');
  });

  it('exits 0 when some passed and the rest were skipped or unsupported', () => {
    const verdict = verdictOf([outcome('PLAN-010 a', 'passed'), outcome('LIVE-001 b', 'unsupported'), outcome('EXEC-001 c', 'skipped')]);
    expect(verdict.exitCode).toBe(0);
  });

  it('exits 1 when any failed and names each failed rule once', () => {
    const verdict = verdictOf([
      outcome('PLAN-010 a', 'failed'),
      outcome('PLAN-010 b', 'failed'),
      outcome('EXEC-001 c', 'passed'),
      outcome('EXEC-004 d', 'failed'),
    ]);
    expect(verdict.exitCode).toBe(1);
    expect(verdict.summary).toBe('does not conform: PLAN-010, EXEC-004 failed');
    expect(verdict.summary).not.toContain('EXEC-001');
  });

  it('names a failed test without a rule ID by its name', () => {
    expect(verdictOf([outcome('odd test', 'failed')]).summary).toContain('odd test');
  });

  it('exits 2 when any setup-error occurred, even alongside failures', () => {
    const verdict = verdictOf([outcome('PROC-001 a', 'setup-error'), outcome('PLAN-010 b', 'failed'), outcome('EXEC-001 c', 'passed')]);
    expect(verdict.exitCode).toBe(2);
    expect(verdict.summary).toContain('setup error');
  });

  it('exits 2 when nothing passed or failed (all skipped/unsupported)', () => {
    const verdict = verdictOf([outcome('PLAN-010 a', 'skipped'), outcome('LIVE-001 b', 'unsupported')]);
    expect(verdict.exitCode).toBe(2);
    expect(verdict.summary).toContain('nothing ran');
  });

  it('exits 2 when there are no outcomes at all', () => {
    expect(verdictOf([]).exitCode).toBe(2);
  });
});

describe('countOutcomes', () => {
  it('counts every state, zero for the absent ones', () => {
    const found = countOutcomes([
      outcome('A-001', 'passed'),
      outcome('A-002', 'passed'),
      outcome('A-003', 'failed'),
      outcome('A-004', 'unsupported'),
      outcome('A-005', 'setup-error'),
    ]);
    expect(found).toEqual({ passed: 2, failed: 1, unsupported: 1, 'not-exercised': 0, skipped: 0, 'setup-error': 1, 'harness-error': 0, 'expected-failure': 0 });
  });
});

describe('closingLine', () => {
  it('is exactly "N passed, N failed" when nothing was skipped', () => {
    expect(closingLine(counts({ passed: 12, failed: 3 }))).toBe('12 passed, 3 failed');
    expect(closingLine(counts())).toBe('0 passed, 0 failed');
  });

  it('adds ", N skipped" counting skipped, unsupported and setup-error', () => {
    expect(closingLine(counts({ passed: 5, failed: 1, skipped: 2 }))).toBe('5 passed, 1 failed, 2 skipped');
    expect(closingLine(counts({ passed: 5, unsupported: 4 }))).toBe('5 passed, 0 failed, 4 skipped');
    expect(closingLine(counts({ 'setup-error': 1 }))).toBe('0 passed, 0 failed, 1 skipped');
    expect(closingLine(counts({ passed: 1, skipped: 1, unsupported: 1, 'setup-error': 1 }))).toBe('1 passed, 0 failed, 3 skipped');
  });
});

describe('verdictOf by rule level', () => {
  const leveled = (name: string, state: OutcomeState, level: 'MUST' | 'SHOULD'): TestOutcome => ({ ...outcome(name, state), level });

  it('exits 0 when only SHOULD rules failed, and says so', () => {
    const verdict = verdictOf([leveled('PLAN-010 a', 'passed', 'MUST'), leveled('CONF-004 b', 'failed', 'SHOULD')]);
    expect(verdict.exitCode).toBe(0);
    expect(verdict.summary).toContain('SHOULD rule(s) failed: CONF-004');
    expect(verdict.release).toBe(true);
  });

  it('exits 1 for a SHOULD failure with strict', () => {
    const verdict = verdictOf([leveled('PLAN-010 a', 'passed', 'MUST'), leveled('CONF-004 b', 'failed', 'SHOULD')], { strict: true });
    expect(verdict.exitCode).toBe(1);
    expect(verdict.summary).toBe('does not conform: CONF-004 failed');
  });

  it('lists SHOULD failures beside a MUST failure', () => {
    const verdict = verdictOf([leveled('PLAN-010 a', 'failed', 'MUST'), leveled('CONF-004 b', 'failed', 'SHOULD')]);
    expect(verdict.summary).toBe('does not conform: PLAN-010 failed (also SHOULD: CONF-004)');
  });

  it('is never a release verdict when a MUST rule was not selected', () => {
    const verdict = verdictOf([leveled('PLAN-010 a', 'passed', 'MUST'), leveled('EXEC-001 b', 'skipped', 'MUST')]);
    expect(verdict.exitCode).toBe(0);
    expect(verdict.release).toBe(false);
    expect(verdict.summary).toContain('not a release verdict: MUST rule(s) not run: EXEC-001');
  });
});

describe('verdictOf with rules not exercised', () => {
  const leveled = (name: string, state: OutcomeState, level: 'MUST' | 'SHOULD'): TestOutcome => ({ ...outcome(name, state), level });

  it('exits 2 when a MUST rule was not exercised, naming it, and is never a release verdict', () => {
    const verdict = verdictOf([leveled('PLAN-010 a', 'passed', 'MUST'), leveled('EXEC-015 b', 'not-exercised', 'MUST')]);
    expect(verdict.exitCode).toBe(EXIT.setup);
    expect(verdict.release).toBe(false);
    expect(verdict.summary).toContain('MUST rule(s) not exercised: EXEC-015');
    expect(verdict.summary).toContain('--allow-not-exercised');
  });

  it('exits 0 with --allow-not-exercised, still not a release verdict', () => {
    const verdict = verdictOf([leveled('PLAN-010 a', 'passed', 'MUST'), leveled('EXEC-015 b', 'not-exercised', 'MUST')], { allowNotExercised: true });
    expect(verdict.exitCode).toBe(EXIT.conforms);
    expect(verdict.release).toBe(false);
    expect(verdict.summary).toContain('not a release verdict: MUST rule(s) not exercised: EXEC-015');
  });

  it('a SHOULD rule not exercised changes neither the exit code nor the release flag', () => {
    const verdict = verdictOf([leveled('PLAN-010 a', 'passed', 'MUST'), leveled('SVC-014 b', 'not-exercised', 'SHOULD')]);
    expect(verdict.exitCode).toBe(EXIT.conforms);
    expect(verdict.release).toBe(true);
  });

  it('a MUST failure outranks a rule not exercised (exit 1)', () => {
    const verdict = verdictOf([leveled('PLAN-010 a', 'failed', 'MUST'), leveled('EXEC-015 b', 'not-exercised', 'MUST')]);
    expect(verdict.exitCode).toBe(EXIT.ruleFailed);
  });

  it('the closing line counts rules not exercised after the skipped ones', () => {
    expect(closingLine(counts({ passed: 5, 'not-exercised': 3 }))).toBe('5 passed, 0 failed, 0 skipped, 3 not exercised');
    expect(closingLine(counts({ passed: 5, unsupported: 1, 'not-exercised': 2 }))).toBe('5 passed, 0 failed, 1 skipped, 2 not exercised');
  });
});

describe('verdictOf with a harness error', () => {
  it('exits 2 and says the harness, not the plugin, is at fault, even beside rule failures', () => {
    const verdict = verdictOf([outcome('PLAN-010 a', 'failed'), outcome('EXEC-001 b', 'harness-error')]);
    expect(verdict.exitCode).toBe(EXIT.setup);
    expect(verdict.release).toBe(false);
    expect(verdict.summary).toBe("harness error: a bug in plugin-conformance stopped EXEC-001 (not the plugin's fault; the stack is in results.json; please report it)");
  });

  it('the closing line counts harness errors last', () => {
    expect(closingLine(counts({ passed: 3, 'harness-error': 1 }))).toBe('3 passed, 0 failed, 0 skipped, 1 harness error');
  });
});

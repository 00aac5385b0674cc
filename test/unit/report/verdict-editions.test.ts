// --rules-edition: rules newer than the pinned catalogue edition report failures as warnings, never gate.
// PLAN-010 and EXEC-001 are edition 1; PLAN-020 (SHOULD) and EXEC-010 (MUST) are edition 2 (CATALOGUE §8.9, §8.13).
import { describe, expect, it } from 'vitest';
import { CATALOGUE_EDITION } from '../../../src/contract/rules.js';
import type { OutcomeState, TestOutcome } from '../../../src/report/outcome.js';
import { gatingOf, verdictOf, withinEdition } from '../../../src/report/verdict.js';

const LEVELS: Record<string, TestOutcome['level']> = { 'PLAN-010': 'MUST', 'EXEC-001': 'MUST', 'EXEC-010': 'MUST', 'PLAN-020': 'SHOULD', 'PLAN-013': 'SHOULD' };

function outcome(name: string, state: OutcomeState): TestOutcome {
  const ruleId = /^[A-Z]+-\d{3}/.exec(name)?.[0];
  return { name, ...(ruleId ? { ruleId, level: LEVELS[ruleId] } : {}), file: 'suites/x.test.ts', state, durationMs: 1, messages: [] };
}

describe('verdictOf with --rules-edition', () => {
  it('defaults to the current edition: an edition-2 MUST failure gates', () => {
    const verdict = verdictOf([outcome('PLAN-010 a', 'passed'), outcome('EXEC-010 b', 'failed')]);
    expect(CATALOGUE_EDITION).toBe(2);
    expect(verdict.exitCode).toBe(1);
    expect(verdict.warnings).toBeUndefined();
    expect(verdictOf([outcome('EXEC-010 b', 'failed')], { rulesEdition: 2 }).exitCode).toBe(1);
  });

  it('pinned to edition 1: an edition-2 MUST failure is a warning naming the edition that makes it gating; exit 0, still a release verdict', () => {
    const verdict = verdictOf([outcome('PLAN-010 a', 'passed'), outcome('EXEC-010 b', 'failed'), outcome('EXEC-010 c', 'failed')], { rulesEdition: 1 });
    expect(verdict.exitCode).toBe(0);
    expect(verdict.release).toBe(true);
    expect(verdict.warnings).toEqual(['EXEC-010 failed; not gating: it gates from rules edition 2 (this run gates on edition 1, --rules-edition)']);
    expect(verdict.summary).toBe('conforms to every rule of edition 1 it ran; warnings (rules newer than edition 1): EXEC-010 failed');
  });

  it('pinned to edition 1: edition-1 failures still gate, and the warning rides along', () => {
    const verdict = verdictOf([outcome('PLAN-010 a', 'failed'), outcome('EXEC-010 b', 'failed')], { rulesEdition: 1 });
    expect(verdict.exitCode).toBe(1);
    expect(verdict.summary).toBe('does not conform: PLAN-010 failed; warnings (rules newer than edition 1): EXEC-010 failed');
    expect(verdict.warnings).toHaveLength(1);
  });

  it('pinned to edition 1: --strict does not make a newer SHOULD failure gate; an edition-1 SHOULD failure does', () => {
    expect(verdictOf([outcome('PLAN-010 a', 'passed'), outcome('PLAN-020 b', 'failed')], { rulesEdition: 1, strict: true }).exitCode).toBe(0);
    expect(verdictOf([outcome('PLAN-010 a', 'passed'), outcome('PLAN-013 b', 'failed')], { rulesEdition: 1, strict: true }).exitCode).toBe(1);
  });

  it('pinned to edition 1: a newer MUST rule not exercised or not run makes neither exit 2 nor a non-release verdict', () => {
    const verdict = verdictOf([outcome('PLAN-010 a', 'passed'), outcome('EXEC-010 b', 'not-exercised'), outcome('EXEC-010 c', 'skipped')], { rulesEdition: 1 });
    expect(verdict.exitCode).toBe(0);
    expect(verdict.release).toBe(true);
    expect(verdict.summary).toBe('conforms: every selected rule passed');
  });

  it('harness and setup errors exit 2 whatever the edition', () => {
    expect(verdictOf([outcome('EXEC-010 b', 'harness-error')], { rulesEdition: 1 }).exitCode).toBe(2);
    expect(verdictOf([outcome('EXEC-010 b', 'setup-error')], { rulesEdition: 1 }).exitCode).toBe(2);
  });
});

describe('gatingOf and withinEdition (the per-outcome fields of results.json)', () => {
  it('names the rule edition, and whether a failure would change the exit code', () => {
    expect(gatingOf(outcome('EXEC-010 b', 'failed'))).toEqual({ edition: 2, gating: true });
    expect(gatingOf(outcome('EXEC-010 b', 'failed'), { rulesEdition: 1 })).toEqual({ edition: 2, gating: false });
    expect(gatingOf(outcome('PLAN-010 a', 'passed'), { rulesEdition: 1 })).toEqual({ edition: 1, gating: true });
    expect(gatingOf(outcome('PLAN-013 a', 'failed'))).toEqual({ edition: 1, gating: false });
    expect(gatingOf(outcome('PLAN-013 a', 'failed'), { strict: true })).toEqual({ edition: 1, gating: true });
  });

  it('a test that names no catalogue rule has no edition and gates (as an unknown level counts as MUST)', () => {
    expect(gatingOf(outcome('odd test', 'failed'), { rulesEdition: 1 })).toEqual({ gating: true });
    expect(withinEdition(outcome('NOPE-001 x', 'failed'), { rulesEdition: 1 })).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { failureState } from '../../../src/report/collector.js';

describe('failureState: whose failure is a failed test', () => {
  it('a rule or property violation, an assertion or a time-out is the plugin\'s failure', () => {
    expect(failureState([{ name: 'RuleViolation', message: 'PLAN-010: …' }])).toBe('failed');
    expect(failureState([{ name: 'AssertionError', message: 'expected 1 to be 2' }])).toBe('failed');
    expect(failureState([{ name: 'Error', message: 'Test timed out in 120000ms.' }])).toBe('failed');
  });

  it('a SetupError wins: the plugin could not be started or reached', () => {
    expect(failureState([{ name: 'RuleViolation', message: 'x' }, { name: 'SetupError', message: 'did not start' }])).toBe('setup-error');
  });

  it('an exception thrown by harness code is a harness error, never the plugin\'s failure', () => {
    expect(failureState([{ name: 'TypeError', message: "Cannot read properties of undefined (reading 'stages')" }])).toBe('harness-error');
    expect(failureState([{ name: 'RuleViolation', message: 'x' }, { name: 'Error', message: 'harness bug: …' }])).toBe('harness-error');
  });
});

import { describe, it, expect } from 'vitest';
import { enumText, outcomeText, stageLabel, toBigInt, violation } from '../../../src/contract/checks/index.js';
import { failed, ok, stage } from './fixtures.js';

describe('shared check helpers', () => {
  it('toBigInt reads decoded int64 forms and treats absent as 0', () => {
    expect(toBigInt('9223372036854775807')).toBe(9223372036854775807n);
    expect(toBigInt('-1')).toBe(-1n);
    expect(toBigInt(12)).toBe(12n);
    expect(toBigInt(undefined)).toBe(0n);
    expect(toBigInt(null)).toBe(0n);
    expect(toBigInt({ toString: () => '77' })).toBe(77n);
  });

  it('toBigInt returns undefined for non-integers', () => {
    expect(toBigInt('1.5')).toBeUndefined();
    expect(toBigInt('abc')).toBeUndefined();
    expect(toBigInt(1.5)).toBeUndefined();
  });

  it('labels stages, enums and outcomes for messages', () => {
    expect(stageLabel(stage({ name: 'K8S_ROLLBACK', index: 3, rollback: true }), 4)).toBe('stages[4] "K8S_ROLLBACK" (index 3, rollback)');
    expect(enumText('STAGE_SUCCESS')).toBe('STAGE_SUCCESS');
    expect(enumText(9)).toBe('undefined value 9');
    expect(outcomeText(ok({}))).toBe('OK');
    expect(outcomeText(failed(5, 'NOT_FOUND', 'gone'))).toBe('NOT_FOUND (5): gone');
    expect(violation('X-1', 'm')).toEqual({ rule: 'X-1', message: 'm' });
  });
});

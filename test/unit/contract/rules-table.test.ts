import { describe, expect, it } from 'vitest';
import type { RuleCoverage } from '../../../src/contract/coverage.js';
import { formatRulesTable } from '../../../src/report/rules-table.js';

describe('formatRulesTable', () => {
  it('prints ID, level, status and title per rule, then the counts in total and per level', () => {
    const coverage: RuleCoverage[] = [
      { id: 'PLAN-010', level: 'MUST', title: 'Non-rollback stage indexes equal the request indexes', reference: 'api.proto:36-44', status: 'checked', tests: ['PLAN-010 t'] },
      { id: 'SVC-014', level: 'SHOULD', title: 'ListStageCommands is polled at a modest rate', reference: 'sdk/client.go:42', status: 'unchecked', tests: [], reason: 'needs x' },
    ];
    expect(formatRulesTable(coverage)).toBe(
      [
        'ID        LEVEL   STATUS     TITLE',
        'PLAN-010  MUST    checked    Non-rollback stage indexes equal the request indexes',
        'SVC-014   SHOULD  unchecked  ListStageCommands is polled at a modest rate',
        '',
        '2 rules: 1 checked, 1 unchecked',
        '  MUST     1: 1 checked, 0 unchecked',
        '  SHOULD   1: 0 checked, 1 unchecked',
        '',
      ].join('\n'),
    );
  });
});

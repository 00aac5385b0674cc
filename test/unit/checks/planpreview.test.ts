import { describe, expect, it } from 'vitest';
import {
  MAX_DETAILS_BYTES,
  checkPreviewDeadline,
  checkPreviewEmptyTargets,
  checkPreviewReadOnly,
  checkPreviewResults,
  checkPreviewTargets,
  checkPreviewWithoutRunningSource,
} from '../../../src/contract/checks/index.js';
import { failed, journalEntry, ok } from './fixtures.js';

const rulesOf = (found: { rule: string }[]) => found.map((v) => v.rule);
const request = { deploy_targets: ['local', 'prod'] };

function result(target: string, overrides: Record<string, unknown> = {}): any {
  return { deploy_target: target, summary: `changes for ${target}`, no_change: false, details: Buffer.from('+a'), diff_language: 'diff', ...overrides };
}

const both = (overrides: Record<string, unknown> = {}) => ok({ results: [result('local', overrides), result('prod', overrides)] });

describe('PREV plan preview', () => {
  it('PREV-001 passes when every result names a requested target', () => {
    expect(checkPreviewTargets(request, both())).toEqual([]);
  });

  it('PREV-001 flags an unrequested target and oversized details', () => {
    const answer = ok({ results: [result('staging'), result('local', { details: Buffer.alloc(MAX_DETAILS_BYTES + 1) })] });
    const found = checkPreviewTargets(request, answer);
    expect(rulesOf(found)).toEqual(['PREV-001', 'PREV-001']);
    expect(found[0].message).toContain('"staging" is not one of the requested');
  });

  it('PREV-002 passes for one result per target with summaries, and for no_change when expected', () => {
    expect(checkPreviewResults(request, both())).toEqual([]);
    expect(checkPreviewResults(request, both({ no_change: true, diff_language: '' }), true)).toEqual([]);
  });

  it('PREV-002 flags a missing and a doubled target, an empty summary and a bad diff_language', () => {
    const answer = ok({ results: [result('local'), result('local', { summary: ' ', diff_language: 'two words' })] });
    const found = checkPreviewResults(request, answer);
    expect(found.map((v) => v.message)).toEqual([
      'deploy target "local" has 2 results; expected exactly one',
      'deploy target "prod" has 0 results; expected exactly one',
      'results[1] ("local"): summary must be non-empty',
      'results[1] ("local"): diff_language must be empty or a renderer name such as "diff"; got "two words"',
    ]);
  });

  it('PREV-002 flags no_change=false when the targets already run the source, and a refusal', () => {
    expect(rulesOf(checkPreviewResults(request, both(), true))).toEqual(['PREV-002', 'PREV-002']);
    expect(rulesOf(checkPreviewResults(request, failed(13, 'INTERNAL')))).toEqual(['PREV-002']);
  });

  it('PREV-003 passes for OK and flags a refusal of a new application', () => {
    expect(checkPreviewWithoutRunningSource(both())).toEqual([]);
    expect(checkPreviewWithoutRunningSource(failed(13, 'INTERNAL', 'running source required'))[0].message).toContain('INTERNAL (13): running source required');
  });

  it('PREV-004 passes for reads and flags a write', () => {
    expect(checkPreviewReadOnly('preview', [journalEntry('GetDeploymentSharedMetadata', {})])).toEqual([]);
    expect(rulesOf(checkPreviewReadOnly('preview', [journalEntry('PutStageMetadata', {})]))).toEqual(['PREV-004']);
  });

  it('PREV-005 passes for an answer in time and for DEADLINE_EXCEEDED with nothing after', () => {
    const early = journalEntry('GetApplicationSharedObject', {}, { time: 1_100 });
    expect(checkPreviewDeadline({ outcome: both(), startedAt: 1_000, deadlineMs: 200, callbacks: [early] })).toEqual([]);
    expect(checkPreviewDeadline({ outcome: failed(4, 'DEADLINE_EXCEEDED'), startedAt: 1_000, deadlineMs: 200, callbacks: [] })).toEqual([]);
  });

  it('PREV-005 flags a callback after the deadline and an unrelated error', () => {
    const late = journalEntry('GetApplicationSharedObject', {}, { time: 2_000, seq: 8 });
    const found = checkPreviewDeadline({ outcome: failed(13, 'INTERNAL'), startedAt: 1_000, deadlineMs: 200, callbacks: [late] });
    expect(rulesOf(found)).toEqual(['PREV-005', 'PREV-005']);
    expect(found[1].message).toContain('callback #8 GetApplicationSharedObject arrived 1000 ms after a GetPlanPreview whose deadline was 200 ms');
  });

  it('PREV-006 passes for INVALID_ARGUMENT and flags OK', () => {
    expect(checkPreviewEmptyTargets(failed(3, 'INVALID_ARGUMENT'))).toEqual([]);
    expect(rulesOf(checkPreviewEmptyTargets(ok({ results: [] })))).toEqual(['PREV-006']);
  });
});

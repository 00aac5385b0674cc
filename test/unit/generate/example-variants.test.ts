// Generated stage configs around the user's examples: the same meaning (every key and value of one example), another
// key order, unknown fields beside them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exampleVariantArb, pipelineCaseArb } from '../../../src/generate/arbitraries.js';

const examples = [
  { approvers: ['alice', 'bob'], minApproverNum: 2, timeout: '10m' },
  { approvers: ['carol'] },
];

describe('exampleVariantArb', () => {
  const samples = fc.sample(exampleVariantArb(examples), { numRuns: 500, seed: 42 });

  it('keeps every key and value of one example', () => {
    for (const sample of samples) {
      const own = Object.fromEntries(Object.entries(sample).filter(([key]) => !key.startsWith('x-conformance-')));
      expect(examples).toContainEqual(own);
    }
  });

  it('varies the key order and adds unknown fields, some with non-ASCII keys', () => {
    const orders = new Set(samples.filter((s) => 'minApproverNum' in s).map((s) => Object.keys(s).filter((k) => !k.startsWith('x-')).join(',')));
    expect(orders.size).toBeGreaterThan(1);
    const extraKeys = samples.flatMap((s) => Object.keys(s).filter((k) => k.startsWith('x-conformance-')));
    expect(extraKeys.length).toBeGreaterThan(50);
    expect(extraKeys.some((k) => /[^\x00-\x7f]/.test(k))).toBe(true);
  });
});

describe('pipelineCaseArb with examples', () => {
  it('mostly sends a stage with examples a variant of one of them', () => {
    const facts = { pluginName: 'p', stageNames: ['APPROVE'], kind: 'stage' as const, deployTargets: [], examples: { APPROVE: examples } };
    const stages = fc.sample(pipelineCaseArb(facts), { numRuns: 300, seed: 7 }).flatMap((c) => c.stages);
    const fromExample = stages.filter((s) => Array.isArray(s.with.approvers) && examples.some((e) => JSON.stringify(e.approvers) === JSON.stringify(s.with.approvers)));
    expect(fromExample.length / stages.length).toBeGreaterThan(0.5);
  });
});

// Property runs without a plugin: seeds, shrinking, replay by path and by saved value, budgets, and how a failure
// reads (violations, the shrunk request, a replay command).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { rules } from '../../../src/contract/rules.js';
import {
  DEFAULT_PROPERTY_RUNS, formatPropertyFailure, parseReplay, PROPERTIES, propertyById, propertySettingsOf, propertyTestName, readableRequest,
  readSavedFailure, replayCommand, replayTestPattern, runProperty, runsFor, shellQuote, writeSavedFailure, type Judgement,
} from '../../../src/generate/properties.js';

/** A toy property: lists of numbers "break" a rule when the third element is above 50. */
const lists = fc.array(fc.nat(100));
function toyCheck(calls: { n: number }) {
  return async (list: number[]): Promise<Judgement> => {
    calls.n += 1;
    const broken = list.length >= 3 && list[2] > 50;
    return { violations: broken ? [{ rule: 'PLAN-010', message: `third element ${list[2]} > 50` }] : [], request: { rpc: 'Toy', message: { list } } };
  };
}

describe('the property registry', () => {
  it('ids are unique, every rule exists in the catalogue, test names start with the rule ID', () => {
    const ids = PROPERTIES.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const known = new Set(rules().map((r) => r.id));
    for (const p of PROPERTIES) {
      expect(known.has(p.rule), p.id).toBe(true);
      expect(p.id === p.rule || p.id.startsWith(`${p.rule}/`)).toBe(true);
      expect(propertyTestName(p).startsWith(`${p.rule} property: `)).toBe(true);
    }
  });

  it('execution properties run a quarter as many cases, at least 5', () => {
    expect(runsFor({ cost: 'call' }, 100)).toBe(100);
    expect(runsFor({ cost: 'execution' }, 100)).toBe(25);
    expect(runsFor({ cost: 'execution' }, 3)).toBe(5);
  });
});

describe('seeds and replay options', () => {
  it('--replay ID:PATH is parsed; unknown ids and paths are refused with the list of ids', () => {
    expect(parseReplay('PLAN-011:6:2:2:4')).toEqual({ property: 'PLAN-011', path: '6:2:2:4' });
    expect(parseReplay('API-007/execute:0')).toEqual({ property: 'API-007/execute', path: '0' });
    expect(() => parseReplay('PLAN-999:1')).toThrow(/unknown property "PLAN-999".*PLAN-010/);
    expect(() => parseReplay('PLAN-011')).toThrow(/expected ID:PATH/);
    expect(() => parseReplay('PLAN-011:a:b')).toThrow(/expected ID:PATH/);
  });

  it('a replay selects exactly one test name', () => {
    const pattern = replayTestPattern({ replay: { property: 'API-007/execute', path: '1' } })!;
    const names = PROPERTIES.map((p) => `properties over generated requests ${propertyTestName(p)}`);
    expect(names.filter((n) => pattern.test(n))).toEqual([`properties over generated requests ${propertyTestName(propertyById('API-007/execute')!)}`]);
    expect(replayTestPattern({})).toBeUndefined();
  });

  it('defaults: a random 32-bit seed, the default runs; a saved failure brings its own seed', () => {
    const settings = propertySettingsOf({});
    expect(Number.isInteger(settings.seed) && settings.seed >= 0 && settings.seed < 2 ** 31).toBe(true);
    expect(settings.runs).toBe(DEFAULT_PROPERTY_RUNS);
    const saved = { property: 'PLAN-011', rule: 'PLAN-011', seed: 77, path: '1', value: 1, violations: [] };
    expect(propertySettingsOf({ replayCase: saved }).seed).toBe(77);
    expect(propertySettingsOf({ seed: 5, replayCase: saved }).seed).toBe(5);
  });

  it('the replay command quotes what a shell would split', () => {
    expect(shellQuote('fixtures/plugins/reference')).toBe('fixtures/plugins/reference');
    expect(shellQuote("it's here")).toBe(`'it'\\''s here'`);
    expect(replayCommand(['./my plugin', '--config', 'c.yaml'], -3, 'PLAN-011', '6:2')).toBe(
      "npx plugin-conformance './my plugin' --config c.yaml --seed=-3 --replay PLAN-011:6:2",
    );
  });
});

describe('runProperty', () => {
  it('finds a failure and shrinks it to the smallest case', async () => {
    const calls = { n: 0 };
    const result = await runProperty(lists, toyCheck(calls), { seed: 42, numRuns: 200, timeLimitMs: 10_000 });
    expect(result.failure?.value).toEqual([0, 0, 51]);
    expect(result.failure?.judgement.violations[0].message).toBe('third element 51 > 50');
    expect(result.failure?.shrinks).toBeGreaterThan(0);
    expect(result.failure?.shrinkCut).toBe(false);
  });

  it('the same seed finds the same shrunk case and path, run after run', async () => {
    const run = () => runProperty(lists, toyCheck({ n: 0 }), { seed: 1234, numRuns: 200, timeLimitMs: 10_000 });
    const [a, b] = [await run(), await run()];
    expect(a.failure?.path).toBe(b.failure?.path);
    expect(a.failure?.value).toEqual(b.failure?.value);
  });

  it('seed and path replay exactly the shrunk case, in one run', async () => {
    const first = await runProperty(lists, toyCheck({ n: 0 }), { seed: 42, numRuns: 200, timeLimitMs: 10_000 });
    const calls = { n: 0 };
    const replay = await runProperty(lists, toyCheck(calls), { seed: 42, numRuns: 200, timeLimitMs: 10_000, path: first.failure!.path });
    expect(replay.failure?.value).toEqual(first.failure?.value);
    expect(calls.n).toBe(1);
  });

  it('a saved value runs once, as it is', async () => {
    const calls = { n: 0 };
    const result = await runProperty(lists, toyCheck(calls), { seed: 1, numRuns: 200, timeLimitMs: 10_000, value: [9, 9, 99, 9] });
    expect(calls.n).toBe(1);
    expect(result.failure?.value).toEqual([9, 9, 99, 9]);
  });

  it('a property that holds reports its runs', async () => {
    const result = await runProperty(lists, async () => ({ violations: [] }), { seed: 1, numRuns: 37, timeLimitMs: 10_000 });
    expect(result).toEqual({ runs: 37, interrupted: false });
  });

  it('the time budget ends the runs early, which is not a failure', async () => {
    const slow = async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { violations: [] };
    };
    const result = await runProperty(lists, slow, { seed: 1, numRuns: 10_000, timeLimitMs: 200 });
    expect(result.interrupted).toBe(true);
    expect(result.failure).toBeUndefined();
    expect(result.runs).toBeLessThan(10_000);
  });

  it('a harness error is rethrown at once, not shrunk over every case', async () => {
    const calls = { n: 0 };
    const check = async (list: number[]) => {
      calls.n += 1;
      if (list.length > 2) throw new Error('harness broke');
      return { violations: [] };
    };
    await expect(runProperty(lists, check, { seed: 3, numRuns: 200, timeLimitMs: 10_000 })).rejects.toThrow(/harness broke\n\(while checking a generated case, seed 3/);
    expect(calls.n).toBeLessThan(200);
  });

  it('a failure that does not come back when replayed (a flaky plugin) is reported as first seen', async () => {
    let failedOnce = false;
    const check = async (list: number[]) => {
      const broken = !failedOnce && list.length > 3;
      failedOnce ||= broken;
      return { violations: broken ? [{ rule: 'PLAN-010', message: 'once' }] : [] };
    };
    const result = await runProperty(lists, check, { seed: 8, numRuns: 200, timeLimitMs: 10_000 });
    expect(result.failure?.shrinks).toBe(0);
    expect((result.failure?.value as number[]).length).toBeGreaterThan(3);
  });
});

describe('failure messages and saved failures', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pc-properties-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const def = propertyById('PLAN-011')!;
  const failure = {
    seed: 42, path: '6:2', runs: 7, shrinks: 3, shrinkCut: false, value: { rollback: true },
    judgement: { violations: [{ rule: 'PLAN-011', message: 'rollback stages share index 2' }], request: { rpc: 'BuildPipelineSyncStages', message: { stages: [{ config: Buffer.from('{"é":1}') }] } } },
  };

  it('names the violations, shows the request with bytes as text, and the replay command', () => {
    const text = formatPropertyFailure(def, failure, { commandLine: ['fixtures/plugins/reference', '--config', 'm.yaml'], savedTo: '/tmp/f.json' });
    expect(text).toContain('PLAN-011: rollback stages share index 2');
    expect(text).toContain('Property failed on a generated BuildPipelineSyncStages request after 7 run(s); shrunk 3 time(s) to:');
    expect(text).toContain('"config": "{\\"é\\":1}"');
    expect(text).toContain('Seed 42, path "6:2". Replay exactly this case:');
    expect(text).toContain('npx plugin-conformance fixtures/plugins/reference --config m.yaml --seed 42 --replay PLAN-011:6:2');
    expect(text).toContain('--replay-file /tmp/f.json');
  });

  it('says when the shrink budget ran out', () => {
    expect(formatPropertyFailure(def, { ...failure, shrinkCut: true }, { commandLine: [] })).toContain('the shrink budget ran out');
  });

  it('readable requests cut very long strings', () => {
    expect(readableRequest({ s: 'x'.repeat(400) }, 10)).toContain('"xxxxxxxxxx… (390 more characters)"');
  });

  it('a saved failure is read back with its value; other files are refused with the reason', () => {
    const file = writeSavedFailure(dir, { property: 'API-007/execute', rule: 'API-007', seed: 1, path: '0', value: { pick: 1 }, request: failure.judgement.request, violations: [] });
    expect(path.basename(file)).toBe('API-007-execute-seed1.json');
    expect(JSON.parse(readFileSync(file, 'utf8')).request.message.stages[0].config).toBe('{"é":1}');
    expect(readSavedFailure(file)).toMatchObject({ property: 'API-007/execute', value: { pick: 1 } });
    const other = path.join(dir, 'other.json');
    writeFileSync(other, '{"property":"NOPE-1"}');
    expect(() => readSavedFailure(other)).toThrow(/not a saved property failure/);
    expect(() => readSavedFailure(path.join(dir, 'missing.json'))).toThrow(/cannot read --replay-file/);
  });
});

// Command-line options of the generated cases: --seed, --property-runs, --property-time, --replay, --replay-file,
// --save-failures, and the command line a printed replay command repeats.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HELP, parseCli } from '../../src/cli.js';
import { UsageError } from '../../src/errors.js';
import { writeSavedFailure } from '../../src/generate/properties.js';
import type { RunOptions } from '../../src/run.js';

const parse = (argv: string[]) => parseCli(argv) as RunOptions;

describe('property options', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pc-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are optional: nothing set means defaults later (a random seed)', () => {
    expect(parse(['p']).properties).toMatchObject({ seed: undefined, runs: undefined, timeLimitMs: undefined, replay: undefined });
  });

  it('--seed, --property-runs and --property-time are read', () => {
    expect(parse(['p', '--seed=-12', '--property-runs', '40', '--property-time', '2.5']).properties).toMatchObject({ seed: -12, runs: 40, timeLimitMs: 2500 });
  });

  it('bad numbers are UsageErrors that say what is expected', () => {
    expect(() => parse(['p', '--seed', '1.5'])).toThrow(/--seed takes an integer/);
    expect(() => parse(['p', '--seed', '4294967296'])).toThrow(UsageError);
    expect(() => parse(['p', '--property-runs', '0'])).toThrow(/--property-runs takes a positive integer/);
    expect(() => parse(['p', '--property-time=-1'])).toThrow(/--property-time takes a positive number of seconds/);
  });

  it('--replay needs the seed it was printed with, and names a known property', () => {
    expect(parse(['p', '--seed', '7', '--replay', 'PLAN-011:3:1']).properties?.replay).toEqual({ property: 'PLAN-011', path: '3:1' });
    expect(() => parse(['p', '--replay', 'PLAN-011:3:1'])).toThrow(/--replay needs the --seed/);
    expect(() => parse(['p', '--seed', '7', '--replay', 'NOPE-001:3'])).toThrow(/unknown property "NOPE-001"/);
  });

  it('--replay-file reads a saved failure; a bad file is a UsageError', () => {
    const file = writeSavedFailure(dir, { property: 'PLAN-011', rule: 'PLAN-011', seed: 9, path: '2', value: { rollback: true, stages: [] }, violations: [] });
    expect(parse(['p', '--replay-file', file]).properties?.replayCase).toMatchObject({ property: 'PLAN-011', seed: 9 });
    expect(() => parse(['p', '--replay-file', path.join(dir, 'none.json')])).toThrow(UsageError);
    expect(() => parse(['p', '--seed', '1', '--replay', 'PLAN-011:1', '--replay-file', file])).toThrow(/give one of them/);
  });

  it('the replay command line keeps the target and how it runs, and drops what selects or reports', () => {
    const argv = ['fixtures/plugins/reference', '--config', 'm.yaml', '--only', 'PLAN-*', '--seed', '5', '--out', 'r', '--grace-period', '5', '--save-failures', 'f', '--property-runs', '9'];
    expect(parse(argv).properties?.commandLine).toEqual(['fixtures/plugins/reference', '--config', 'm.yaml', '--grace-period', '5']);
  });

  it('--help documents every option', () => {
    for (const option of ['--seed', '--property-runs', '--property-time', '--replay ID:PATH', '--save-failures', '--replay-file']) expect(HELP).toContain(option);
  });
});

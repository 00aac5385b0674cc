// The command line of --shard, `list` and `merge`.
import { describe, expect, it } from 'vitest';
import { parseCli, parseListCli, parseMergeCli } from '../../src/cli.js';
import { UsageError } from '../../src/errors.js';

describe('--shard', () => {
  it('reads i/n, with --seed', () => {
    expect(parseCli(['p', '--shard', '2/3', '--seed', '5'])).toMatchObject({ shard: { index: 2, total: 3 } });
    expect(parseCli(['p', '--seed', '5'])).not.toHaveProperty('shard');
  });

  it('needs --seed, refuses --replay and malformed values', () => {
    expect(() => parseCli(['p', '--shard', '1/2'])).toThrow(/--shard needs --seed N/);
    expect(() => parseCli(['p', '--shard', '1/2', '--seed', '5', '--replay', 'API-007/execute:1'])).toThrow(/--shard cannot be combined with --replay/);
    expect(() => parseCli(['p', '--shard', '3/2', '--seed', '5'])).toThrow(UsageError);
    expect(() => parseCli(['p', '--shard', 'x', '--seed', '5'])).toThrow(/--shard takes i\/n/);
  });

  it('is left out of the printed replay command line (a replay selects one case, not a shard)', () => {
    const options = parseCli(['p', '--shard', '1/2', '--seed', '5', '--strict']);
    expect(options).toMatchObject({ properties: { commandLine: ['p', '--strict'] } });
  });
});

describe('list arguments', () => {
  it('reads --json, --only, --skip, --shard and --proto-root', () => {
    expect(parseListCli([])).toEqual({ json: false, only: [], skip: [] });
    expect(parseListCli(['--json', '--only', 'plan-01*', '--skip', 'PLAN-011', '--shard', '1/4', '--proto-root', '/x/proto'])).toEqual({
      json: true, only: ['PLAN-01*'], skip: ['PLAN-011'], shard: { index: 1, total: 4 }, protoRoot: '/x/proto',
    });
    expect(parseListCli(['--help'])).toBe('help');
  });

  it('takes no plugin and rejects bad globs and options', () => {
    expect(() => parseListCli(['./plugin'])).toThrow(/list takes no plugin/);
    expect(() => parseListCli(['--only', 'PLAN.01'])).toThrow(/not a rule ID glob/);
    expect(() => parseListCli(['--seed', '1'])).toThrow(UsageError);
  });
});

describe('merge arguments', () => {
  it('reads the shard folders and --out (default reports)', () => {
    expect(parseMergeCli(['a', 'b'])).toEqual({ sources: ['a', 'b'], outDir: 'reports' });
    expect(parseMergeCli(['--out', 'merged', 'a'])).toEqual({ sources: ['a'], outDir: 'merged' });
    expect(parseMergeCli(['-h'])).toBe('help');
  });

  it('needs at least one folder', () => {
    expect(() => parseMergeCli([])).toThrow(/merge needs the reports folder/);
    expect(() => parseMergeCli(['--strict', 'a'])).toThrow(UsageError);
  });
});

import { execa } from 'execa';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reapChildren, recordChild } from '../../../src/launch/reaper.js';

const started: { kill: (s?: NodeJS.Signals) => boolean }[] = [];
afterEach(() => {
  for (const p of started.splice(0)) p.kill('SIGKILL');
});

/** A stand-in plugin that ignores SIGTERM, with piped's argv so the reaper recognises it. */
function stubbornPlugin(argv: string[]) {
  const child = execa('sh', ['-c', "trap '' TERM; while :; do sleep 0.1; done", 'sh', ...argv], { reject: false });
  started.push(child);
  return child;
}

describe('reaper', () => {
  it('SIGKILLs recorded plugin processes that are still alive and removes the pid file', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'reaper-')), 'pids');
    const plugin = stubbornPlugin(['start', '--piped-plugin-service', '127.0.0.1:1', '--config', '{}']);
    recordChild(file, plugin.pid);
    expect(reapChildren(file)).toBe(1);
    expect((await plugin).signal).toBe('SIGKILL');
    expect(existsSync(file)).toBe(false);
  });

  it('leaves alone a recorded pid whose command line is not a plugin (pid reuse)', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'reaper-')), 'pids');
    const other = stubbornPlugin(['something-else']);
    recordChild(file, other.pid);
    expect(reapChildren(file)).toBe(0);
    expect(other.exitCode).toBeNull(); // still running
  });

  it('records nothing outside a CLI run', () => {
    expect(() => recordChild(undefined, 123)).not.toThrow();
    expect(reapChildren(path.join(os.tmpdir(), 'no-such-pid-file'))).toBe(0);
  });

  it('never tells plugin processes where the pid file is: no harness path in the environment they inherit', async () => {
    const { readFileSync } = await import('node:fs');
    const source = readFileSync(new URL('../../../src/run.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/process\.env\[[^\]]*\]\s*=/);
  });
});

// --tool NAME[@VERSION]=PATH: tools the fake piped's InstallTool hands out without running the install script.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { HELP, main, parseCli } from '../../src/cli.js';
import { UsageError } from '../../src/errors.js';
import type { RunOptions } from '../../src/run.js';

const parse = (argv: string[]) => parseCli(argv) as RunOptions;

describe('--tool', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pc-cli-tool-'));
  const helm = path.join(dir, 'helm');
  const kubectl = path.join(dir, 'kubectl');
  const notExecutable = path.join(dir, 'terraform');
  const folder = path.join(dir, 'bin');
  writeFileSync(helm, '#!/bin/sh\necho helm\n', { mode: 0o755 });
  writeFileSync(kubectl, '#!/bin/sh\necho kubectl\n', { mode: 0o755 });
  writeFileSync(notExecutable, '#!/bin/sh\n', { mode: 0o644 });
  chmodSync(notExecutable, 0o644);
  mkdirSync(folder);
  symlinkSync(helm, path.join(dir, 'helm-link'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => vi.restoreAllMocks());

  it('is optional: without it the run options carry no tools', () => {
    expect(parse(['p']).tools).toBeUndefined();
  });

  it('NAME@VERSION=PATH seeds one version; NAME=PATH any version; it repeats', () => {
    expect(parse(['p', '--tool', `helm@3.14.0=${helm}`, '--tool', `kubectl=${kubectl}`]).tools).toEqual([
      { name: 'helm', version: '3.14.0', path: helm },
      { name: 'kubectl', path: kubectl },
    ]);
  });

  it('a relative PATH is made absolute; a symlink to an executable is fine; PATH may contain = and @', () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(parse(['p', '--tool', 'helm@v3=helm']).tools).toEqual([{ name: 'helm', version: 'v3', path: helm }]);
      expect(parse(['p', '--tool', 'helm=./helm-link']).tools).toEqual([{ name: 'helm', path: path.join(dir, 'helm-link') }]);
    } finally {
      process.chdir(cwd);
    }
    const odd = path.join(dir, 'a=b@c');
    writeFileSync(odd, '#!/bin/sh\n', { mode: 0o755 });
    expect(parse(['p', `--tool=helm@1=${odd}`]).tools).toEqual([{ name: 'helm', version: '1', path: odd }]);
  });

  it('the same NAME@VERSION twice is a UsageError; one exact and one any-version entry for a name is fine', () => {
    expect(() => parse(['p', '--tool', `helm@1=${helm}`, '--tool', `helm@1=${kubectl}`])).toThrow(/--tool helm@1 is given twice/);
    expect(() => parse(['p', '--tool', `helm=${helm}`, '--tool', `helm=${kubectl}`])).toThrow(/--tool helm \(any version\) is given twice/);
    expect(parse(['p', '--tool', `helm=${helm}`, '--tool', `helm@1=${kubectl}`]).tools).toHaveLength(2);
  });

  it.each([
    ['no =', 'helm', /--tool "helm": expected NAME\[@VERSION\]=PATH, e\.g\. --tool helm@3\.14\.0=/],
    ['an empty name', `=${helm}`, /the tool name "" is empty/],
    ['a / in the name', `bin/helm=${helm}`, /the tool name "bin\/helm" contains a path separator; give the plain name/],
    ['.. in the name', `..=${helm}`, /the tool name "\.\." contains "\.\."/],
    ['whitespace in the name', `he lm=${helm}`, /the tool name "he lm" contains whitespace/],
    ['a control character in the name', `he\u0007lm=${helm}`, /contains a control character/],
    ['a leading dot', `.helm=${helm}`, /starts with "\."/],
    ['an empty version', `helm@=${helm}`, /the version "" is empty; .*leave out @VERSION to match any version/],
    ['a / in the version', `helm@../1=${helm}`, /the version "\.\.\/1" contains a path separator/],
    ['a tab in the version', `helm@1\t2=${helm}`, /the version "1\\t2" contains/],
    ['no path', 'helm@1=', /no PATH after "="; give the path of the helm executable/],
  ])('%s is a UsageError naming the flag and the value', (_what, value, message) => {
    expect(() => parse(['p', '--tool', value])).toThrow(UsageError);
    expect(() => parse(['p', '--tool', value])).toThrow(message);
  });

  it('a missing PATH, a folder, or a file that is not executable is a UsageError saying what to do', () => {
    const missing = path.join(dir, 'nope');
    expect(() => parse(['p', '--tool', `helm@3.14.0=${missing}`])).toThrow(`--tool "helm@3.14.0=${missing}": ${missing} does not exist; give the path of a helm executable you have (for one on your PATH: --tool helm@3.14.0=$(command -v helm))`);
    expect(() => parse(['p', '--tool', `helm=${folder}`])).toThrow(`${folder} is not a file but a folder; give the path of the helm executable itself`);
    expect(() => parse(['p', '--tool', `terraform@1.8=${notExecutable}`])).toThrow(`${notExecutable} is not executable; make it executable (chmod +x ${notExecutable}) or give another terraform executable`);
  });

  it('bad values end the CLI with exit code 2 and the message on stderr', async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
    expect(await main(['p', '--tool', `bin/helm=${helm}`])).toBe(2);
    expect(await main(['p', '--tool', `helm=${path.join(dir, 'nope')}`])).toBe(2);
    expect(errors[0]).toMatch(/^plugin-conformance: --tool "bin\/helm=.*": the tool name "bin\/helm" contains a path separator/);
    expect(errors[1]).toMatch(/^plugin-conformance: --tool "helm=.*\/nope": .*\/nope does not exist/);
  });

  it('is in --help, and a replay command line keeps it (it changes how the plugin starts)', () => {
    expect(HELP).toContain('--tool NAME[@VERSION]=PATH');
    expect(parse(['p', '--seed', '1', '--tool', `helm=${helm}`]).properties?.commandLine).toEqual(['p', '--tool', `helm=${helm}`]);
  });
});

// Command-line options of release gating: --rules-edition, --release, --expect-version, the github-summary command in
// --help, and replay commands that never repeat a credential.
import { describe, expect, it } from 'vitest';
import { HELP, parseCli } from '../../src/cli.js';
import { UsageError } from '../../src/errors.js';
import type { RunOptions } from '../../src/run.js';

const parse = (argv: string[]) => parseCli(argv) as RunOptions;

describe('--rules-edition', () => {
  it('is absent by default (the current edition gates) and takes 1 or 2', () => {
    expect(parse(['p']).rulesEdition).toBeUndefined();
    expect(parse(['p', '--rules-edition', '1']).rulesEdition).toBe(1);
    expect(parse(['p', '--rules-edition=2']).rulesEdition).toBe(2);
  });

  it('anything but a catalogue edition is a UsageError', () => {
    for (const bad of ['0', '3', 'one', '1.5', '']) {
      expect(() => parse(['p', '--rules-edition', bad]), bad).toThrow(UsageError);
    }
    expect(() => parse(['p', '--rules-edition', '3'])).toThrow('--rules-edition takes a catalogue edition from 1 to 2 (the current one, the default), got "3"');
  });
});

describe('--release and --expect-version', () => {
  it('release checks are off unless asked for; --expect-version implies --release', () => {
    expect(parse(['p'])).not.toHaveProperty('release');
    expect(parse(['p', '--release'])).toMatchObject({ release: true });
    expect(parse(['p', '--expect-version', ' v1.2.0 '])).toMatchObject({ release: true, expectVersion: 'v1.2.0' });
    expect(() => parse(['p', '--expect-version', ' '])).toThrow(/--expect-version needs the version being released/);
  });

  it('--help documents them and the github-summary command', () => {
    expect(HELP).toContain('--rules-edition N');
    expect(HELP).toContain('--release ');
    expect(HELP).toContain('--expect-version V');
    expect(HELP).toContain('plugin-conformance github-summary [RESULTS_JSON] [--exit-code N]');
  });
});

describe('replay command lines', () => {
  it('never repeat a --registry-auth value or URL userinfo', () => {
    const commandLine = parse(['https://ci:t0ken@example.com/p', '--registry-auth', 'bot:s3cret', '--seed', '1', '--rules-edition', '1']).properties?.commandLine;
    expect(commandLine).toEqual(['https://USER:TOKEN@example.com/p', '--registry-auth', 'USER:TOKEN', '--rules-edition', '1']);
    expect(parse(['oci://r.example/me/p:v1', '--registry-auth=bot:s3cret']).properties?.commandLine).toEqual(['oci://r.example/me/p:v1', '--registry-auth', 'USER:TOKEN']);
  });
});

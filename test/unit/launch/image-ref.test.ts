// Bare image references as <plugin>: the Docker reference grammar, and the decision between the path reading and the
// image reading from the facts ("path exists?", "engine available?", "image exists locally?").
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatImageReference, isAmbiguous, parseImageReference, readPluginArgument, SUBCOMMANDS, whyNotAnImage } from '../../../src/launch/image-ref.js';
import { checkTargetRequest, defaultPluginName, prepareTarget } from '../../../src/launch/resolve.js';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const runId = 'test';

function parsed(text: string) {
  const result = parseImageReference(text);
  if (!result.ok) throw new Error(`${text}: ${result.reason}`);
  return result.ref;
}

function reason(text: string): string {
  const result = parseImageReference(text);
  if (result.ok) throw new Error(`${text} parsed as ${JSON.stringify(result.ref)}`);
  return result.reason;
}

describe('parseImageReference: the Docker reference grammar', () => {
  it('names with and without a registry host, tag and digest', () => {
    expect(parsed('my-plugin')).toEqual({ path: 'my-plugin' });
    expect(parsed('plugins/wait')).toEqual({ path: 'plugins/wait' });
    expect(parsed('me/my_plugin.v2__x-y--z:1.2.0')).toEqual({ path: 'me/my_plugin.v2__x-y--z', tag: '1.2.0' });
    expect(parsed('ghcr.io/me/my-plugin:v1.2.0')).toEqual({ domain: 'ghcr.io', path: 'me/my-plugin', tag: 'v1.2.0' });
    expect(parsed(`ghcr.io/me/p@${DIGEST}`)).toEqual({ domain: 'ghcr.io', path: 'me/p', digest: DIGEST });
    expect(parsed(`me/p:v1@${DIGEST}`)).toEqual({ path: 'me/p', tag: 'v1', digest: DIGEST });
    expect(parsed('a/b/c/d')).toEqual({ path: 'a/b/c/d' });
    expect(parsed('p:_tag')).toEqual({ path: 'p', tag: '_tag' });
  });

  it('hosts with ports, localhost, IP addresses; the first component is a host only with a . or : or as localhost', () => {
    expect(parsed('localhost:5000/me/p:v1')).toEqual({ domain: 'localhost:5000', path: 'me/p', tag: 'v1' });
    expect(parsed('localhost/p')).toEqual({ domain: 'localhost', path: 'p' });
    expect(parsed('registry.example.com:8443/team/p')).toEqual({ domain: 'registry.example.com:8443', path: 'team/p' });
    expect(parsed('127.0.0.1:5000/p:latest')).toEqual({ domain: '127.0.0.1:5000', path: 'p', tag: 'latest' });
    expect(parsed('[::1]:5000/p')).toEqual({ domain: '[::1]:5000', path: 'p' });
    expect(parsed('Registry.Example.com/p')).toEqual({ domain: 'Registry.Example.com', path: 'p' }); // hosts may have capitals
    expect(parsed('registry:5000/p')).toEqual({ domain: 'registry:5000', path: 'p' });
    // one component: never a host; `:5000` is then a tag, and `.` a separator inside the name
    expect(parsed('registry:5000')).toEqual({ path: 'registry', tag: '5000' });
    expect(parsed('my.plugin')).toEqual({ path: 'my.plugin' });
    expect(parsed('localhost')).toEqual({ path: 'localhost' });
  });

  it('refuses uppercase repository names, saying so', () => {
    expect(reason('ghcr.io/Me/p:v1')).toBe('repository names must be lowercase ("Me")');
    expect(reason('MyPlugin')).toMatch(/must be lowercase/);
    expect(reason('plugins/Wait')).toMatch(/must be lowercase \("Wait"\)/);
  });

  it('refuses what is not a reference: paths, bad tags, bad digests, bad hosts, separators at the ends', () => {
    expect(reason('')).toBe('it is empty');
    expect(reason('./plugins/wait')).toMatch(/"\." is not a registry host/);
    expect(reason('../p')).toMatch(/"\.\." is not a registry host/);
    expect(reason('/abs/p')).toMatch(/empty path component/);
    expect(reason('plugins/')).toMatch(/empty path component/);
    expect(reason('a//b')).toMatch(/empty path component/);
    expect(reason('-p')).toMatch(/"-p" is not a repository path component/);
    expect(reason('p_')).toMatch(/not a repository path component/);
    expect(reason('a___b')).toMatch(/not a repository path component/);
    expect(reason('p:')).toMatch(/":" is not a tag/);
    expect(reason('p:.v1')).toMatch(/not a tag/);
    expect(reason(`p:${'x'.repeat(129)}`)).toMatch(/not a tag/);
    expect(parsed(`p:${'x'.repeat(128)}`).tag).toHaveLength(128);
    expect(reason('p@sha256:abc')).toMatch(/is not a digest/);
    expect(reason(`p@${DIGEST.toUpperCase()}`)).toMatch(/is not a digest/);
    expect(reason(`p@sha512:${'0'.repeat(64)}`)).toMatch(/is not a digest/);
    expect(reason(':v1')).toBe('it has no repository name');
    expect(reason('bad_host.example/p')).toMatch(/"bad_host.example" is not a registry host/);
    expect(reason('host.example:port/p')).toMatch(/is not a registry host/);
    expect(reason('-host.example/p')).toMatch(/is not a registry host/);
    expect(reason('p with spaces')).toMatch(/not a repository path component/);
    expect(reason(`x/${'a'.repeat(255)}`)).toMatch(/longer than 255/);
  });

  it('writes back what it parsed', () => {
    for (const text of ['p', 'me/p:v1', `localhost:5000/me/p:v1@${DIGEST}`, `ghcr.io/p@${DIGEST}`]) expect(formatImageReference(parsed(text))).toBe(text);
  });
});

describe('the ambiguity rule', () => {
  it('only a reference with no registry host, no tag and no digest could also be a relative path', () => {
    expect(isAmbiguous(parsed('plugins/wait'))).toBe(true);
    expect(isAmbiguous(parsed('my-plugin'))).toBe(true);
    expect(isAmbiguous(parsed('my.plugin'))).toBe(true);
    expect(isAmbiguous(parsed('plugins/wait:v1'))).toBe(false);
    expect(isAmbiguous(parsed(`plugins/wait@${DIGEST}`))).toBe(false);
    expect(isAmbiguous(parsed('ghcr.io/plugins/wait'))).toBe(false);
    expect(isAmbiguous(parsed('localhost/wait'))).toBe(false);
  });
});

describe('readPluginArgument: path or image, from the facts', () => {
  const none = { pathExists: false };

  it('an existing file or folder, a URL and docker: are read as written', () => {
    expect(readPluginArgument('ghcr.io/me/p:v1', { pathExists: true })).toEqual({ reading: 'as-written' });
    expect(readPluginArgument('plugins/wait', { pathExists: true, engineAvailable: true, imageExistsLocally: true })).toEqual({ reading: 'as-written' });
    for (const target of ['docker:me/p', 'oci://r.example/p:v1', 'https://e.example/p', 'file:///x/p', 'ftp://x']) {
      expect(readPluginArgument(target, none)).toEqual({ reading: 'as-written' });
    }
  });

  it('what is not a reference stays a path (and gets "plugin not found")', () => {
    for (const target of ['./plugins/wait', '/abs/p', '../p', 'ghcr.io/Me/p:v1', 'p:']) expect(readPluginArgument(target, none)).toEqual({ reading: 'as-written' });
  });

  it('a reference with a registry host, a tag or a digest is an image, without asking the engine; the notice says so', () => {
    expect(readPluginArgument('ghcr.io/me/p:v1', none)).toEqual({
      reading: 'image',
      image: 'ghcr.io/me/p:v1',
      notice: '"ghcr.io/me/p:v1" is not a file here; testing it as the container image ghcr.io/me/p:v1 (write ./ghcr.io/me/p:v1 for a path)',
    });
    for (const target of ['plugins/wait:v1', `plugins/wait@${DIGEST}`, 'localhost:5000/wait', 'my-plugin:latest']) {
      expect(readPluginArgument(target, none)).toMatchObject({ reading: 'image', image: target });
    }
    // the engine facts do not matter for them (a missing engine or image is reported by the image path itself)
    expect(readPluginArgument('me/p:v1', { pathExists: false, engineAvailable: false })).toMatchObject({ reading: 'image' });
  });

  it('an ambiguous reference asks the engine', () => {
    expect(readPluginArgument('plugins/wait', none)).toEqual({ reading: 'ask-engine', image: 'plugins/wait' });
    expect(readPluginArgument('plugins/wait', { pathExists: false, engineAvailable: true })).toEqual({ reading: 'ask-engine', image: 'plugins/wait' });
  });

  it('ambiguous and the local engine has the image: the image, and the notice says why', () => {
    const reading = readPluginArgument('plugins/wait', { pathExists: false, engineAvailable: true, imageExistsLocally: true });
    expect(reading).toEqual({
      reading: 'image',
      image: 'plugins/wait',
      notice: '"plugins/wait" is not a file here, and the local Docker engine has the image plugins/wait; testing it as that container image (write ./plugins/wait for a path)',
    });
  });

  it('ambiguous and no such image: refused, naming both readings and how to force each', () => {
    const reading = readPluginArgument('plugins/wait', { pathExists: false, engineAvailable: true, imageExistsLocally: false });
    expect(reading.reading).toBe('refused');
    const message = (reading as { message: string }).message;
    expect(message).toContain('"plugins/wait" is neither a file nor a folder here');
    expect(message).toContain('the local Docker engine has no image plugins/wait');
    expect(message).toContain('write ./plugins/wait for a path, or docker:plugins/wait for the container image');
  });

  it('ambiguous and no engine: refused, saying there is no engine and how to start one', () => {
    const problem = 'no Docker engine answers at DOCKER_HOST=unix:///x.sock. Start one (e.g. `dockerd`).';
    const reading = readPluginArgument('plugins/wait', { pathExists: false, engineAvailable: false, engineProblem: problem });
    expect(reading.reading).toBe('refused');
    const message = (reading as { message: string }).message;
    expect(message).toContain(`needs a Docker engine: ${problem}`);
    expect(message).toContain('write ./plugins/wait for a path, or docker:plugins/wait for the container image');
  });

  it('subcommand names are never read as an image (docker:NAME forces one); rules is reserved', () => {
    expect(SUBCOMMANDS).toContain('rules');
    for (const name of SUBCOMMANDS) {
      const reading = readPluginArgument(name, { pathExists: false, engineAvailable: true, imageExistsLocally: true });
      expect(reading.reading).toBe('refused');
      expect((reading as { message: string }).message).toContain(`write ./${name} for a path, or docker:${name} for the container image`);
    }
    expect(readPluginArgument('docker:list', none)).toEqual({ reading: 'as-written' });
    expect(readPluginArgument('rules:v1', none)).toMatchObject({ reading: 'image', image: 'rules:v1' });
    expect(readPluginArgument('rules', { pathExists: true })).toEqual({ reading: 'as-written' });
  });

  it('"plugin not found" explains why a reference-looking argument is no image either', () => {
    expect(whyNotAnImage('ghcr.io/Me/p:v1')).toBe('repository names must be lowercase ("Me")');
    expect(whyNotAnImage('./no/such/plugin')).toBeUndefined();
    expect(whyNotAnImage('plugins/wait')).toBeUndefined();
    expect(whyNotAnImage('https://e.example/P')).toBeUndefined();
  });
});

describe('bare references in resolve.ts (no engine needed)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pc-image-ref-'));
  mkdirSync(path.join(dir, 'plugins', 'wait', 'bin'), { recursive: true });
  writeFileSync(path.join(dir, 'plugins', 'wait', 'bin', 'wait'), '#!/bin/sh\n', { mode: 0o755 });

  it('--pull is accepted with a bare reference, still refused with a path', () => {
    expect(() => checkTargetRequest({ runId, target: 'ghcr.io/me/p:v1', pull: true })).not.toThrow();
    expect(() => checkTargetRequest({ runId, target: './p', pull: true })).toThrow(/--pull only applies to container images/);
  });

  it('the default plugin name of a bare reference is its last path component; an existing path stays a path', () => {
    expect(defaultPluginName({ runId, target: 'ghcr.io/me/my-plugin:v1.2.0' }, dir)).toBe('my-plugin');
    expect(defaultPluginName({ runId, target: `localhost:5000/team/other@${DIGEST}` }, dir)).toBe('other');
    expect(defaultPluginName({ runId, target: 'plugins/wait' }, dir)).toBe('wait');
  });

  it('an existing folder that also parses as a reference is the path, and nothing is printed', async () => {
    const lines: string[] = [];
    const spec = await prepareTarget({ runId, target: 'plugins/wait', notify: (line) => lines.push(line) }, 'wait', dir);
    expect(spec).toMatchObject({ kind: 'binary', executable: path.join(dir, 'plugins', 'wait', 'bin', 'wait') });
    expect(lines).toEqual([]);
    await expect(prepareTarget({ runId, target: 'plugins/wait', pull: true }, 'wait', dir)).rejects.toThrow(/--pull only applies to container images, and plugins\/wait is a file or folder here: write docker:plugins\/wait/);
  });

  it('a reserved name and an invalid reference end with the reason', async () => {
    await expect(prepareTarget({ runId, target: 'list' }, 'list', dir)).rejects.toThrow(/"list" is a plugin-conformance command name \(reserved\)/);
    await expect(prepareTarget({ runId, target: 'ghcr.io/Me/p:v1' }, 'p', dir)).rejects.toThrow(
      /plugin not found: ghcr\.io\/Me\/p:v1 .*As a container image reference it is not valid either: repository names must be lowercase \("Me"\)/,
    );
    await expect(prepareTarget({ runId, target: 'localhost:5000/Me/p' }, 'p', dir)).rejects.toThrow(/unknown kind of plugin.*must be lowercase/);
  });
});

describe('SUBCOMMANDS', () => {
  it('holds every subcommand --help lists, so none of them is ever read as an image', async () => {
    const { HELP } = await import('../../../src/cli.js');
    const listed = [...HELP.matchAll(/^ {2}plugin-conformance ([a-z][a-z-]*)\b/gm)].map((m) => m[1]);
    expect(listed).toContain('rules');
    for (const name of listed) expect(SUBCOMMANDS, `${name} is a subcommand in --help`).toContain(name);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SetupError, UsageError } from '../../../src/errors.js';
import { credentialsFor, parseRegistryAuth } from '../../../src/launch/registry-auth.js';
import { fetchPlugin } from '../../../src/launch/url.js';
import { files, startHttpsServer, type TestHttpsServer } from '../../support/servers.js';

const PLUGIN = Buffer.from('#!/bin/sh\necho downloaded\n');
let server: TestHttpsServer;
let cacheDir: string;

beforeAll(async () => {
  server = await startHttpsServer(files({ '/plugin': { body: PLUGIN }, '/empty': { body: '' }, '/moved': { status: 302, headers: { Location: '/plugin' } } }));
  cacheDir = mkdtempSync(path.join(os.tmpdir(), 'pc-cache-'));
});

afterAll(async () => {
  await server.close();
});

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = (await promise.then(() => undefined, (e: unknown) => e)) as Error;
  expect(error).toBeInstanceOf(Error);
  return error;
}

describe('fetchPlugin over https://', () => {
  it('downloads into <cache>/plugins/<hash>/<name>, mode 0755, alone in its folder (as piped places it)', async () => {
    const file = await fetchPlugin(`${server.origin}/plugin`, { name: 'my-plugin', caCertFile: server.caFile, cacheDir });
    expect(path.basename(file)).toBe('my-plugin');
    expect(readFileSync(file)).toEqual(PLUGIN);
    expect(statSync(file).mode & 0o777).toBe(0o755);
    expect(readdirSync(path.dirname(file))).toEqual(['my-plugin']);
  });

  it('follows redirects', async () => {
    const file = await fetchPlugin(`${server.origin}/moved`, { name: 'p', caCertFile: server.caFile, cacheDir });
    expect(readFileSync(file)).toEqual(PLUGIN);
  });

  it('HTTP 404: says which URL answered what, and that piped needs 200', async () => {
    const error = await failure(fetchPlugin(`${server.origin}/missing`, { name: 'p', caCertFile: server.caFile, cacheDir }));
    expect(error).toBeInstanceOf(SetupError);
    expect(error.message).toBe(`cannot download the plugin: HTTP 404 for GET ${server.origin}/missing; piped requires 200. Check the URL.`);
  });

  it('an untrusted certificate: points at --ca-cert', async () => {
    const error = await failure(fetchPlugin(`${server.origin}/plugin`, { name: 'p', cacheDir }));
    expect(error.message).toMatch(/self-signed certificate; the server certificate is not signed by a trusted CA: pass --ca-cert FILE/);
  });

  it('an empty download is refused', async () => {
    const error = await failure(fetchPlugin(`${server.origin}/empty`, { name: 'p', caCertFile: server.caFile, cacheDir }));
    expect(error.message).toContain('the plugin is an empty file');
  });

  it('--ca-cert that is not PEM is a usage error', async () => {
    const notPem = path.join(cacheDir, 'not.pem');
    writeFileSync(notPem, 'hello');
    const error = await failure(fetchPlugin(`${server.origin}/plugin`, { name: 'p', caCertFile: notPem, cacheDir }));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain('not a PEM certificate');
  });
});

describe('registry credentials', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pc-docker-config-'));
  const config = (value: unknown) => {
    const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(value));
    return file;
  };

  it('--registry-auth user:pass (the password may hold colons)', () => {
    expect(parseRegistryAuth('ci:se:cret')).toEqual({ username: 'ci', password: 'se:cret', source: '--registry-auth' });
    expect(() => parseRegistryAuth('nocolon')).toThrow(/--registry-auth takes user:password/);
  });

  it('explicit credentials win over the Docker config', () => {
    const explicit = parseRegistryAuth('a:b');
    expect(credentialsFor('r.example', explicit, config({ auths: { 'r.example': { auth: Buffer.from('x:y').toString('base64') } } })).credentials).toBe(explicit);
  });

  it('reads an auths entry keyed by host or by URL, base64 `auth` or username/password', () => {
    const file = config({ auths: { 'https://r.example': { auth: Buffer.from('u:p:w').toString('base64') }, '127.0.0.1:5000': { username: 'v', password: 'q' } } });
    expect(credentialsFor('r.example', undefined, file).credentials).toMatchObject({ username: 'u', password: 'p:w' });
    expect(credentialsFor('127.0.0.1:5000', undefined, file).credentials).toMatchObject({ username: 'v', password: 'q' });
  });

  it('says why none were found: no file, no entry, or a credential helper', () => {
    expect(credentialsFor('r.example', undefined, path.join(dir, 'none.json')).notes[0]).toMatch(/^no Docker config at /);
    const notes = credentialsFor('r.example', undefined, config({ auths: {}, credsStore: 'desktop' })).notes;
    expect(notes.join('; ')).toMatch(/no auths entry for r.example in .*; credential helpers \(docker-credential-desktop\) are not supported; pass --registry-auth/);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { SetupError } from '../../../src/errors.js';
import { goPlatform, MEDIA, parseOciUrl, PLUGIN_MEDIA_TYPE, pullOciPlugin, type Platform } from '../../../src/launch/oci.js';
import { startHttpServer, type Answer, type TestServer } from '../../support/servers.js';

const LINUX_AMD64: Platform = { os: 'linux', architecture: 'amd64' };
const servers: TestServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function manifestFor(layers: { mediaType: string; data: Buffer }[]): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: digest('{}'), size: 2 },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: digest(l.data), size: l.data.length })),
  });
}

/** A registry holding one repository `me/plugin`: `tags` map to manifest or index documents; `blobs` by digest. */
async function registry(tags: Record<string, string>, blobs: Buffer[], extra: Record<string, string> = {}, guard?: (authorization?: string) => Answer | undefined): Promise<TestServer> {
  const documents: Record<string, string> = { ...extra };
  for (const [tag, doc] of Object.entries(tags)) documents[tag] = documents[digest(doc)] = doc;
  const server = await startHttpServer((request) => {
    const denied = guard?.(request.headers.authorization);
    if (denied) return denied;
    const match = /^\/v2\/me\/plugin\/(manifests|blobs)\/(.+)$/.exec(request.url ?? '');
    if (!match) return undefined;
    if (match[1] === 'blobs') {
      const blob = blobs.find((b) => digest(b) === match[2]) ?? (extra[match[2]] !== undefined ? Buffer.from(extra[match[2]]) : undefined);
      return blob ? { body: blob } : undefined;
    }
    const doc = documents[match[2]];
    return doc === undefined ? { status: 404, body: JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }) } : { headers: { 'Content-Type': JSON.parse(doc).mediaType ?? '' }, body: doc };
  });
  servers.push(server);
  return server;
}

function url(server: TestServer, reference: string): string {
  return `oci://${server.origin.replace('http://', '')}/me/plugin${reference}`;
}

async function pullError(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(SetupError);
  return (error as Error).message;
}

describe('parseOciUrl', () => {
  it('splits host, repository and tag; the tag defaults to latest', () => {
    expect(parseOciUrl('oci://127.0.0.1:5000/me/plugin:v1')).toEqual({ registry: '127.0.0.1:5000', repository: 'me/plugin', reference: 'v1' });
    expect(parseOciUrl('oci://ghcr.io/pipe-cd/plugin')).toEqual({ registry: 'ghcr.io', repository: 'pipe-cd/plugin', reference: 'latest' });
  });

  it('a digest wins over a tag, as in piped', () => {
    const d = `sha256:${'a'.repeat(64)}`;
    expect(parseOciUrl(`oci://r.example/me/plugin:v1@${d}`)).toEqual({ registry: 'r.example', repository: 'me/plugin', reference: d });
  });

  it('rejects a URL without repository, and a malformed digest', () => {
    expect(() => parseOciUrl('oci://r.example/')).toThrow(/no repository/);
    expect(() => parseOciUrl('oci://r.example/me/p@sha256:xyz')).toThrow(/not a sha256 digest/);
  });
});

describe('goPlatform', () => {
  it('names Node platforms as Go does', () => {
    expect(goPlatform('linux', 'x64')).toEqual(LINUX_AMD64);
    expect(goPlatform('darwin', 'arm64')).toEqual({ os: 'darwin', architecture: 'arm64' });
    expect(goPlatform('win32', 'ia32')).toEqual({ os: 'windows', architecture: '386' });
  });
});

describe('pullOciPlugin', () => {
  const binary = Buffer.from('#!/bin/sh\necho plugin\n');
  const other = Buffer.from('darwin build');

  function indexOf(entries: { platform: Platform; manifest: string }[]): string {
    return JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.index, manifests: entries.map((e) => ({ mediaType: MEDIA.manifest, digest: digest(e.manifest), size: e.manifest.length, platform: e.platform })) });
  }

  it('picks the index entry for this platform and returns its plugin layer (plain HTTP on loopback)', async () => {
    const linux = manifestFor([{ mediaType: PLUGIN_MEDIA_TYPE, data: binary }]);
    const darwin = manifestFor([{ mediaType: PLUGIN_MEDIA_TYPE, data: other }]);
    const server = await registry({ v1: indexOf([{ platform: { os: 'darwin', architecture: 'arm64' }, manifest: darwin }, { platform: LINUX_AMD64, manifest: linux }]) }, [binary, other], { [digest(linux)]: linux, [digest(darwin)]: darwin });
    expect(await pullOciPlugin(url(server, ':v1'), { platform: LINUX_AMD64 })).toEqual(binary);
  });

  it('a single manifest (no index) is used as is, as piped does', async () => {
    const server = await registry({ v1: manifestFor([{ mediaType: PLUGIN_MEDIA_TYPE, data: binary }]) }, [binary]);
    expect(await pullOciPlugin(url(server, ':v1'), { platform: LINUX_AMD64 })).toEqual(binary);
  });

  it('pulls by digest', async () => {
    const manifest = manifestFor([{ mediaType: PLUGIN_MEDIA_TYPE, data: binary }]);
    const server = await registry({ v1: manifest }, [binary]);
    expect(await pullOciPlugin(url(server, `@${digest(manifest)}`), { platform: LINUX_AMD64 })).toEqual(binary);
  });

  it('wrong platform: says which platform was wanted and which the artifact offers', async () => {
    const darwin = manifestFor([{ mediaType: PLUGIN_MEDIA_TYPE, data: other }]);
    const server = await registry({ v1: indexOf([{ platform: { os: 'darwin', architecture: 'arm64' }, manifest: darwin }]) }, [other], { [digest(darwin)]: darwin });
    const message = await pullError(pullOciPlugin(url(server, ':v1'), { platform: LINUX_AMD64 }));
    expect(message).toContain('no build for linux/amd64');
    expect(message).toContain('the artifact offers: darwin/arm64');
  });

  it('wrong media type: names the layer media types found', async () => {
    const server = await registry({ v1: manifestFor([{ mediaType: 'application/octet-stream', data: binary }]) }, [binary]);
    const message = await pullError(pullOciPlugin(url(server, ':v1'), { platform: LINUX_AMD64 }));
    expect(message).toContain(`has no layer of media type ${PLUGIN_MEDIA_TYPE} (its layers: application/octet-stream)`);
  });

  it('a container image is not a plugin artifact: points at docker:<image>', async () => {
    const image = JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.dockerManifest, config: {}, layers: [] });
    const server = await registry({ v1: image }, []);
    const message = await pullError(pullOciPlugin(url(server, ':v1'), { platform: LINUX_AMD64 }));
    expect(message).toContain(`returned a ${MEDIA.dockerManifest}, i.e. a container image`);
    expect(message).toContain('docker:<image>');
  });

  it('digest mismatch: a blob whose bytes do not match its descriptor is refused', async () => {
    const manifest = manifestFor([{ mediaType: PLUGIN_MEDIA_TYPE, data: binary }]);
    const server = await registry({ v1: manifest }, [], { [digest(binary)]: 'tampered bytes' });
    const message = await pullError(pullOciPlugin(url(server, ':v1'), { platform: LINUX_AMD64 }));
    expect(message).toMatch(new RegExp(`digest mismatch for layer ${digest(binary)}.*expected ${digest(binary)}, got ${digest('tampered bytes')}`));
  });

  it('digest mismatch: a manifest asked for by digest must hash to it', async () => {
    const wanted = `sha256:${'b'.repeat(64)}`;
    const server = await registry({}, [], { [wanted]: manifestFor([{ mediaType: PLUGIN_MEDIA_TYPE, data: binary }]) });
    const message = await pullError(pullOciPlugin(url(server, `@${wanted}`), { platform: LINUX_AMD64 }));
    expect(message).toContain(`digest mismatch for manifest ${wanted}`);
  });

  it('HTTP 404: names the tag, the repository and the request', async () => {
    const server = await registry({}, []);
    const message = await pullError(pullOciPlugin(url(server, ':v9'), { platform: LINUX_AMD64 }));
    expect(message).toContain(`the registry has no tag v9 in repository me/plugin (HTTP 404 for GET ${server.origin}/v2/me/plugin/manifests/v9: MANIFEST_UNKNOWN manifest unknown)`);
  });

  describe('authentication', () => {
    const manifest = manifestFor([{ mediaType: PLUGIN_MEDIA_TYPE, data: binary }]);
    const basicOk = `Basic ${Buffer.from('ci:secret').toString('base64')}`;
    const basicGuard = (authorization?: string): Answer | undefined =>
      authorization === basicOk ? undefined : { status: 401, headers: { 'WWW-Authenticate': 'Basic realm="test"' } };

    it('answers a Basic challenge with the credentials', async () => {
      const server = await registry({ v1: manifest }, [binary], {}, basicGuard);
      const credentials = { username: 'ci', password: 'secret', source: '--registry-auth' };
      expect(await pullOciPlugin(url(server, ':v1'), { platform: LINUX_AMD64, credentials })).toEqual(binary);
    });

    it('without credentials: says how to give some, and why none were found', async () => {
      const server = await registry({ v1: manifest }, [binary], {}, basicGuard);
      const message = await pullError(pullOciPlugin(url(server, ':v1'), { platform: LINUX_AMD64, credentialNotes: ['no Docker config at /x/config.json'] }));
      expect(message).toContain('the registry requires credentials (HTTP 401');
      expect(message).toContain('(no Docker config at /x/config.json)');
      expect(message).toContain('--registry-auth user:password');
    });

    it('wrong credentials: says they were refused and where they came from', async () => {
      const server = await registry({ v1: manifest }, [binary], {}, basicGuard);
      const credentials = { username: 'ci', password: 'wrong', source: '--registry-auth' };
      const message = await pullError(pullOciPlugin(url(server, ':v1'), { platform: LINUX_AMD64, credentials }));
      expect(message).toContain('the registry refused the credentials from --registry-auth for user "ci" (HTTP 401');
    });

    it('follows a Bearer challenge to the token endpoint with the credentials and the pull scope', async () => {
      let tokenRequest = '';
      let tokenAuthorization: string | undefined;
      const server = await registry({ v1: manifest }, [binary], {}, (authorization) => (authorization === 'Bearer t0k3n' ? undefined : { status: 401, headers: { 'WWW-Authenticate': `Bearer realm="${tokenOrigin}/token",service="test-registry"` } }));
      const tokens = await startHttpServer((request) => {
        tokenRequest = request.url ?? '';
        tokenAuthorization = request.headers.authorization;
        return { body: JSON.stringify({ token: 't0k3n' }) };
      });
      servers.push(tokens);
      const tokenOrigin = tokens.origin;
      const credentials = { username: 'ci', password: 'secret', source: 'test' };
      expect(await pullOciPlugin(url(server, ':v1'), { platform: LINUX_AMD64, credentials })).toEqual(binary);
      expect(tokenRequest).toBe('/token?service=test-registry&scope=repository%3Ame%2Fplugin%3Apull');
      expect(tokenAuthorization).toBe(basicOk);
    });
  });
});

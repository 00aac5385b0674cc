// readOciIndex (RELEASE-002's facts) and releaseSpecOf against a scripted local registry: every index entry's manifest
// is read (not its blobs), a manifest that cannot be read becomes an entry error, credentials come from --registry-auth.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { checkOciPlatforms } from '../../../src/contract/checks/release.js';
import { MEDIA, PLUGIN_MEDIA_TYPE, readOciIndex } from '../../../src/launch/oci.js';
import { releaseSpecOf } from '../../../src/launch/release-facts.js';
import { startHttpServer, type Answer, type TestServer } from '../../support/servers.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const digest = (data: string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

function manifest(layers: string[]): string {
  return JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.manifest, config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: digest('{}'), size: 2 }, layers: layers.map((m, i) => ({ mediaType: m, digest: digest(`layer ${i}`), size: 7 })) });
}

/** A registry with repository me/plugin: tag v1 → `top`; `documents` by digest; `missing` digests answer 404. */
async function registry(top: string, documents: string[], guard?: (authorization?: string) => boolean): Promise<TestServer> {
  const byRef = new Map<string, string>([['v1', top], ...documents.map((d): [string, string] => [digest(d), d])]);
  const server = await startHttpServer((request): Answer | undefined => {
    if (guard && !guard(request.headers.authorization)) return { status: 401, headers: { 'WWW-Authenticate': 'Basic realm="r"' } };
    const match = /^\/v2\/me\/plugin\/manifests\/(.+)$/.exec(request.url ?? '');
    const doc = match ? byRef.get(decodeURIComponent(match[1])) : undefined;
    return doc === undefined ? { status: 404, body: JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }) } : { headers: { 'Content-Type': JSON.parse(doc).mediaType }, body: doc };
  });
  servers.push(server);
  return server;
}

const urlOf = (server: TestServer) => `oci://${server.origin.replace('http://', '')}/me/plugin:v1`;

function indexOf(entries: { platform: string; doc: string }[], extra: { platform: string; digest: string }[] = []): string {
  const manifests = [
    ...entries.map((e) => ({ mediaType: MEDIA.manifest, digest: digest(e.doc), size: e.doc.length, platform: { os: e.platform.split('/')[0], architecture: e.platform.split('/')[1] } })),
    ...extra.map((e) => ({ mediaType: MEDIA.manifest, digest: e.digest, size: 10, platform: { os: e.platform.split('/')[0], architecture: e.platform.split('/')[1] } })),
  ];
  return JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.index, manifests });
}

describe('readOciIndex', () => {
  it('lists every entry with its platform and layer media types; a complete release passes RELEASE-002', async () => {
    const docs = ['linux/amd64', 'linux/arm64', 'darwin/amd64', 'darwin/arm64'].map((platform) => ({ platform, doc: manifest([PLUGIN_MEDIA_TYPE]).replace('"schemaVersion":2', `"schemaVersion":2,"annotations":{"p":"${platform}"}`) }));
    const top = indexOf(docs);
    const server = await registry(top, docs.map((d) => d.doc));
    const facts = await readOciIndex(urlOf(server));
    expect(facts).toMatchObject({ url: urlOf(server), mediaType: MEDIA.index, digest: digest(top) });
    expect(facts.entries.map((e) => [e.platform, e.layers])).toEqual(docs.map((d) => [d.platform, [PLUGIN_MEDIA_TYPE]]));
    expect(checkOciPlatforms(facts)).toEqual([]);
    expect(server.requests.every((r) => r.path.includes('/manifests/'))).toBe(true);
  });

  it('an entry whose manifest is missing is an entry error, the rest are still read', async () => {
    const good = { platform: 'linux/amd64', doc: manifest([PLUGIN_MEDIA_TYPE]) };
    const server = await registry(indexOf([good], [{ platform: 'linux/arm64', digest: `sha256:${'0'.repeat(64)}` }]), [good.doc]);
    const facts = await readOciIndex(urlOf(server));
    expect(facts.entries[0]).toMatchObject({ platform: 'linux/amd64', layers: [PLUGIN_MEDIA_TYPE] });
    expect(facts.entries[1].platform).toBe('linux/arm64');
    expect(facts.entries[1].error).toMatch(/the registry has no manifest sha256:0{64}/);
  });

  it('a tag naming a single manifest has no entries', async () => {
    const single = manifest([PLUGIN_MEDIA_TYPE]);
    const server = await registry(single, []);
    expect(await readOciIndex(urlOf(server))).toEqual({ url: urlOf(server), mediaType: MEDIA.manifest, digest: digest(single), entries: [] });
  });
});

describe('releaseSpecOf', () => {
  it('carries --expect-version; reads the index of an oci:// target with --registry-auth', async () => {
    const doc = manifest([PLUGIN_MEDIA_TYPE]);
    const basic = `Basic ${Buffer.from('ci:pw').toString('base64')}`;
    const server = await registry(indexOf([{ platform: 'linux/amd64', doc }]), [doc], (authorization) => authorization === basic);
    const spec = await releaseSpecOf({ target: urlOf(server), expectVersion: 'v1', registryAuth: { username: 'ci', password: 'pw', source: '--registry-auth' } });
    expect(spec.expectVersion).toBe('v1');
    expect(spec.oci && 'entries' in spec.oci ? spec.oci.entries.map((e) => e.platform) : spec.oci).toEqual(['linux/amd64']);
  });

  it('no index for other targets; an unreadable index is recorded, not thrown', async () => {
    expect(await releaseSpecOf({ target: '/bin/plugin' })).toEqual({});
    expect(await releaseSpecOf({ expectVersion: '1.0.0' })).toEqual({ expectVersion: '1.0.0' });
    const server = await registry('{}', [], () => false);
    const spec = await releaseSpecOf({ target: urlOf(server) });
    expect(spec.oci).toEqual({ url: urlOf(server), error: expect.stringContaining('the registry requires credentials') });
  });
});

// Provenance of results.json: protocol revision from the protos' headers, plugin identity by content, options without
// secrets.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVICE_FILES } from '../../../src/protocol/load.js';
import { fileSha256, pluginIdentity, protocolRevision, provenanceOf, publicOptions, withoutUserinfo } from '../../../src/report/provenance.js';
import type { RunOptions } from '../../../src/run.js';

const BASE: RunOptions = { outDir: 'reports', only: [], skip: [], readyTimeoutMs: 30_000, graceMs: 30_000 };

function protoRootWith(headers: (string | undefined)[]): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'pc-proto-'));
  SERVICE_FILES.forEach((file, i) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), `${headers[i] ?? '// no header'}\nsyntax = "proto3";\n`);
  });
  return root;
}

describe('withoutUserinfo', () => {
  it('removes user[:password]@ from every URL, nothing else', () => {
    expect(withoutUserinfo('https://ci:t0ken@example.com/dl/p (fetched to /x)')).toBe('https://example.com/dl/p (fetched to /x)');
    expect(withoutUserinfo('oci://bot@r.example:5000/me/p:v1')).toBe('oci://r.example:5000/me/p:v1');
    expect(withoutUserinfo('/path/with@sign and me@example.com')).toBe('/path/with@sign and me@example.com');
    expect(withoutUserinfo('file:///abs/p')).toBe('file:///abs/p');
  });
});

describe('protocolRevision', () => {
  it('the bundled protos mirror pipecd at commit 0b949bb7aac9', () => {
    expect(protocolRevision()).toEqual({ module: 'github.com/pipe-cd/pipecd', version: 'v0.54.0-rc1.0.20250912082650-0b949bb7aac9', commit: '0b949bb7aac9' });
  });

  it('a --proto-root: its headers if they agree; a tag has no commit; no or mixed headers give null', () => {
    const header = (v: string) => `// Wire schema mirrored from pipe-cd/pipecd x.proto (module version ${v}).`;
    const tagged = protoRootWith(SERVICE_FILES.map(() => header('v0.55.0')));
    expect(protocolRevision(tagged)).toEqual({ module: 'github.com/pipe-cd/pipecd', version: 'v0.55.0', commit: null, protoRoot: tagged });
    const pseudo = protoRootWith(SERVICE_FILES.map(() => header('v0.0.0-20260101120000-abcdef012345')));
    expect(protocolRevision(pseudo).commit).toBe('abcdef012345');
    expect(protocolRevision(protoRootWith([]))).toMatchObject({ version: null, commit: null });
    expect(protocolRevision(protoRootWith([header('v0.55.0'), header('v0.56.0')]))).toMatchObject({ version: null, commit: null });
  });
});

describe('pluginIdentity', () => {
  it('a binary by the sha256 of its bytes', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'pc-bin-')), 'plugin');
    writeFileSync(file, 'abc');
    const sha = 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    expect(fileSha256(file)).toBe(sha);
    expect(await pluginIdentity({ kind: 'binary', executable: file, url: `file://${file}` })).toEqual({ kind: 'binary', executable: file, sha256: sha });
    expect(fileSha256('/no/such/file')).toBeNull();
  });

  it("a container image by the engine's id and registry digest; nulls without an engine", async () => {
    const repoDigest = `sha256:${'b'.repeat(64)}`;
    const inspect = async () => ({ Id: `sha256:${'a'.repeat(64)}`, RepoDigests: [`ghcr.io/me/p@${repoDigest}`] });
    expect(await pluginIdentity({ kind: 'container', image: 'ghcr.io/me/p:v1', labels: {} }, inspect)).toEqual({
      kind: 'container', image: 'ghcr.io/me/p:v1', imageId: `sha256:${'a'.repeat(64)}`, digest: repoDigest, repoDigests: [`ghcr.io/me/p@${repoDigest}`],
    });
    expect(await pluginIdentity({ kind: 'container', image: 'local:dev', labels: {} }, async () => undefined)).toEqual({ kind: 'container', image: 'local:dev', imageId: null, digest: null, repoDigests: [] });
  });

  it('an attached plugin by its address only', async () => {
    expect(await pluginIdentity({ kind: 'address', address: '127.0.0.1:7001', port: 7001, url: 'x' })).toEqual({ kind: 'address', address: '127.0.0.1:7001' });
  });
});

describe('publicOptions', () => {
  it('fills the defaults: current rules edition, release off', () => {
    expect(publicOptions(BASE)).toEqual({
      pull: false, apps: [], allowNotExercised: false, outDir: 'reports', only: [], skip: [], readyTimeoutMs: 30_000, graceMs: 30_000, strict: false, tools: [],
      properties: { replayFile: false }, rulesEdition: 2, release: false,
    });
  });

  it('drops --registry-auth and URL userinfo, keeps what reproduces the run', () => {
    const options: RunOptions = {
      ...BASE,
      target: 'https://ci:t0ken@example.com/p',
      registryAuth: { username: 'ci', password: 's3cret', source: '--registry-auth' },
      tools: [{ name: 'helm', version: '3.14.0', path: '/usr/bin/helm' }],
      properties: { seed: 7, runs: 10, replay: { property: 'PLAN-010', path: '0:1' }, commandLine: ['--registry-auth', 'ci:s3cret'] },
      rulesEdition: 1,
      expectVersion: 'v1.2.0',
      strict: true,
    };
    const shown = publicOptions(options);
    expect(JSON.stringify(shown)).not.toMatch(/s3cret|t0ken/);
    expect(shown).toMatchObject({ target: 'https://example.com/p', tools: [{ name: 'helm', version: '3.14.0', path: '/usr/bin/helm' }], properties: { seed: 7, runs: 10, replay: 'PLAN-010:0:1', replayFile: false }, rulesEdition: 1, release: true, expectVersion: 'v1.2.0', strict: true });
    expect(shown).not.toHaveProperty('registryAuth');
  });

  it('provenanceOf puts it together', async () => {
    const provenance = await provenanceOf(BASE, { kind: 'address', address: '127.0.0.1:1', port: 1, url: 'x' }, 99);
    expect(provenance).toMatchObject({ harness: { name: 'plugin-conformance' }, catalogueEdition: 2, protocol: { commit: '0b949bb7aac9' }, plugin: { kind: 'address' }, seed: 99 });
    expect(provenance.harness.version).toMatch(/^\d+\.\d+\.\d+/);
  });
});

// --tool seeds in the fake piped's InstallTool, over real gRPC as a plugin calls it: a seeded name-version is answered
// with a copy of the user's file and the install script never runs; everything else is installed as before.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { startFakePiped, type RunningHost, type SeededTool } from '../../../src/host/index.js';
import { offlineHint } from '../../../src/host/install-tool.js';
import { loadProtocol } from '../../../src/protocol/load.js';

const protocol = loadProtocol();
const dir = mkdtempSync(path.join(os.tmpdir(), 'tool-seeds-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An executable the user "already has": prints its label. */
function executable(label: string): string {
  const file = path.join(dir, label);
  writeFileSync(file, `#!/bin/sh\necho ${label}\n`, { mode: 0o755 });
  return file;
}

const helm314 = executable('helm-3.14.0-binary');
const helmAny = executable('helm-any-binary');

/** A script that records that it ran, then fails as a download does offline. */
function offlineDownload(marker: string): string {
  return `echo ran >> ${marker}; echo "curl: (6) Could not resolve host: get.helm.sh" >&2; exit 6`;
}
const writeTool = `printf '#!/bin/sh\\necho {{ .Name }} {{.Version}} by script\\n' > {{ .OutPath }}`;

type Answer = { ok: true; value: any } | { ok: false; code: number; details: string };

const open: { host: RunningHost; client: any }[] = [];
afterEach(async () => {
  for (const { host, client } of open.splice(0)) {
    client.close();
    await host.close();
  }
});

async function fakePiped(tools?: SeededTool[]) {
  const host = await startFakePiped(protocol, tools ? { tools } : {});
  const client = new protocol.clients.pluginService(host.address, grpc.credentials.createInsecure()) as any;
  open.push({ host, client });
  const installTool = (name: string, version: string, install_script: string) =>
    new Promise<Answer>((resolve) => {
      client.InstallTool({ name, version, install_script }, { deadline: Date.now() + 10_000 }, (error: grpc.ServiceError | null, value: any) =>
        resolve(error ? { ok: false, code: error.code, details: error.details } : { ok: true, value }));
    });
  return { host, installTool };
}

const run = (file: string) => execFileSync(file, { encoding: 'utf8' }).trim();

describe('InstallTool with --tool seeds', () => {
  test('a script that fails offline: UNKNOWN naming the tool, version and --tool; with the seed the same request succeeds without running it', async () => {
    const marker = path.join(dir, 'ran-1');
    const without = await fakePiped();
    const failed = await without.installTool('helm', '3.14.0', offlineDownload(marker));
    expect(failed).toMatchObject({ ok: false, code: grpc.status.UNKNOWN });
    const details = (failed as { details: string }).details;
    expect(details).toContain('install tool helm-3.14.0: install script exited with code 6');
    expect(details).toContain('the plugin asked for tool "helm" version "3.14.0"');
    expect(details).toContain('--tool helm@3.14.0=PATH');
    expect(details).toMatch(/last output lines:\ncurl: \(6\) Could not resolve host/);
    // The journal records what the plugin was told (the run's setup error repeats it when the plugin does not start).
    expect(without.host.journal().find((e) => e.rpc === 'InstallTool')?.status?.details).toBe(details);
    expect(readFileSync(marker, 'utf8')).toBe('ran\n');

    const seeded = await fakePiped([{ name: 'helm', version: '3.14.0', path: helm314 }]);
    const answer = await seeded.installTool('helm', '3.14.0', offlineDownload(marker));
    const installed = path.join(seeded.host.toolsDir, 'helm-3.14.0');
    expect(answer).toEqual({ ok: true, value: { installed_path: installed } });
    expect(readFileSync(marker, 'utf8')).toBe('ran\n'); // the script did not run a second time
    expect(run(installed)).toBe('helm-3.14.0-binary');
  });

  test('the answer is a regular 0755 copy in the tools folder (not a link to the user file), which is left untouched', async () => {
    const before = statSync(helm314);
    const { host, installTool } = await fakePiped([{ name: 'helm', version: '3.14.0', path: helm314 }]);
    const answer = await installTool('helm', '3.14.0', 'exit 1');
    const installed = (answer as { value: { installed_path: string } }).value.installed_path;
    expect(path.dirname(installed)).toBe(host.toolsDir);
    expect(lstatSync(installed).isSymbolicLink()).toBe(false);
    expect(statSync(installed).ino).not.toBe(before.ino);
    expect(statSync(installed).mode & 0o777).toBe(0o755);
    expect(readFileSync(installed, 'utf8')).toBe(readFileSync(helm314, 'utf8'));
    expect(statSync(helm314).mtimeMs).toBe(before.mtimeMs);
    // Again: the cached copy, as piped's cache answers a name-version it holds.
    expect(await installTool('helm', '3.14.0', 'exit 1')).toEqual({ ok: true, value: { installed_path: installed } });
    // SVC-015's evidence says where the tool came from.
    expect(host.installedTools()).toEqual([expect.objectContaining({ name: 'helm', version: '3.14.0', installedPath: installed, seededFrom: helm314 })]);
  });

  test('NAME@VERSION matches that version only: another version of the tool runs its script as before', async () => {
    const { host, installTool } = await fakePiped([{ name: 'helm', version: '3.14.0', path: helm314 }]);
    const other = await installTool('helm', '3.15.0', 'exit 1');
    expect(other).toMatchObject({ ok: false, code: grpc.status.UNKNOWN });
    expect((other as { details: string }).details).toContain('--tool helm@3.15.0=PATH');
    expect(await installTool('helm', '3.13.0', writeTool)).toEqual({ ok: true, value: { installed_path: path.join(host.toolsDir, 'helm-3.13.0') } });
    expect(run(path.join(host.toolsDir, 'helm-3.13.0'))).toBe('helm 3.13.0 by script');
  });

  test('NAME without a version matches every version; an exact version wins over it', async () => {
    const { host, installTool } = await fakePiped([{ name: 'helm', path: helmAny }, { name: 'helm', version: '3.14.0', path: helm314 }]);
    for (const version of ['3.13.0', 'v4.0.0-rc.1']) {
      expect(await installTool('helm', version, 'exit 1')).toEqual({ ok: true, value: { installed_path: path.join(host.toolsDir, `helm-${version}`) } });
      expect(run(path.join(host.toolsDir, `helm-${version}`))).toBe('helm-any-binary');
    }
    expect(await installTool('helm', '3.14.0', 'exit 1')).toMatchObject({ ok: true });
    expect(run(path.join(host.toolsDir, 'helm-3.14.0'))).toBe('helm-3.14.0-binary');
  });

  test('tools not seeded behave exactly as before: the script runs, and its failure is reported', async () => {
    const { host, installTool } = await fakePiped([{ name: 'helm', path: helmAny }]);
    expect(await installTool('kubectl', '1.30', writeTool)).toEqual({ ok: true, value: { installed_path: path.join(host.toolsDir, 'kubectl-1.30') } });
    expect(run(path.join(host.toolsDir, 'kubectl-1.30'))).toBe('kubectl 1.30 by script');
    expect(host.installedTools().find((t) => t.name === 'kubectl')).not.toHaveProperty('seededFrom');
    // Names match exactly: a name that merely starts like a seeded one is not seeded.
    const failed = await installTool('helmfile', '1', 'echo boom >&2; exit 3');
    expect(failed).toMatchObject({ ok: false, code: grpc.status.UNKNOWN });
    expect((failed as { details: string }).details).toBe(`install tool helmfile-1: install script exited with code 3${offlineHint('helmfile', '1')}; last output lines:\nboom`);
    // Template errors are the plugin's own bug (SVC-015), not a download: no --tool hint.
    const bad = await installTool('terraform', '1', '{{ .HomeDir }}');
    expect((bad as { details: string }).details).not.toContain('--tool');
  });

  test('a name-version that would leave the tools folder is refused even when a seed matches the name', async () => {
    const { host, installTool } = await fakePiped([{ name: 'helm', path: helmAny }]);
    const answer = await installTool('helm', '../../escape', 'exit 1');
    expect(answer).toMatchObject({ ok: false, code: grpc.status.UNKNOWN });
    expect((answer as { details: string }).details).toContain('not a plain file name');
    expect(existsSync(path.join(host.toolsDir, '..', '..', 'escape'))).toBe(false);
  });

  test('a seed file that vanished after the CLI checked it is UNKNOWN naming the file and the flag', async () => {
    const gone = executable('gone');
    const { installTool } = await fakePiped([{ name: 'gone', version: '1', path: gone }]);
    rmSync(gone);
    const answer = await installTool('gone', '1', 'exit 1');
    expect(answer).toMatchObject({ ok: false, code: grpc.status.UNKNOWN });
    expect((answer as { details: string }).details).toContain(`install tool gone-1: cannot copy ${gone} (given as --tool gone@1=${gone})`);
  });
});

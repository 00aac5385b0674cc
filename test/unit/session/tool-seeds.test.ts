// A plugin that installs its tool at start-up, as the Kubernetes plugin installs helm, on a machine without network:
// it starts only when the session seeds the tool (--tool), and otherwise the setup error names the tool, the version
// and the --tool that supplies it. The "plugin" is in-process but talks real gRPC both ways; its install script fails
// the way a download fails offline (the reference plugin's own script needs no network, so it cannot show this).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SetupError } from '../../../src/errors.js';
import type { JournalEntry } from '../../../src/host/types.js';
import { loadProtocol } from '../../../src/protocol/load.js';
import { failedToolInstalls, Session } from '../../../src/session.js';
import type { ExitInfo, LaunchRequest, Launcher, RunningPlugin, StopResult } from '../../../src/launch/types.js';

const protocol = loadProtocol();
const dir = mkdtempSync(path.join(os.tmpdir(), 'session-tool-seeds-'));
const helm = path.join(dir, 'helm');
writeFileSync(helm, '#!/bin/sh\necho "version.BuildInfo{Version:\\"v3.14.0\\"}"\n', { mode: 0o755 });
const sessions: Session[] = [];

afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.stop(500)));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the plugin asks piped for: helm 3.14.0 from get.helm.sh, which cannot be reached here. */
const HELM = {
  name: 'helm',
  version: '3.14.0',
  install_script: 'echo "curl: (6) Could not resolve host: get.helm.sh" >&2; exit 6 # curl -fsSL https://get.helm.sh/helm-v{{ .Version }}-{{ .Os }}-{{ .Arch }}.tar.gz',
};

/** A plugin whose initializer installs helm through InstallTool and runs it; a failed install ends it with exit code 1. */
class InstallsHelmAtStart implements Launcher {
  readonly description = 'in-process plugin that installs helm';
  readonly url = 'file:///in-process-helm';
  readonly ownsProcess = true;
  helmOutput: string | undefined;

  async start(request: LaunchRequest): Promise<RunningPlugin> {
    const port = typeof request.config === 'string' ? request.port! : request.config.port;
    const output: string[] = [];
    let exit: ExitInfo | undefined;
    let ended: (info: ExitInfo) => void = () => {};
    const exited = new Promise<ExitInfo>((resolve) => (ended = resolve));
    const server = new grpc.Server();
    const end = (info: ExitInfo) => {
      server.forceShutdown();
      exit ??= info;
      ended(exit);
      return exit;
    };
    const piped = new protocol.clients.pluginService(request.hostAddress, grpc.credentials.createInsecure()) as any;
    const installed = await new Promise<{ installed_path: string } | grpc.ServiceError>((resolve) =>
      piped.InstallTool(HELM, (error: grpc.ServiceError | null, value: { installed_path: string }) => resolve(error ?? value)));
    piped.close();
    if ('installed_path' in installed) {
      this.helmOutput = await new Promise<string>((resolve, reject) => execFile(installed.installed_path, (e, stdout) => (e ? reject(e) : resolve(stdout.trim()))));
      server.addService(protocol.services.deployment, {
        FetchDefinedStages: (_call: unknown, done: grpc.sendUnaryData<unknown>) => done(null, { stages: ['K8S_SYNC'] }),
      });
      await new Promise<number>((resolve, reject) =>
        server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
    } else {
      output.push(`failed to initialize: install helm: rpc error: ${installed.details}`);
      setImmediate(() => end({ code: 1, signal: null, requested: false }));
    }
    return {
      address: `127.0.0.1:${port}`,
      port,
      argv: [],
      exited,
      exitInfo: () => exit,
      recentOutput: (lines: number) => output.slice(-lines),
      stop: async (): Promise<StopResult> => ({ ...end({ code: 0, signal: null, requested: true }), elapsedMs: 0, killed: false }),
    };
  }
}

async function start(launcher: Launcher, tools?: { name: string; version?: string; path: string }[]): Promise<Session> {
  const session = await Session.start({ launcher, pluginName: 'kubernetes', readyTimeoutMs: 5_000, ...(tools ? { tools } : {}) });
  sessions.push(session);
  return session;
}

describe('a plugin that installs a tool at start-up, offline', () => {
  it('does not start without --tool: the setup error names the tool, the version and the --tool that supplies it', async () => {
    const error = await start(new InstallsHelmAtStart()).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(SetupError);
    const message = (error as SetupError).message;
    expect(message).toMatch(/^the plugin exited with code 1 after \d+ ms, before it answered FetchDefinedStages/);
    expect(message).toContain(`The plugin's InstallTool call(s) failed on the fake piped:\n  install tool helm-3.14.0: install script exited with code 6 (the plugin asked for tool "helm" version "3.14.0"`);
    expect(message).toContain('--tool helm@3.14.0=PATH');
    expect(message).toContain('curl: (6) Could not resolve host: get.helm.sh');
  });

  it('starts with --tool helm@3.14.0=PATH: InstallTool hands out a copy of that file and the script never runs', async () => {
    const launcher = new InstallsHelmAtStart();
    const session = await start(launcher, [{ name: 'helm', version: '3.14.0', path: helm }]);
    expect(session.readiness.ready).toBe(true);
    expect(launcher.helmOutput).toBe('version.BuildInfo{Version:"v3.14.0"}');
    const install = session.host.journal().find((e) => e.rpc === 'InstallTool');
    expect(install?.response).toEqual({ installed_path: path.join(session.host.toolsDir, 'helm-3.14.0') });
    expect(session.host.installedTools()).toEqual([expect.objectContaining({ name: 'helm', version: '3.14.0', seededFrom: helm })]);
  });

  it('starts with --tool helm=PATH (any version)', async () => {
    const launcher = new InstallsHelmAtStart();
    await start(launcher, [{ name: 'helm', path: helm }]);
    expect(launcher.helmOutput).toBe('version.BuildInfo{Version:"v3.14.0"}');
  });

  it('does not start when only another version is seeded', async () => {
    await expect(start(new InstallsHelmAtStart(), [{ name: 'helm', version: '3.15.0', path: helm }])).rejects.toThrow(/--tool helm@3\.14\.0=PATH/);
  });
});

describe('failedToolInstalls', () => {
  const entry = (seq: number, request: object, extra: Partial<JournalEntry>): JournalEntry => ({ seq, time: 0, durationMs: 1, rpc: 'InstallTool', request, violations: [], ...extra });
  const failed = (details: string) => ({ status: { code: 2, codeName: 'UNKNOWN', details } });

  it('lists failed installs that never succeeded later, and leaves out injected faults', () => {
    const journal = [
      entry(1, { name: 'helm', version: '1' }, failed('install tool helm-1: install script exited with code 6 (…)')),
      entry(2, { name: 'kubectl', version: '2' }, failed('install tool kubectl-2: install script exited with code 1')),
      entry(3, { name: 'kubectl', version: '2' }, { response: { installed_path: '/t/kubectl-2' } }),
      entry(4, { name: 'kustomize', version: '3' }, { ...failed('injected'), fault: 'unavailable' }),
    ];
    expect(failedToolInstalls(journal)).toBe(`\nThe plugin's InstallTool call(s) failed on the fake piped:\n  install tool helm-1: install script exited with code 6 (…)`);
    expect(failedToolInstalls(journal.slice(1))).toBe('');
  });
});

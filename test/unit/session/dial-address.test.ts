// The session dials 127.0.0.1, and [::1] when only that answers (so PROC-004 can judge it while the run goes on);
// every call lands in the call log (PROC-018 reads it).
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProtocol } from '../../../src/protocol/load.js';
import { ipv6LoopbackTwin, Session } from '../../../src/session.js';
import type { ExitInfo, LaunchRequest, Launcher, RunningPlugin, StopResult } from '../../../src/launch/types.js';

const protocol = loadProtocol();
const sessions: Session[] = [];

afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.stop(500)));
});

/** A "plugin" served in this process on one loopback host only, answering FetchDefinedStages. */
class InProcessLauncher implements Launcher {
  readonly description = 'in-process test plugin';
  readonly url = 'file:///in-process';
  readonly ownsProcess = true;

  constructor(private readonly listenHost: string) {}

  async start(request: LaunchRequest): Promise<RunningPlugin> {
    const port = typeof request.config === 'string' ? request.port! : request.config.port;
    const server = new grpc.Server();
    server.addService(protocol.services.deployment, { FetchDefinedStages: (_call: unknown, done: grpc.sendUnaryData<unknown>) => done(null, { stages: ['X'] }) });
    await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${this.listenHost}:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    let exit: ExitInfo | undefined;
    return {
      address: `127.0.0.1:${port}`,
      port,
      argv: [],
      exited: new Promise<ExitInfo>(() => {}),
      exitInfo: () => exit,
      recentOutput: () => [],
      stop: async (): Promise<StopResult> => {
        server.forceShutdown();
        exit = { code: 0, signal: null, requested: true };
        return { ...exit, elapsedMs: 0, killed: false };
      },
    };
  }
}

async function start(listenHost: string): Promise<Session> {
  const session = await Session.start({ launcher: new InProcessLauncher(listenHost), pluginName: 'p', readyTimeoutMs: 5_000 });
  sessions.push(session);
  return session;
}

describe('Session dial address', () => {
  it('dials 127.0.0.1 when the plugin answers there, and logs every call', async () => {
    const session = await start('127.0.0.1');
    expect(session.address).toBe(session.plugin.address);
    expect(session.readiness).toMatchObject({ ready: true });
    expect(session.readiness.readyAt).toBeGreaterThan(0);
    const outcome = await session.call('deployment', 'FetchDefinedStages', {});
    expect(outcome.ok).toBe(true);
    expect(session.callLog().at(-1)).toMatchObject({ service: 'deployment', method: 'FetchDefinedStages', ok: true });
    await session.call('deployment', 'DetermineVersions', {});
    expect(session.callLog().at(-1)).toMatchObject({ method: 'DetermineVersions', ok: false, status: { codeName: 'UNIMPLEMENTED' } });
  });

  it('falls back to [::1] when the plugin answers only there, and keeps using it', async () => {
    const session = await start('[::1]');
    expect(session.address).toBe(`[::1]:${session.plugin.port}`);
    expect((await session.call('deployment', 'FetchDefinedStages', {})).ok).toBe(true);
  });

  it('pairs 127.0.0.1:<port> with [::1]:<port>, and nothing else', () => {
    expect(ipv6LoopbackTwin('127.0.0.1:7000')).toBe('[::1]:7000');
    expect(ipv6LoopbackTwin('10.0.0.5:7000')).toBeUndefined();
    expect(ipv6LoopbackTwin('localhost:7000')).toBeUndefined();
  });
});

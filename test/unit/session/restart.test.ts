// Session.kill() and restart(): a new plugin process against the same fake piped (journal and stores kept), and the
// call log's record of what the harness cancelled (EXEC-002, EXEC-011).
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { SetupError } from '../../../src/errors.js';
import { loadProtocol } from '../../../src/protocol/load.js';
import { Session } from '../../../src/session.js';
import type { ExitInfo, LaunchRequest, Launcher, RunningPlugin, StopResult } from '../../../src/launch/types.js';

const protocol = loadProtocol();
const sessions: Session[] = [];

afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.stop(500)));
});

/** In-process "plugins" answering FetchDefinedStages at once and ExecuteStage never; `killable` adds kill(). */
class InProcessLauncher implements Launcher {
  readonly description = 'in-process test plugin';
  readonly url = 'file:///in-process';
  readonly ownsProcess = true;
  readonly started: { port: number; config: unknown }[] = [];

  constructor(private readonly killable: boolean) {}

  async start(request: LaunchRequest): Promise<RunningPlugin> {
    const port = typeof request.config === 'string' ? request.port! : request.config.port;
    this.started.push({ port, config: request.config });
    const server = new grpc.Server();
    server.addService(protocol.services.deployment, {
      FetchDefinedStages: (_call: unknown, done: grpc.sendUnaryData<unknown>) => done(null, { stages: ['X'] }),
      ExecuteStage: () => {},
    });
    await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    let exit: ExitInfo | undefined;
    let ended: (info: ExitInfo) => void = () => {};
    const exited = new Promise<ExitInfo>((resolve) => (ended = resolve));
    const end = (info: ExitInfo) => {
      server.forceShutdown();
      exit ??= info;
      ended(exit);
      return exit;
    };
    const plugin: RunningPlugin = {
      address: `127.0.0.1:${port}`,
      port,
      argv: [],
      exited,
      exitInfo: () => exit,
      recentOutput: () => [],
      stop: async (): Promise<StopResult> => ({ ...end({ code: 0, signal: null, requested: true }), elapsedMs: 0, killed: false }),
    };
    if (this.killable) plugin.kill = async () => end({ code: null, signal: 'SIGKILL', requested: true });
    return plugin;
  }
}

async function start(launcher: Launcher): Promise<Session> {
  const session = await Session.start({ launcher, pluginName: 'p', pluginConfig: { a: 1 }, readyTimeoutMs: 5_000 });
  sessions.push(session);
  return session;
}

describe('Session kill and restart', () => {
  it('restart() after kill() launches the same config on a new port, against the same fake piped', async () => {
    const launcher = new InProcessLauncher(true);
    const session = await start(launcher);
    const { host } = session;
    const firstPlugin = session.plugin;
    expect(await session.kill()).toEqual({ code: null, signal: 'SIGKILL', requested: true });
    const readiness = await session.restart();
    expect(readiness.ready).toBe(true);
    expect(session.host).toBe(host);
    expect(session.plugin).not.toBe(firstPlugin);
    expect(session.address).toBe(session.plugin.address);
    expect(launcher.started).toHaveLength(2);
    expect(launcher.started[1].port).not.toBe(launcher.started[0].port);
    expect(launcher.started[1].config).toEqual({ ...(launcher.started[0].config as object), port: launcher.started[1].port });
    expect((await session.call('deployment', 'FetchDefinedStages', {})).ok).toBe(true);
  });

  it('restart() stops a plugin that is still running first', async () => {
    const session = await start(new InProcessLauncher(true));
    const firstPlugin = session.plugin;
    await session.restart(500);
    expect(firstPlugin.exitInfo()).toEqual({ code: 0, signal: null, requested: true });
  });

  it('kill() is a SetupError when the launcher cannot kill its plugin', async () => {
    const session = await start(new InProcessLauncher(false));
    await expect(session.kill()).rejects.toBeInstanceOf(SetupError);
  });

  it('the call log keeps requests and answers, and marks calls the harness cancelled', async () => {
    const session = await start(new InProcessLauncher(true));
    const request = { input: { stage: { id: 's1' } } };
    const pending = session.callCancellable('deployment', 'ExecuteStage', request);
    pending.cancel();
    await pending.outcome;
    await session.call('deployment', 'FetchDefinedStages', {});
    const [execute, fetch] = session.callLog().slice(-2);
    expect(execute).toMatchObject({ method: 'ExecuteStage', ok: false, cancelled: true });
    expect(execute.request).toMatchObject({ input: { stage: { id: 's1' } } });
    expect(fetch).toMatchObject({ method: 'FetchDefinedStages', ok: true, cancelled: false, response: { stages: ['X'] } });
  });
});

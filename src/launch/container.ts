// Container image targets (`docker:<image>`, `--container <image>`) through testcontainers: the image's entrypoint
// is the plugin; the harness appends piped's argv, runs it on the host network (the plugin's port and the fake
// piped are both on 127.0.0.1) with an init process as PID 1 (so SIGTERM reaches the plugin), captures its logs,
// and stops it with SIGTERM, then SIGKILL after the grace period. Images are never pulled unless asked (--pull).
// Every container carries labels naming its run and owner, so leftovers are removed by label.
import type { ContainerRuntimeClient } from 'testcontainers';
import type Dockerode from 'dockerode';
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { SetupError } from '../errors.js';
import { pipedArgv } from './binary.js';
import type { ExitInfo, LaunchRequest, Launcher, RunningPlugin, StopResult, StopSignal } from './types.js';

const OUTPUT_LINES_KEPT = 400;

/** Labels on every container the harness starts. */
export const LABEL = {
  run: 'plugin-conformance.run',
  pid: 'plugin-conformance.pid',
  host: 'plugin-conformance.host',
} as const;

/** The settings testcontainers needs on an engine without a bridge network and without pulls (stack.md §4). */
export function configureTestcontainers(): void {
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  process.env.TESTCONTAINERS_HOST_OVERRIDE = 'localhost';
}

/** The labels for containers of run `runId` started by this process. */
export function runLabels(runId: string): Record<string, string> {
  return { [LABEL.run]: runId, [LABEL.pid]: String(process.pid), [LABEL.host]: os.hostname() };
}

const HOW_TO_GET_AN_ENGINE =
  'Start one (e.g. `sudo systemctl start docker`, or `dockerd`), or point DOCKER_HOST at it; or test the plugin\'s binary instead of its image.';

/** The container engine, or a SetupError that says how to get one. */
export async function dockerClient(): Promise<ContainerRuntimeClient> {
  configureTestcontainers();
  const explicit = process.env.DOCKER_HOST;
  // testcontainers quietly falls back to /var/run/docker.sock when DOCKER_HOST fails; an explicit choice must win.
  if (explicit && !(await engineAnswers(explicit))) {
    throw new SetupError(`no Docker engine answers at DOCKER_HOST=${explicit}. ${HOW_TO_GET_AN_ENGINE}`);
  }
  const { getContainerRuntimeClient } = await import('testcontainers');
  try {
    return await getContainerRuntimeClient();
  } catch (error) {
    const where = explicit ? `DOCKER_HOST=${explicit}` : 'DOCKER_HOST unset, /var/run/docker.sock';
    throw new SetupError(`no Docker engine is reachable (${where}): ${(error as Error).message}. ${HOW_TO_GET_AN_ENGINE}`);
  }
}

/** Whether the engine at a unix:// or tcp:// DOCKER_HOST answers its ping (TLS endpoints: whether they accept TCP). */
function engineAnswers(dockerHost: string, timeoutMs = 3_000): Promise<boolean> {
  let target: net.NetConnectOpts;
  try {
    const url = new URL(dockerHost);
    if (url.protocol === 'unix:') target = { path: url.pathname };
    else if (url.protocol === 'tcp:') target = { host: url.hostname, port: Number(url.port || 2375) };
    else return Promise.resolve(true); // npipe, ssh: leave to testcontainers
  } catch {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    const socket = net.connect(target);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Checks the image is in the local engine; pulls it only when `pull` is set. */
export async function ensureImage(client: ContainerRuntimeClient, image: string, pull: boolean): Promise<void> {
  const { ImageName } = await import('testcontainers');
  const name = ImageName.fromString(image);
  if (pull) {
    try {
      await client.image.pull(name, { force: true, platform: undefined });
    } catch (error) {
      throw new SetupError(`--pull: cannot pull image ${image}: ${(error as Error).message}`);
    }
    return;
  }
  if (await client.image.exists(name)) return;
  throw new SetupError(
    `image ${image} is not in the local Docker engine, and plugin-conformance never pulls on its own. ` +
      `Build or pull it first (\`docker build -t ${image} .\` or \`docker pull ${image}\`), or pass --pull.`,
  );
}

/** Removes containers carrying every one of `labels`; returns how many. */
export async function removeContainers(client: ContainerRuntimeClient, labels: Record<string, string>): Promise<number> {
  const filters = JSON.stringify({ label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) });
  const found = await client.container.dockerode.listContainers({ all: true, filters });
  await Promise.all(found.map((c) => removeQuietly(client.container.dockerode.getContainer(c.Id))));
  return found.length;
}

/** Removes containers left by harness processes on this host that no longer exist (killed before cleanup). */
export async function removeOrphanContainers(client: ContainerRuntimeClient): Promise<number> {
  const filters = JSON.stringify({ label: [`${LABEL.host}=${os.hostname()}`] });
  const found = await client.container.dockerode.listContainers({ all: true, filters });
  const orphans = found.filter((c) => !processAlive(Number(c.Labels[LABEL.pid])));
  await Promise.all(orphans.map((c) => removeQuietly(client.container.dockerode.getContainer(c.Id))));
  return orphans.length;
}

/** Removes the containers of run `runId` (the CLI calls this when the run ends); returns how many were left. */
export async function removeRunContainers(runId: string): Promise<number> {
  try {
    return await removeContainers(await dockerClient(), { [LABEL.run]: runId });
  } catch {
    return 0;
  }
}

/**
 * The same, synchronously, for the process 'exit' hook (Ctrl-C may end the process before `finally` blocks run):
 * a child node process talks to the engine's unix socket. Engines reached over TCP are left to the async path.
 */
export function removeRunContainersSync(runId: string): void {
  const host = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  if (!host.startsWith('unix://')) return;
  spawnSync(process.execPath, ['-e', REMOVE_BY_LABEL_SCRIPT, host.slice('unix://'.length), `${LABEL.run}=${runId}`], { stdio: 'ignore', timeout: 15_000 });
}

/** Lists containers with a label over the Docker socket and force-removes each (argv: socket path, label). */
const REMOVE_BY_LABEL_SCRIPT = `
const http = require('node:http');
const [socketPath, label] = process.argv.slice(1);
const call = (method, path) => new Promise((resolve) => {
  const req = http.request({ socketPath, method, path }, (res) => { let body = ''; res.on('data', (c) => (body += c)); res.on('end', () => resolve(body)); });
  req.on('error', () => resolve('[]'));
  req.end();
});
(async () => {
  const filters = encodeURIComponent(JSON.stringify({ label: [label] }));
  let list = [];
  try { list = JSON.parse(await call('GET', '/containers/json?all=1&filters=' + filters)); } catch {}
  await Promise.all(list.map((c) => call('DELETE', '/containers/' + c.Id + '?force=1&v=1')));
})();
`;

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function removeQuietly(container: Dockerode.Container): Promise<void> {
  try {
    await container.remove({ force: true, v: true });
  } catch {
    // already gone
  }
}

export class ContainerLauncher implements Launcher {
  readonly description: string;
  readonly url: string;
  readonly ownsProcess = true;

  constructor(readonly image: string, private readonly labels: Record<string, string> = {}) {
    this.description = `container image ${image}`;
    // piped has no container scheme; an oci:// URL of the image is the closest valid value for the SDK's check.
    this.url = `oci://${image.includes('/') && image.split('/')[0].match(/[.:]|^localhost$/) ? image : `docker.io/${image}`}`;
  }

  async start(request: LaunchRequest): Promise<RunningPlugin> {
    const client = await dockerClient();
    const { GenericContainer, Wait } = await import('testcontainers');
    const configJson = typeof request.config === 'string' ? request.config : JSON.stringify(request.config);
    const port = typeof request.config === 'string' ? request.port ?? 0 : request.config.port;
    // The image's entrypoint is the plugin; argv follows it, as after piped's executable. cwd/extendEnv are
    // process-only probes: a container has its own working directory and environment.
    const argv = request.argv ? [...request.argv] : pipedArgv(request.hostAddress, configJson);
    const output = new LineBuffer();

    /** docker-init as PID 1 forwards SIGTERM; a bare plugin as PID 1 would ignore it (stack.md gotcha 11). */
    class InitContainer extends GenericContainer {
      constructor(image: string) {
        super(image);
        this.hostConfig.Init = true;
      }
    }
    let started;
    try {
      started = await new InitContainer(this.image)
        .withNetworkMode('host')
        .withCommand(argv)
        .withEnvironment(request.env ?? {})
        .withLabels(this.labels)
        .withBindMounts(sharedFolders(request.sharedDirs).map((dir) => ({ source: dir, target: dir, mode: 'rw' as const })))
        // No ports are published on the host network: readiness is the session's FetchDefinedStages probe.
        .withWaitStrategy(Wait.forListeningPorts())
        .withLogConsumer((stream) => output.follow(stream))
        .start();
    } catch (error) {
      throw new SetupError(`cannot start a container from ${this.image}: ${(error as Error).message}`);
    }
    return new ContainerPlugin(client.container.getById(started.getId()), argv, port, output);
  }
}

/**
 * Host folders the container sees at the same path: the temp folder, where the fake piped keeps checkouts and
 * installed tools (a fake piped may come up after the plugin, PROC-007, so its folders cannot be listed up front),
 * and any other shared folder outside it.
 */
function sharedFolders(extra: string[] = []): string[] {
  const tmp = realpathSync(os.tmpdir());
  return [tmp, ...extra.filter((dir) => !`${realpathSync(dir)}/`.startsWith(`${tmp}/`))];
}

/** A plugin running in a container; its exit is watched through the engine's wait API. */
class ContainerPlugin implements RunningPlugin {
  readonly address: string;
  readonly exited: Promise<ExitInfo>;
  private exit: ExitInfo | undefined;
  private stopRequested = false;
  private killed = false;

  constructor(private readonly container: Dockerode.Container, readonly argv: readonly string[], readonly port: number, private readonly output: LineBuffer) {
    this.address = `127.0.0.1:${port}`;
    this.exited = (container.wait() as Promise<{ StatusCode: number }>)
      .then((result) => result.StatusCode, () => null)
      .then((code) => {
        this.exit = exitInfo(code, this.stopRequested, this.killed);
        return this.exit;
      });
  }

  exitInfo(): ExitInfo | undefined {
    return this.exit;
  }

  recentOutput(n = 40): string[] {
    return this.output.last(n);
  }

  /** SIGKILL at once (a crash, EXEC-011); the container is removed once it is gone. */
  async kill(): Promise<ExitInfo> {
    if (!this.exit) {
      this.stopRequested = true;
      this.killed = true;
      await this.signal('SIGKILL');
    }
    const exit = await this.exited;
    await removeQuietly(this.container);
    return exit;
  }

  async stop(graceMs: number, signal: StopSignal = 'SIGTERM'): Promise<StopResult> {
    const started = Date.now();
    if (this.exit) {
      await removeQuietly(this.container);
      return { ...this.exit, elapsedMs: 0, killed: false };
    }
    this.stopRequested = true;
    await this.signal(signal);
    const timer = setTimeout(() => {
      this.killed = true;
      void this.signal('SIGKILL');
    }, graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    const elapsedMs = Date.now() - started;
    await removeQuietly(this.container);
    return { ...exit, requested: true, elapsedMs, killed: this.killed };
  }

  private async signal(signal: string): Promise<void> {
    try {
      await this.container.kill({ signal });
    } catch {
      // it exited meanwhile
    }
  }
}

/** Docker reports death by signal N as exit code 128+N (docker-init passes the child's status on). */
function exitInfo(code: number | null, requested: boolean, killed: boolean): ExitInfo {
  const bySignal: Record<number, string> = { 130: 'SIGINT', 137: 'SIGKILL', 143: 'SIGTERM' };
  if (code !== null && bySignal[code] && (requested || code === 137)) return { code: null, signal: killed ? 'SIGKILL' : bySignal[code], requested };
  return { code, signal: null, requested };
}

/** The container's output, line by line, last OUTPUT_LINES_KEPT lines. */
class LineBuffer {
  private readonly lines: string[] = [];
  private partial = '';

  follow(stream: NodeJS.ReadableStream): void {
    stream.on('data', (chunk: Buffer | string) => {
      const parts = (this.partial + chunk.toString()).split('\n');
      this.partial = parts.pop() ?? '';
      this.lines.push(...parts);
      if (this.lines.length > OUTPUT_LINES_KEPT) this.lines.splice(0, this.lines.length - OUTPUT_LINES_KEPT);
    });
    stream.on('end', () => {
      if (this.partial) this.lines.push(this.partial);
      this.partial = '';
    });
    stream.on('error', () => undefined);
  }

  last(n: number): string[] {
    return this.lines.slice(-n);
  }
}

// Runs the plugin's `version` subcommand for RELEASE-001: the executable itself, or the image's entrypoint in a
// throwaway container (same labels as the run's other containers, removed afterwards).
import { execa } from 'execa';
import type { VersionFacts } from '../../src/contract/checks/release.js';
import type { TargetSpec } from '../../src/launch/types.js';

/** Enough for any binary to print a line; a container also needs to be created and started. */
const BINARY_TIMEOUT_MS = 15_000;
const CONTAINER_TIMEOUT_MS = 60_000;

/** `<plugin> version` as piped's users would run it: argv `version`, stdin closed, the harness's environment. */
export async function runVersionCommand(target: Exclude<TargetSpec, { kind: 'address' }>): Promise<VersionFacts> {
  if (target.kind === 'binary') {
    const command = `${target.executable} version`;
    try {
      const result = await execa(target.executable, ['version'], { stdin: 'ignore', reject: false, timeout: BINARY_TIMEOUT_MS, all: false });
      return { command, exitCode: result.exitCode ?? null, signal: result.signal ?? null, timedOut: result.timedOut === true, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
    } catch (error) {
      return { command, exitCode: null, timedOut: false, stdout: '', stderr: '', error: (error as Error).message };
    }
  }
  return containerVersion(target.image, target.labels);
}

async function containerVersion(image: string, labels: Record<string, string>): Promise<VersionFacts> {
  const command = `docker run --rm ${image} version`;
  const empty = { command, exitCode: null, timedOut: false, stdout: '', stderr: '' };
  let container;
  try {
    const { dockerClient } = await import('../../src/launch/container.js');
    const docker = (await dockerClient()).container.dockerode;
    container = await docker.createContainer({ Image: image, Cmd: ['version'], Labels: labels, HostConfig: { Init: true, NetworkMode: 'none' } });
    await container.start();
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), CONTAINER_TIMEOUT_MS).unref());
    const waited = await Promise.race([container.wait() as Promise<{ StatusCode: number }>, timer]);
    if (waited === 'timeout') return { ...empty, timedOut: true };
    const logs = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    return { ...empty, exitCode: waited.StatusCode, ...demux(Buffer.from(logs)) };
  } catch (error) {
    return { ...empty, error: (error as Error).message };
  } finally {
    await container?.remove({ force: true }).catch(() => undefined);
  }
}

/** Splits the engine's multiplexed log stream (8-byte frame headers: stream type, 3 zero bytes, big-endian length). */
export function demux(buffer: Buffer): { stdout: string; stderr: string } {
  const out: Record<'stdout' | 'stderr', Buffer[]> = { stdout: [], stderr: [] };
  let at = 0;
  while (at + 8 <= buffer.length) {
    const kind = buffer[at] === 2 ? 'stderr' : 'stdout';
    const size = buffer.readUInt32BE(at + 4);
    out[kind].push(buffer.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return { stdout: Buffer.concat(out.stdout).toString('utf8'), stderr: Buffer.concat(out.stderr).toString('utf8') };
}

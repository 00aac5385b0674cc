// InstallTool as piped does it (CATALOGUE §3.1): a per name-version cache in toolsDir, singleflight, a templated
// shell script run in a scratch dir, and the result moved to `<toolsDir>/<name>-<version>`. Tools seeded with
// `--tool` fill that cache from a file the user has, so the script (usually a download) never runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants, existsSync, readFileSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { chmod, copyFile, mkdtemp, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { renderInstallScript, TemplateError } from './go-template.js';
import { RpcError } from './status.js';
import type { InstalledTool, SeededTool } from './types.js';

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64' };
const GO_OS: Record<string, string> = { win32: 'windows', sunos: 'solaris' };

/** GOARCH/GOOS of the machine, the values piped (a Go binary) would put in `{{.Arch}}` and `{{.Os}}`. */
export function goPlatform(): { arch: string; os: string } {
  return { arch: GO_ARCH[process.arch] ?? process.arch, os: GO_OS[process.platform] ?? process.platform };
}

const OUTPUT_TAIL_LINES = 20;

interface ScriptResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  output: string;
}

export interface ToolInstallerOptions {
  toolsDir: string;
  /** How long one script may run; piped has no limit of its own, but a harness must stay bounded. */
  timeoutMs?: number;
  /** `--tool` seeds: answered with a copy of the user's file, the script not run. */
  seeded?: SeededTool[];
}

/** How far before its mtime a handed-out tool's access time is set, so any later read or exec visibly moves it. */
const ATIME_BACKDATE_MS = 2_000;

/** Where an install left the tool, and the `--tool` file it was copied from, if any. */
interface Installed {
  installedPath: string;
  seededFrom?: string;
}

interface TrackedTool {
  name: string;
  version: string;
  installedPath: string;
  /** The access time we set after handing the path out; a later one means the file was read or run. */
  baselineAtimeMs: number;
  seededFrom?: string;
}

export class ToolInstaller {
  private readonly inFlight = new Map<string, Promise<Installed>>();
  private readonly running = new Set<ChildProcess>();
  private readonly tracked = new Map<string, TrackedTool>();
  private atimeUpdates: boolean | undefined;
  private readonly toolsDir: string;
  private readonly timeoutMs: number;
  private readonly seeded: SeededTool[];

  constructor(options: ToolInstallerOptions) {
    this.toolsDir = options.toolsDir;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.seeded = options.seeded ?? [];
  }

  /** The `--tool` seed for a name-version: the one naming this version, else the one for any version of the name. */
  seedFor(name: string, version: string): SeededTool | undefined {
    const ofName = this.seeded.filter((seed) => seed.name === name);
    return ofName.find((seed) => seed.version === version) ?? ofName.find((seed) => seed.version === undefined);
  }

  /** Installs once per name-version; concurrent calls for the same pair share one run, as with Go's singleflight. */
  async install(name: string, version: string, script: string): Promise<string> {
    const key = `${name}-${version}`;
    let run = this.inFlight.get(key);
    if (!run) {
      run = this.installOnce(key, name, version, script).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, run);
    }
    const { installedPath, seededFrom } = await run;
    this.track(name, version, installedPath, seededFrom);
    return installedPath;
  }

  /** The tools handed out so far, with whether their file was read or run since (undefined: cannot tell here). */
  installed(): InstalledTool[] {
    return [...this.tracked.values()].map((tool) => {
      const used = this.accessTimesUpdate() ? accessedAfter(tool.installedPath, tool.baselineAtimeMs) : undefined;
      return {
        name: tool.name, version: tool.version, installedPath: tool.installedPath,
        ...(used === undefined ? {} : { used }), ...(tool.seededFrom === undefined ? {} : { seededFrom: tool.seededFrom }),
      };
    });
  }

  /**
   * Backdates the tool's access time once, when its path is first handed out: a plugin that then runs (or reads) the
   * file at that path moves the access time forward, which is how SVC-015 sees the returned path in use without
   * touching the file's content. relatime updates an access time that is older than the mtime, so this works on
   * default mounts; noatime mounts are detected by accessTimesUpdate().
   */
  private track(name: string, version: string, installedPath: string, seededFrom: string | undefined): void {
    if (this.tracked.has(installedPath)) return;
    try {
      const { mtime } = statSync(installedPath);
      const baseline = new Date(mtime.getTime() - ATIME_BACKDATE_MS);
      utimesSync(installedPath, baseline, mtime);
      this.tracked.set(installedPath, { name, version, installedPath, baselineAtimeMs: baseline.getTime(), ...(seededFrom === undefined ? {} : { seededFrom }) });
    } catch {
      // The file vanished or is not ours to touch: nothing can be said about its use.
    }
  }

  /** Whether reading a file in toolsDir moves its access time (false on noatime mounts); probed once. */
  private accessTimesUpdate(): boolean {
    if (this.atimeUpdates !== undefined) return this.atimeUpdates;
    const probe = path.join(this.toolsDir, `.plugin-conformance-atime-probe-${process.pid}`);
    try {
      writeFileSync(probe, 'probe');
      const { mtime } = statSync(probe);
      const baseline = new Date(mtime.getTime() - ATIME_BACKDATE_MS);
      utimesSync(probe, baseline, mtime);
      readFileSync(probe);
      this.atimeUpdates = accessedAfter(probe, baseline.getTime()) === true;
    } catch {
      this.atimeUpdates = false;
    } finally {
      try { unlinkSync(probe); } catch { /* already gone */ }
    }
    return this.atimeUpdates;
  }

  /** Kills scripts still running, so closing the host leaves no stray processes. */
  killRunning(): void {
    for (const child of this.running) killGroup(child);
  }

  private async installOnce(key: string, name: string, version: string, script: string): Promise<Installed> {
    // piped would follow a `/` in name or version out of toolsDir; a harness must not write outside its sandbox.
    if (path.basename(key) !== key || key.startsWith('.')) {
      throw new RpcError(grpc.status.UNKNOWN, `install tool: refusing name-version ${JSON.stringify(key)}: it is not a plain file name`);
    }
    const installedPath = path.join(this.toolsDir, key);
    // A tool already in toolsDir counts as installed, even if this script differs (tool_registry.go:106-114).
    if (existsSync(installedPath)) return { installedPath };
    // A --tool seed acts as an entry the cache already holds: copied in on first request, its script never run.
    const seed = this.seedFor(name, version);
    if (seed) {
      await copySeed(seed, key, installedPath);
      return { installedPath, seededFrom: seed.path };
    }
    const tmpDir = await mkdtemp(path.join(os.tmpdir(), 'fake-piped-tool-'));
    try {
      const outPath = path.join(tmpDir, name);
      const { arch, os: goOs } = goPlatform();
      let rendered: string;
      try {
        rendered = renderInstallScript(script, { Name: name, Version: version, OutPath: outPath, TmpDir: tmpDir, Arch: arch, Os: goOs });
      } catch (error) {
        if (error instanceof TemplateError) throw new RpcError(grpc.status.UNKNOWN, `install tool ${key}: bad install script: ${error.message}`);
        throw error;
      }
      const result = await this.runScript(rendered, tmpDir);
      if (result.timedOut || result.exitCode !== 0) {
        const how = result.timedOut ? `timed out after ${this.timeoutMs} ms` : result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
        throw new RpcError(grpc.status.UNKNOWN, `install tool ${key}: install script ${how}${offlineHint(name, version)}${outputTail(result.output)}`);
      }
      if (!existsSync(outPath)) {
        throw new RpcError(grpc.status.UNKNOWN, `install tool ${key}: install script exited 0 but left nothing at {{.OutPath}} (${outPath})${outputTail(result.output)}`);
      }
      await chmod(outPath, 0o755);
      await moveFile(outPath, installedPath);
      return { installedPath };
    } finally {
      await rm(tmpDir, { recursive: true, force: true });
    }
  }

  /** `/bin/sh -c` in its own process group, so a timeout kills whatever the script started too. */
  private runScript(script: string, cwd: string): Promise<ScriptResult> {
    return new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', script], { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      this.running.add(child);
      const chunks: Buffer[] = [];
      child.stdout!.on('data', (c: Buffer) => chunks.push(c));
      child.stderr!.on('data', (c: Buffer) => chunks.push(c));
      let timedOut = false;
      const timer = setTimeout(() => { timedOut = true; killGroup(child); }, this.timeoutMs);
      child.on('error', (error) => { clearTimeout(timer); this.running.delete(child); reject(error); });
      child.on('close', (exitCode, signal) => {
        clearTimeout(timer);
        this.running.delete(child);
        resolve({ exitCode, signal, timedOut, output: Buffer.concat(chunks).toString('utf8') });
      });
    });
  }
}

/** True when the file's access time moved past `baselineMs` (by more than timestamp rounding); undefined if unreadable. */
function accessedAfter(file: string, baselineMs: number): boolean | undefined {
  try {
    return statSync(file).atimeMs > baselineMs + ATIME_BACKDATE_MS / 2;
  } catch {
    return undefined;
  }
}

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

/**
 * What a failed script's message says besides the failure: which tool and version the plugin asked for, and how to
 * supply it without the script, which usually downloads (and fails offline or in a sandboxed CI).
 */
export function offlineHint(name: string, version: string): string {
  return (
    ` (the plugin asked for tool ${JSON.stringify(name)} version ${JSON.stringify(version)}; if the script downloads it and this ` +
    `machine is offline, give plugin-conformance an executable you have: --tool ${name}@${version}=PATH)`
  );
}

/**
 * Fills the cache entry from a `--tool` file: a copy (a reflink where the file system can), made beside the entry
 * and renamed into place, so the plugin never sees half a file.
 */
async function copySeed(seed: SeededTool, key: string, installedPath: string): Promise<void> {
  const partial = path.join(path.dirname(installedPath), `.seed-${key}-${process.pid}-${Date.now().toString(36)}`);
  try {
    await copyFile(seed.path, partial, constants.COPYFILE_FICLONE);
    await chmod(partial, 0o755);
    await rename(partial, installedPath);
  } catch (error) {
    await rm(partial, { force: true });
    const flag = `--tool ${seed.name}${seed.version === undefined ? '' : `@${seed.version}`}=${seed.path}`;
    throw new RpcError(grpc.status.UNKNOWN, `install tool ${key}: cannot copy ${seed.path} (given as ${flag}): ${(error as Error).message}`);
  }
}

function outputTail(output: string): string {
  const lines = output.trimEnd().split('\n');
  if (lines.length === 1 && lines[0] === '') return '; the script printed nothing';
  return `; last output lines:\n${lines.slice(-OUTPUT_TAIL_LINES).join('\n')}`;
}

/** rename, or copy when toolsDir is on another file system than the scratch dir. */
async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await copyFile(from, to);
    await chmod(to, 0o755);
  }
}

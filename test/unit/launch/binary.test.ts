import { describe, it, expect, beforeAll, afterAll, afterEach, vi } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SetupError } from '../../../src/errors.js';
import { BinaryLauncher, pipedArgv } from '../../../src/launch/binary.js';
import { resolveTarget } from '../../../src/launch/resolve.js';
import type { PipedPluginConfig, RunningPlugin } from '../../../src/launch/types.js';

let dir: string;
const running: RunningPlugin[] = [];

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pc-binary-'));
});

afterEach(async () => {
  // Never leave a child behind, even when an assertion failed mid-test.
  await Promise.all(running.splice(0).map((p) => (p.exitInfo() ? undefined : p.stop(200))));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes an executable `#!/bin/sh` script and returns its path. */
function script(name: string, body: string, mode = 0o755): string {
  const file = path.join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, mode);
  return file;
}

const CONFIG: PipedPluginConfig = { name: 'example', url: 'file:///plugins/example', port: 7001, config: { note: 'has "quotes" and spaces' } };

async function launch(file: string, config: PipedPluginConfig | string = CONFIG): Promise<RunningPlugin> {
  const plugin = await new BinaryLauncher(file).start({ hostAddress: '127.0.0.1:4321', config });
  running.push(plugin);
  return plugin;
}

/** Waits (polling, no fixed sleep) until the plugin has printed `line`. */
async function printed(plugin: RunningPlugin, line: string): Promise<void> {
  await vi.waitFor(() => expect(plugin.recentOutput()).toContain(line), { timeout: 1500, interval: 10 });
}

describe('BinaryLauncher', () => {
  it('passes exactly `start --piped-plugin-service <addr> --config <json>`', async () => {
    const plugin = await launch(script('echo-args.sh', 'for a in "$@"; do echo "$a"; done'));
    const exit = await plugin.exited;
    expect(exit).toEqual({ code: 0, signal: null, requested: false });
    const json = JSON.stringify(CONFIG);
    expect(plugin.recentOutput()).toEqual(['start', '--piped-plugin-service', '127.0.0.1:4321', '--config', json]);
    expect(plugin.argv).toEqual(pipedArgv('127.0.0.1:4321', json));
    expect(plugin.port).toBe(7001);
    expect(plugin.address).toBe('127.0.0.1:7001');
  });

  it('passes a raw-text --config untouched and serves on the given port', async () => {
    const launcher = new BinaryLauncher(script('echo-args-raw.sh', 'for a in "$@"; do echo "$a"; done'));
    const plugin = await launcher.start({ hostAddress: '127.0.0.1:1', config: '{not json', port: 7002 });
    running.push(plugin);
    await plugin.exited;
    expect(plugin.recentOutput()).toEqual(['start', '--piped-plugin-service', '127.0.0.1:1', '--config', '{not json']);
    expect(plugin.address).toBe('127.0.0.1:7002');
  });

  it('gives the plugin a closed stdin: `read` returns at once and the script exits', async () => {
    const plugin = await launch(script('read-stdin.sh', 'read x; echo "read returned $? [$x]"; exit 0'));
    const exit = await plugin.exited;
    expect(exit.code).toBe(0);
    expect(plugin.recentOutput()).toEqual(['read returned 1 []']);
  });

  it('stop() on a plugin that exits on SIGTERM: code 0, not killed, requested', async () => {
    const plugin = await launch(script('term-ok.sh', "trap 'echo got TERM; exit 0' TERM\necho ready\nwhile :; do sleep 0.05; done"));
    await printed(plugin, 'ready');
    const stop = await plugin.stop(1500);
    expect(stop).toMatchObject({ code: 0, signal: null, killed: false, requested: true });
    expect(stop.elapsedMs).toBeLessThan(1500);
    expect(plugin.exitInfo()).toEqual({ code: 0, signal: null, requested: true });
    expect(plugin.recentOutput()).toContain('got TERM');
  });

  it('stop(500) on a plugin that ignores SIGTERM: SIGKILLed after the grace period', async () => {
    const plugin = await launch(script('term-ignore.sh', "trap '' TERM\necho ready\nwhile :; do sleep 0.1; done"));
    await printed(plugin, 'ready');
    const stop = await plugin.stop(500);
    expect(stop.killed).toBe(true);
    expect(stop.signal).toBe('SIGKILL');
    expect(stop.requested).toBe(true);
    expect(stop.elapsedMs).toBeGreaterThanOrEqual(490);
  });

  it('kill() SIGKILLs at once, even a plugin that ignores SIGTERM (a crash, for restart scenarios)', async () => {
    const plugin = await launch(script('kill-me.sh', "trap '' TERM\necho ready\nwhile :; do sleep 0.1; done"));
    await printed(plugin, 'ready');
    expect(await plugin.kill!()).toEqual({ code: null, signal: 'SIGKILL', requested: true });
    expect(await plugin.kill!()).toEqual({ code: null, signal: 'SIGKILL', requested: true });
  });

  it('stop() after the plugin already exited reports that exit at once', async () => {
    const plugin = await launch(script('quick.sh', 'exit 5'));
    await plugin.exited;
    expect(await plugin.stop(500)).toEqual({ code: 5, signal: null, requested: false, elapsedMs: 0, killed: false });
  });

  it('recentOutput interleaves stdout and stderr and keeps the last N lines', async () => {
    const plugin = await launch(script('both.sh', 'echo out1\necho err1 >&2\necho out2\necho err2 >&2\nprintf "no newline"'));
    await plugin.exited;
    const all = plugin.recentOutput();
    expect([...all].sort()).toEqual(['err1', 'err2', 'no newline', 'out1', 'out2']);
    expect(all.indexOf('out1')).toBeLessThan(all.indexOf('out2'));
    expect(all.indexOf('err1')).toBeLessThan(all.indexOf('err2'));
    expect(plugin.recentOutput(2)).toEqual(all.slice(-2));
  });

  it('recentOutput keeps at most the last 400 lines', async () => {
    const plugin = await launch(script('many.sh', 'i=1; while [ $i -le 450 ]; do echo "line $i"; i=$((i+1)); done'));
    await plugin.exited;
    const kept = plugin.recentOutput(1000);
    expect(kept).toHaveLength(400);
    expect(kept[0]).toBe('line 51');
    expect(kept[399]).toBe('line 450');
    expect(plugin.recentOutput(3)).toEqual(['line 448', 'line 449', 'line 450']);
  });

  it('exited resolves for a plugin that exits 3 on its own: code 3, not requested', async () => {
    const plugin = await launch(script('exit3.sh', 'echo bye >&2; exit 3'));
    expect(await plugin.exited).toEqual({ code: 3, signal: null, requested: false });
    expect(plugin.exitInfo()).toEqual({ code: 3, signal: null, requested: false });
    expect(plugin.recentOutput()).toEqual(['bye']);
  });

  it('passes extra environment to the plugin on top of the inherited one', async () => {
    const launcher = new BinaryLauncher(script('env.sh', 'echo "$PC_EXTRA"; echo "${PATH:+has PATH}"'));
    const plugin = await launcher.start({ hostAddress: '127.0.0.1:1', config: CONFIG, env: { PC_EXTRA: 'extra value' } });
    running.push(plugin);
    await plugin.exited;
    expect(plugin.recentOutput()).toEqual(['extra value', 'has PATH']);
  });

  it('inherits the user\'s environment the CLI captured, not the variables the test runner added (VITEST*, NODE_ENV)', async () => {
    const body = 'echo "user=${PC_USER_VAR:-unset} vitest=${VITEST:-unset} extra=${PC_EXTRA:-unset}"';
    const baseEnv = { PATH: process.env.PATH, PC_USER_VAR: 'from the user' };
    const launcher = new BinaryLauncher(script('inherit.sh', body), { baseEnv });
    expect(process.env.VITEST).toBeDefined(); // this test runs under vitest: the variable is there to leak
    const plugin = await launcher.start({ hostAddress: '127.0.0.1:1', config: CONFIG, env: { PC_EXTRA: 'extra value' } });
    running.push(plugin);
    await plugin.exited;
    expect(plugin.recentOutput()).toEqual(['user=from the user vitest=unset extra=extra value']);
  });

  it('replaces the environment, working directory and argv when a launch asks to (PROC-002, PROC-009)', async () => {
    const cwd = mkdtempSync(path.join(dir, 'cwd-'));
    const launcher = new BinaryLauncher(script('bare.sh', 'echo "cwd=$(pwd)"; echo "extra=${PC_EXTRA:-unset} home=${HOME:-unset}"; echo "args=$*"'));
    const plugin = await launcher.start({
      hostAddress: '127.0.0.1:1', config: CONFIG, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nowhere' }, extendEnv: false, cwd, argv: ['start', '--config', '{}'],
    });
    running.push(plugin);
    await plugin.exited;
    expect(plugin.recentOutput()).toEqual([`cwd=${cwd}`, 'extra=unset home=/nowhere', 'args=start --config {}']);
    expect(plugin.argv).toEqual(['start', '--config', '{}']);
  });

  it('stop(grace, SIGINT) sends SIGINT instead of SIGTERM', async () => {
    const plugin = await launch(script('int-ok.sh', "trap 'echo got INT; exit 0' INT\ntrap 'echo got TERM; exit 9' TERM\necho ready\nwhile :; do sleep 0.05; done"));
    await printed(plugin, 'ready');
    expect(await plugin.stop(1500, 'SIGINT')).toMatchObject({ code: 0, killed: false, requested: true });
    expect(plugin.recentOutput()).toContain('got INT');
  });

  it('has the piped-style file:// url of the executable', () => {
    const file = path.join(dir, 'x');
    expect(new BinaryLauncher(file).url).toBe(pathToFileURL(file).href);
  });
});

describe('resolveTarget', () => {
  it('a missing path → SetupError "plugin not found"', () => {
    expect(() => resolveTarget(path.join(dir, 'nope'))).toThrow(SetupError);
    expect(() => resolveTarget('nope', dir)).toThrow(/plugin not found: nope/);
  });

  it('a file without the execute bit → SetupError saying to chmod it', () => {
    const file = script('not-exec.sh', 'exit 0', 0o644);
    expect(() => resolveTarget(file)).toThrow(SetupError);
    expect(() => resolveTarget(file)).toThrow(`chmod +x ${file}`);
  });

  it('an executable path, relative to cwd, → a BinaryLauncher for its absolute path', () => {
    const file = script('plugin-rel', 'exit 0');
    const launcher = resolveTarget('plugin-rel', dir);
    expect(launcher).toBeInstanceOf(BinaryLauncher);
    expect((launcher as BinaryLauncher).executable).toBe(file);
  });

  it('a folder whose bin/ holds one executable → that file', () => {
    const folder = path.join(dir, 'one');
    mkdirSync(path.join(folder, 'bin'), { recursive: true });
    writeFileSync(path.join(folder, 'bin', 'README'), 'not executable');
    writeFileSync(path.join(folder, 'bin', 'plugin'), '#!/bin/sh\n');
    chmodSync(path.join(folder, 'bin', 'plugin'), 0o755);
    mkdirSync(path.join(folder, 'bin', 'subdir'));
    const launcher = resolveTarget(folder) as BinaryLauncher;
    expect(launcher).toBeInstanceOf(BinaryLauncher);
    expect(launcher.executable).toBe(path.join(folder, 'bin', 'plugin'));
  });

  it('a folder with no executable in bin/ → SetupError', () => {
    const folder = path.join(dir, 'none');
    mkdirSync(path.join(folder, 'bin'), { recursive: true });
    writeFileSync(path.join(folder, 'bin', 'README'), 'not executable');
    expect(() => resolveTarget(folder)).toThrow(SetupError);
    expect(() => resolveTarget(folder)).toThrow(/expected exactly one executable in .*bin \(found: none\)/);
  });

  it('a folder without bin/ → SetupError', () => {
    const folder = path.join(dir, 'empty');
    mkdirSync(folder, { recursive: true });
    expect(() => resolveTarget(folder)).toThrow(/found: none/);
  });

  it('a folder with two executables in bin/ → SetupError naming both', () => {
    const folder = path.join(dir, 'two');
    mkdirSync(path.join(folder, 'bin'), { recursive: true });
    for (const name of ['a', 'b']) {
      writeFileSync(path.join(folder, 'bin', name), '#!/bin/sh\n');
      chmodSync(path.join(folder, 'bin', name), 0o755);
    }
    expect(() => resolveTarget(folder)).toThrow(/found: a, b/);
  });

  it('a file:// URL → a BinaryLauncher for that path', () => {
    const file = script('via-url', 'exit 0');
    const launcher = resolveTarget(pathToFileURL(file).href) as BinaryLauncher;
    expect(launcher).toBeInstanceOf(BinaryLauncher);
    expect(launcher.executable).toBe(file);
  });

  it('a file:// URL with a percent-encoded space → the decoded path', () => {
    const file = script('my plugin', 'exit 0');
    const url = pathToFileURL(file).href;
    expect(url).toContain('my%20plugin');
    expect((resolveTarget(url) as BinaryLauncher).executable).toBe(file);
  });

  it('a file:// URL to a missing file → SetupError "plugin not found"', () => {
    expect(() => resolveTarget(pathToFileURL(path.join(dir, 'gone')).href)).toThrow(/plugin not found/);
  });

  it('ftp://x → SetupError listing the kinds of plugin it takes', () => {
    expect(() => resolveTarget('ftp://x')).toThrow(SetupError);
    expect(() => resolveTarget('ftp://x')).toThrow(/unknown kind of plugin.*file:\/\/, https:\/\/ or oci:\/\/ URL, docker:<image>, or --address/);
  });
});

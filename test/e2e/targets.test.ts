// End to end: the same reference plugin reached as every kind of target (path, file://, https://, oci://, docker:,
// --address) must get the same verdict for every rule; and each way a target can fail to resolve ends in exit 2
// with a message that names the cause. Real components: an HTTPS server with a self-signed certificate, the
// docker-registry and the Docker engine started by scripts/test-services.sh (see test/support/services.ts).
import { execa, type ResultPromise } from 'execa';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOT_AN_EXECUTABLE_NOTE, NOT_OWN_PROCESS_NOTE } from '../../suites/support/shared.js';
import { LABEL } from '../../src/launch/container.js';
import { goPlatform, MEDIA, PLUGIN_MEDIA_TYPE } from '../../src/launch/oci.js';
import { freePort } from '../../src/launch/ports.js';
import { referencePluginImage } from '../support/images.js';
import { digestOf, pushPlugin } from '../support/oci-push.js';
import { skipWithout, testServices } from '../support/services.js';
import { files, startHttpServer, startHttpsServer, type TestHttpsServer } from '../support/servers.js';
import { CLI, ROOT, runCli, type CliRun, assertResultsSchema } from './support.js';

const EXECUTABLE = path.join(ROOT, 'fixtures', 'plugins', 'reference', 'bin', 'reference-plugin');
const CONFIG = path.join(ROOT, 'fixtures', 'plugins', 'reference', 'config.yaml');
const THIS_PLATFORM = goPlatform();
/** One full CLI run may take this long on a loaded 2-core machine; tests waiting for one get TEST_MS. */
const RUN_MS = 400_000;
const TEST_MS = 600_000;
/** Full runs of the reference plugin in flight at once: the suites mostly wait, so two overlap well on 2 cores. */
const PARALLEL_RUNS = 2;

const services = await testServices();
const noRegistry = skipWithout(services.registry !== undefined, 'the test registry (PC_TEST_REGISTRY)');
const noDocker = skipWithout(services.docker, 'a Docker engine');

/** The verdict of every test of a run: name → state. */
function verdicts(run: CliRun): Map<string, string> {
  expect(run.results, `no results.json; output:\n${run.output}`).toBeDefined();
  return new Map(run.results.outcomes.map((o: { name: string; state: string }) => [o.name, o.state]));
}

/**
 * The one clear rule for what a target may judge differently: tests that do not apply to it, named by their note.
 * Attach mode skips tests needing the process (NOT_OWN_PROCESS_NOTE); an image has no executable whose environment
 * or copy the harness controls (NOT_AN_EXECUTABLE_NOTE). Those are excluded from the comparison; nothing else is.
 */
function notApplicable(run: CliRun, state: 'skipped' | 'unsupported', note: string): string[] {
  return run.results.outcomes
    .filter((o: { state: string; messages: string[] }) => o.state === state && (o.messages[0] ?? '').includes(note))
    .map((o: { name: string }) => o.name);
}

let running = 0;
const waiting: (() => void)[] = [];
/** Runs `task` when fewer than PARALLEL_RUNS full runs are in flight. */
async function limited<T>(task: () => Promise<T>): Promise<T> {
  if (running >= PARALLEL_RUNS) await new Promise<void>((resolve) => waiting.push(resolve));
  running += 1;
  try {
    return await task();
  } finally {
    running -= 1;
    waiting.shift()?.();
  }
}

/** A full run of the reference plugin with its config, as `target` (CLI arguments before the config). */
function fullRun(...target: string[]): Promise<CliRun> {
  return limited(() => runCli([...target, '--config', CONFIG], RUN_MS));
}

let baseline: Promise<CliRun> | undefined;
/** The reference plugin run by path: what every other target is compared with. */
function byPath(): Promise<CliRun> {
  baseline ??= fullRun(EXECUTABLE);
  return baseline;
}

async function expectSameVerdicts(run: CliRun, excluded: string[] = []): Promise<void> {
  const reference = await byPath();
  expect(reference.exitCode, `the baseline run (path): ${problems(reference)}`).toBe(0);
  expect(run.exitCode, problems(run)).toBe(0);
  const expected = verdicts(reference);
  const actual = verdicts(run);
  for (const name of excluded) {
    expected.delete(name);
    actual.delete(name);
  }
  expect(expected.size).toBeGreaterThan(20);
  expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(expected));
}

/** What went wrong in a run, briefly: its failed tests, else the end of its output. */
function problems(run: CliRun): string {
  const failed = (run.results?.outcomes ?? []).filter((o: { state: string }) => o.state !== 'passed' && o.state !== 'unsupported' && o.state !== 'skipped');
  if (failed.length) return failed.map((o: { name: string; state: string; messages: string[] }) => `${o.state}: ${o.name}\n    ${(o.messages[0] ?? '').split('\n').slice(0, 6).join('\n    ')}`).join('\n');
  return run.output.split('\n').slice(-15).join('\n');
}

function expectSetupError(run: CliRun, message: string | RegExp): void {
  expect(run.exitCode, run.output).toBe(2);
  if (typeof message === 'string') expect(run.output).toContain(message);
  else expect(run.output).toMatch(message);
}

/** Every full run this file compares, started together in the first beforeAll (at most PARALLEL_RUNS at once). */
const runs: Record<string, Promise<CliRun>> = {};
let https: TestHttpsServer;
let image: string;
let ociTag: string;
let ociIndexDigest: string;

function ociUrl(repository: string, reference = `:${ociTag}`): string {
  return `oci://${services.registry!.address}/${repository}${reference}`;
}

beforeAll(async () => {
  https = await startHttpsServer(files({ '/dl/reference-plugin': { body: readFileSync(EXECUTABLE) } }));
  void byPath();
  runs.file = fullRun(pathToFileURL(EXECUTABLE).href);
  runs.https = fullRun(`${https.origin}/dl/reference-plugin`, '--ca-cert', https.caFile);
  runs.attach = limited(runAttached);
  if (!noRegistry) {
    ociTag = `e2e-${process.pid}-${Date.now().toString(36)}`;
    const pushed = await pushPlugin({ origin: `https://${services.registry!.address}`, repository: 'plugin-conformance/reference-plugin', tag: ociTag, ca: services.registry!.ca }, [
      { platform: { os: 'darwin', architecture: 'arm64' }, data: Buffer.from('a build for another machine') },
      { platform: THIS_PLATFORM, data: readFileSync(EXECUTABLE) },
    ]);
    ociIndexDigest = pushed.indexDigest;
    runs.ociTag = fullRun(ociUrl('plugin-conformance/reference-plugin'), '--ca-cert', services.registry!.caFile);
    runs.ociDigest = fullRun(ociUrl('plugin-conformance/reference-plugin', `@${ociIndexDigest}`), '--ca-cert', services.registry!.caFile);
  }
  if (!noDocker) {
    const built = await referencePluginImage();
    image = built.image;
    console.log(`reference plugin image ${image}: ${built.built ? `built in ${built.elapsedMs} ms` : 'reused'} (${Math.round(built.bytes / 1e6)} MB)`);
    runs.docker = fullRun(`docker:${image}`);
  }
}, 300_000);

afterAll(async () => {
  await Promise.allSettled(Object.values(runs));
  await https?.close();
});

describe('the same verdicts through every kind of target', () => {
  it('file:// (the URL goes into --config as given)', async () => {
    const run = await runs.file;
    await expectSameVerdicts(run);
    expect(run.results.url).toBe(pathToFileURL(EXECUTABLE).href);
  }, TEST_MS);

  it('https:// with a private CA through --ca-cert (fetched; the original URL goes into --config)', async () => {
    const run = await runs.https;
    const url = `${https.origin}/dl/reference-plugin`;
    await expectSameVerdicts(run);
    expect(run.results.url).toBe(url);
    expect(run.output).toContain(`testing ${url} (fetched to `);
  }, TEST_MS);

  it.skipIf(noRegistry)('oci:// by tag, from an index that also holds another platform', async () => {
    const run = await runs.ociTag;
    await expectSameVerdicts(run);
    expect(run.results.url).toBe(ociUrl('plugin-conformance/reference-plugin'));
  }, TEST_MS);

  it.skipIf(noRegistry)('oci:// by digest', async () => {
    await expectSameVerdicts(await runs.ociDigest);
  }, TEST_MS);

  it.skipIf(noDocker)('docker:IMAGE (host network, init process; no container left behind); executable-only tests excluded', async () => {
    const run = await runs.docker;
    const excluded = notApplicable(run, 'unsupported', NOT_AN_EXECUTABLE_NOTE);
    expect(excluded.every((name) => /^PROC-00[23] /.test(name)), excluded.join('\n')).toBe(true);
    await expectSameVerdicts(run, excluded);
    const { stdout } = await execa('docker', ['ps', '-a', '--filter', `label=${LABEL.run}`, '--format', '{{.ID}} {{.Image}} {{.Status}}']);
    expect(stdout.trim(), 'containers left behind by the harness').toBe('');
  }, TEST_MS);

  it('--address: the user starts the plugin with the printed command line; tests needing the process are excluded', async () => {
    const run = await runs.attach;
    const excluded = notApplicable(run, 'skipped', NOT_OWN_PROCESS_NOTE);
    expect(excluded.length).toBeGreaterThan(0);
    await expectSameVerdicts(run, excluded);
  }, TEST_MS);
});

describe('targets that cannot be resolved: exit 2 with the cause', () => {
  it('https:// answering HTTP 404', async () => {
    const url = `${https.origin}/dl/missing`;
    expectSetupError(await runCli([url, '--ca-cert', https.caFile]), `cannot download the plugin: HTTP 404 for GET ${url}; piped requires 200. Check the URL.`);
  });

  it('https:// with an untrusted certificate', async () => {
    expectSetupError(await runCli([`${https.origin}/dl/reference-plugin`]), /self-signed certificate; the server certificate is not signed by a trusted CA: pass --ca-cert FILE/);
  });

  it('oci:// digest mismatch (a registry serving other bytes than the layer digest names)', async () => {
    const binary = Buffer.from('#!/bin/sh\n');
    const digest = digestOf(binary);
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.manifest,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: digestOf(Buffer.from('{}')), size: 2 },
      layers: [{ mediaType: PLUGIN_MEDIA_TYPE, digest, size: binary.length }],
    });
    const fake = await startHttpServer(files({
      '/v2/me/plugin/manifests/v1': { headers: { 'Content-Type': MEDIA.manifest }, body: manifest },
      [`/v2/me/plugin/blobs/${digest}`]: { body: 'something else entirely' },
    }));
    try {
      const run = await runCli([`oci://${fake.origin.replace('http://', '')}/me/plugin:v1`]);
      expectSetupError(run, new RegExp(`digest mismatch for layer ${digest} .*: expected ${digest}, got sha256:[0-9a-f]{64}`));
    } finally {
      await fake.close();
    }
  });

  it.skipIf(noRegistry)('oci:// with the wrong layer media type', async () => {
    await pushPlugin({ origin: `https://${services.registry!.address}`, repository: 'plugin-conformance/wrong-media-type', tag: ociTag, ca: services.registry!.ca }, [
      { platform: THIS_PLATFORM, data: readFileSync(EXECUTABLE), mediaType: 'application/octet-stream' },
    ]);
    const run = await runCli([ociUrl('plugin-conformance/wrong-media-type'), '--ca-cert', services.registry!.caFile]);
    expectSetupError(run, /has no layer of media type application\/vnd\.pipecd\.piped\.plugin \(its layers: application\/octet-stream\); piped would download an empty file/);
  });

  it.skipIf(noRegistry)('oci:// without a build for this platform', async () => {
    await pushPlugin({ origin: `https://${services.registry!.address}`, repository: 'plugin-conformance/wrong-platform', tag: ociTag, ca: services.registry!.ca }, [
      { platform: { os: 'darwin', architecture: 'arm64' }, data: Buffer.from('mac only') },
      { platform: { os: 'windows', architecture: 'amd64' }, data: Buffer.from('windows only') },
    ]);
    const run = await runCli([ociUrl('plugin-conformance/wrong-platform'), '--ca-cert', services.registry!.caFile]);
    expectSetupError(run, `no build for ${THIS_PLATFORM.os}/${THIS_PLATFORM.architecture} (this machine); the artifact offers: darwin/arm64, windows/amd64`);
  });

  it.skipIf(noRegistry)('oci:// with an unknown tag (HTTP 404)', async () => {
    const run = await runCli([ociUrl('plugin-conformance/reference-plugin', ':no-such-tag'), '--ca-cert', services.registry!.caFile]);
    expectSetupError(run, /the registry has no tag no-such-tag in repository plugin-conformance\/reference-plugin \(HTTP 404 for GET https:\/\/.*\/manifests\/no-such-tag: MANIFEST_UNKNOWN/);
  });

  it.skipIf(noDocker)('docker: with an image that is not in the engine (never pulled)', async () => {
    const missing = 'plugin-conformance-test/no-such-image:missing';
    const run = await runCli([`docker:${missing}`]);
    expectSetupError(run, `image ${missing} is not in the local Docker engine, and plugin-conformance never pulls on its own. Build or pull it first`);
    expect(run.output).toContain('or pass --pull');
  });

  it('docker: with no Docker engine', async () => {
    const run = await runCli(['docker:any/image:1'], 60_000, { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    expectSetupError(run, 'no Docker engine answers at DOCKER_HOST=unix:///nonexistent/docker.sock. Start one (e.g. `sudo systemctl start docker`, or `dockerd`)');
  });
});

/** Runs the CLI in attach mode and, when it prints the command line, starts the reference plugin with it. */
async function runAttached(): Promise<CliRun> {
  const [pluginPort, hostPort] = [await freePort(), await freePort()];
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'pc-e2e-'));
  const started = Date.now();
  const cli = execa('node', [CLI, '--address', `127.0.0.1:${pluginPort}`, '--host-port', String(hostPort), '--config', CONFIG, '--out', outDir], {
    cwd: ROOT, all: true, reject: false, timeout: RUN_MS, env: { FORCE_COLOR: '0', NO_COLOR: '1' },
  });
  let plugin: ResultPromise | undefined;
  let printed = '';
  cli.stdout?.on('data', (chunk: Buffer) => {
    printed += chunk.toString();
    const line = /^ {2}<your-plugin> (start .*)$/m.exec(printed)?.[1];
    if (line && !plugin) plugin = execa(EXECUTABLE, shellWords(line), { reject: false, stdio: 'ignore' });
  });
  try {
    const result = await cli;
    const output = result.all ?? '';
    expect(plugin, `the CLI printed no command line:\n${output}`).toBeDefined();
    const results = JSON.parse(readFileSync(path.join(outDir, 'results.json'), 'utf8'));
    assertResultsSchema(results, outDir);
    return { exitCode: result.exitCode ?? -1, output, lastLine: output.trimEnd().split('\n').pop() ?? '', outDir, results, elapsedMs: Date.now() - started };
  } finally {
    plugin?.kill('SIGTERM');
    await plugin;
  }
}

/** Splits a POSIX shell command line that uses single quotes and backslashes (what attach mode prints). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '\\') {
      word = (word ?? '') + line[++i];
    } else if (c === ' ') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

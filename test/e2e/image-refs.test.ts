// End to end: a bare image reference as <plugin> (ghcr.io/me/p:v1, or plugins/wait when the engine has that image) is
// tested as docker:IMAGE and the first line says which reading was taken; an ambiguous reference the engine does not
// have, and any reference without an engine, end in exit 2 with the message that names both readings. The image is
// the reference plugin's, built from local files by test/support/images.ts (never pulled); see targets.test.ts.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referencePluginImage } from '../support/images.js';
import { skipWithout, testServices } from '../support/services.js';
import { ROOT, runCli, type CliRun } from './support.js';

const CONFIG = path.join(ROOT, 'fixtures', 'plugins', 'reference', 'config.yaml');
/** Two rules keep each run short: the plugin starts (PROC-001) and answers FetchDefinedStages (DEF-001). */
const SHORT = ['--config', CONFIG, '--only', 'PROC-001,DEF-001'];
const RUN_MS = 240_000;
const TEST_MS = 300_000;
/** An ambiguous reference: no folder of that name beside the CLI's working directory (ROOT), no such local image. */
const AMBIGUOUS = 'plugins/wait';
const DEAD_ENGINE = { DOCKER_HOST: 'unix:///tmp/nonexistent.sock' };

const services = await testServices();
const noDocker = skipWithout(services.docker, 'a Docker engine');

let image: string;
/** The same image under a name with no registry host, tag or digest (`docker tag`, local only): an ambiguous reference. */
const alias = `plugin-conformance-test/image-ref-${process.pid}`;
const runs: Record<string, Promise<CliRun>> = {};

beforeAll(async () => {
  if (noDocker) return;
  const built = await referencePluginImage();
  image = built.image;
  console.log(`reference plugin image ${image}: ${built.built ? `built in ${built.elapsedMs} ms` : 'reused'} (${Math.round(built.bytes / 1e6)} MB)`);
  await execa('docker', ['tag', image, alias]);
  runs.tagged = runCli([image, ...SHORT], RUN_MS);
  runs.alias = runCli([alias, ...SHORT], RUN_MS);
}, 300_000);

afterAll(async () => {
  await Promise.allSettled(Object.values(runs));
  if (!noDocker) await execa('docker', ['image', 'rm', alias], { reject: false });
});

function firstLine(run: CliRun): string {
  return run.output.split('\n')[0];
}

function expectPassed(run: CliRun): void {
  expect(run.exitCode, run.output).toBe(0);
  const states = Object.fromEntries(run.results.outcomes.map((o: { ruleId: string; state: string }) => [o.ruleId, o.state]));
  expect(states).toMatchObject({ 'PROC-001': 'passed', 'DEF-001': 'passed' });
  const ran = run.results.outcomes.filter((o: { state: string }) => o.state !== 'skipped').map((o: { ruleId: string }) => o.ruleId);
  expect(ran.sort()).toEqual(['DEF-001', 'PROC-001']);
  expect(run.lastLine).toMatch(/^2 passed, 0 failed/);
}

describe('a bare image reference is tested as a container image', () => {
  it.skipIf(noDocker)('with a tag: read as an image without asking; the first line says so', async () => {
    const run = await runs.tagged;
    expect(firstLine(run)).toBe(`plugin-conformance: "${image}" is not a file here; testing it as the container image ${image} (write ./${image} for a path)`);
    expect(run.output).toContain(`plugin-conformance: testing container image ${image} as "reference-plugin"`);
    expectPassed(run);
  }, TEST_MS);

  it.skipIf(noDocker)('with no host, tag or digest: an image because the local engine has it, and the first line says why', async () => {
    const run = await runs.alias;
    expect(firstLine(run)).toBe(
      `plugin-conformance: "${alias}" is not a file here, and the local Docker engine has the image ${alias}; testing it as that container image (write ./${alias} for a path)`,
    );
    expect(run.output).toContain(`plugin-conformance: testing container image ${alias} as "reference-plugin"`);
    expectPassed(run);
  }, TEST_MS);
});

describe('references that cannot be read either way: exit 2 with both readings', () => {
  it.skipIf(noDocker)('ambiguous, and the engine has no such image', async () => {
    expect(existsSync(path.join(ROOT, AMBIGUOUS)), `${AMBIGUOUS} must not exist in ${ROOT} for this test`).toBe(false);
    const run = await runCli([AMBIGUOUS, ...SHORT], 60_000);
    expect(run.exitCode, run.output).toBe(2);
    expect(firstLine(run)).toBe(
      `plugin-conformance: "${AMBIGUOUS}" is neither a file nor a folder here, and as a container image it has no registry host, tag or digest, ` +
        `and the local Docker engine has no image ${AMBIGUOUS}. To test it, write ./${AMBIGUOUS} for a path, or docker:${AMBIGUOUS} for the container image (with --pull to pull it).`,
    );
    expect(run.results).toBeUndefined();
  });

  it('ambiguous, and no Docker engine: says so and how to start one', async () => {
    const run = await runCli([AMBIGUOUS, ...SHORT], 60_000, DEAD_ENGINE);
    expect(run.exitCode, run.output).toBe(2);
    expect(run.output).toContain(`"${AMBIGUOUS}" is neither a file nor a folder here`);
    expect(run.output).toContain(
      'checking whether it is a local image needs a Docker engine: no Docker engine answers at DOCKER_HOST=unix:///tmp/nonexistent.sock. Start one (e.g. `sudo systemctl start docker`, or `dockerd`)',
    );
    expect(run.output).toContain(`write ./${AMBIGUOUS} for a path, or docker:${AMBIGUOUS} for the container image`);
  });

  it('a reference with a registry host and tag, and no Docker engine: the image reading, then the engine message', async () => {
    const run = await runCli(['ghcr.io/me/p:v1', ...SHORT], 60_000, DEAD_ENGINE);
    expect(run.exitCode, run.output).toBe(2);
    expect(firstLine(run)).toBe('plugin-conformance: "ghcr.io/me/p:v1" is not a file here; testing it as the container image ghcr.io/me/p:v1 (write ./ghcr.io/me/p:v1 for a path)');
    expect(run.output).toContain('plugin-conformance: no Docker engine answers at DOCKER_HOST=unix:///tmp/nonexistent.sock. Start one');
  });

  it('a subcommand name is not read as an image; docker:NAME forces the image', async () => {
    // not first on the command line, so even once `list` is dispatched as a subcommand this reaches the plugin argument
    const reserved = await runCli([...SHORT, 'list'], 60_000, DEAD_ENGINE);
    expect(reserved.exitCode, reserved.output).toBe(2);
    expect(reserved.output).toContain('"list" is a plugin-conformance command name (reserved), so it is not read as a container image');
    expect(reserved.output).toContain('write ./list for a path, or docker:list for the container image');
    const forced = await runCli(['docker:list', ...SHORT], 60_000, DEAD_ENGINE);
    expect(forced.exitCode, forced.output).toBe(2);
    expect(forced.output).toContain('no Docker engine answers at DOCKER_HOST=unix:///tmp/nonexistent.sock');
  });

  it('an uppercase reference is neither: "plugin not found", with the reason it is no image', async () => {
    const run = await runCli(['ghcr.io/Me/p:v1', ...SHORT], 60_000);
    expect(run.exitCode, run.output).toBe(2);
    expect(run.output).toMatch(/plugin not found: ghcr\.io\/Me\/p:v1 .*As a container image reference it is not valid either: repository names must be lowercase \("Me"\)/);
  });
});

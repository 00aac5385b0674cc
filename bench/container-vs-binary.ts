// Benchmark: what a container target costs over the binary target, measured in the same run on the same plugin.
//   1. Session start (fake piped up, plugin launched, FetchDefinedStages answered) and stop, repeated per target.
//   2. One CLI run per target over the same rule selection: total wall time, extra seconds, ratio.
// Needs a Docker engine (scripts/test-services.sh start) and `npm run build`. Usage:
//   npm run bench:container -- [--repeat N] [--only GLOBS]     (default: 5 session starts, every rule)
import { execa } from 'execa';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../src/protocol/load.js';
import { Session } from '../src/session.js';
import { BinaryLauncher } from '../src/launch/binary.js';
import { ContainerLauncher, runLabels } from '../src/launch/container.js';
import type { Launcher } from '../src/launch/types.js';
import { referencePluginImage } from '../test/support/images.js';

const ROOT = packageRoot();
const EXECUTABLE = path.join(ROOT, 'fixtures', 'plugins', 'reference', 'bin', 'reference-plugin');
const CONFIG = path.join(ROOT, 'fixtures', 'plugins', 'reference', 'config.yaml');

const { values } = parseArgs({ options: { repeat: { type: 'string', default: '5' }, only: { type: 'string' } } });
const repeat = Number(values.repeat);

interface Timing {
  startMs: number[];
  stopMs: number[];
}

async function sessionTimings(launcher: Launcher): Promise<Timing> {
  const timing: Timing = { startMs: [], stopMs: [] };
  for (let i = 0; i < repeat; i += 1) {
    const started = Date.now();
    const session = await Session.start({ launcher, pluginName: 'reference-plugin', pluginConfig: {}, deployTargets: [{ name: 'local', config: null }] });
    timing.startMs.push(Date.now() - started);
    const stopping = Date.now();
    await session.stop(10_000);
    timing.stopMs.push(Date.now() - stopping);
  }
  return timing;
}

async function cliSeconds(target: string): Promise<number> {
  const started = Date.now();
  const only = values.only ? ['--only', values.only] : [];
  const run = await execa('node', [path.join(ROOT, 'bin', 'plugin-conformance.js'), target, '--config', CONFIG, ...only, '--out', path.join(ROOT, 'reports', 'bench')], { reject: false });
  if (run.exitCode !== 0) throw new Error(`${target}: exit ${run.exitCode}\n${run.stdout}\n${run.stderr}`);
  return (Date.now() - started) / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const row = (name: string, t: Timing) => `${name.padEnd(10)} start median ${String(median(t.startMs)).padStart(5)} ms (min ${Math.min(...t.startMs)}, max ${Math.max(...t.startMs)})   stop median ${String(median(t.stopMs)).padStart(5)} ms`;

const image = await referencePluginImage();
console.log(`image ${image.image}: ${image.built ? `built in ${image.elapsedMs} ms` : `present (checked in ${image.elapsedMs} ms)`}, ${Math.round(image.bytes / 1e6)} MB`);

const binary = await sessionTimings(new BinaryLauncher(EXECUTABLE));
const container = await sessionTimings(new ContainerLauncher(image.image, runLabels(`bench-${process.pid}`)));
console.log(`\nsession start → ready → stop, ${repeat} times each`);
console.log(row('binary', binary));
console.log(row('container', container));
console.log(`container start costs ${median(container.startMs) - median(binary.startMs)} ms more per plugin process (median)`);

const binarySeconds = await cliSeconds(EXECUTABLE);
const containerSeconds = await cliSeconds(`docker:${image.image}`);
console.log(`\nCLI run of the reference plugin${values.only ? ` (--only ${values.only})` : ' (every rule)'}`);
console.log(`binary ${binarySeconds.toFixed(2)} s, container ${containerSeconds.toFixed(2)} s: container +${(containerSeconds - binarySeconds).toFixed(2)} s, ratio ${(containerSeconds / binarySeconds).toFixed(2)}`);

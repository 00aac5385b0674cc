// Orchestrates one run: target → run spec → suites under vitest → outcomes → reports → exit code.
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startVitest, BaseSequencer, type TestSpecification } from 'vitest/node';
import { describeCapabilities } from './contract/capabilities.js';
import { globsToPattern } from './contract/rules.js';
import { SetupError, UsageError } from './errors.js';
import { propertySettingsOf, replayTestPattern, type PropertyOptions } from './generate/properties.js';
import type { SeededTool } from './host/types.js';
import { WORK_DIR_ENV } from './host/workspace.js';
import { packageRoot } from './protocol/load.js';
import { clearCapabilities, readCapabilities } from './report/capabilities-file.js';
import { OutcomeCollector } from './report/collector.js';
import { groupNotExercised, renderHtmlReport } from './report/html.js';
import { renderJunit } from './report/junit.js';
import type { TestOutcome } from './report/outcome.js';
import { closingLine, countOutcomes, EXIT, verdictOf, type VerdictOptions } from './report/verdict.js';
import type { RunSpec } from './run-spec.js';
import { pipedPluginConfig } from './session.js';
import { readPluginEntry, type ConformanceSection } from './target/config-file.js';
import { discoverExampleApps, loadExampleApp, type RunInputs } from './piped/inputs.js';
import { attachCommand } from './target/address.js';
import { removeRunContainers, removeRunContainersSync } from './target/container.js';
import { freePort } from './target/ports.js';
import { defaultPluginName, launcherFor, prepareTarget, type TargetRequest } from './target/resolve.js';
import type { TargetSpec } from './target/types.js';
import type { RegistryCredentials } from './target/registry-auth.js';
import { PID_FILE_ENV, reapChildren } from './target/reaper.js';

export interface RunOptions {
  /** The positional plugin argument (absent with --container or --address). */
  target?: string;
  /** --container IMAGE (same as docker:IMAGE) */
  container?: string;
  /** --address HOST:PORT: attach to a plugin the user started. */
  address?: string;
  /** --host-port N: fixed port for the fake piped. */
  hostPort?: number;
  /** --tool NAME[@VERSION]=PATH (checked, paths absolute): InstallTool answers these without running the script. */
  tools?: SeededTool[];
  /** --pull: container images may be pulled. */
  pull?: boolean;
  /** --ca-cert FILE */
  caCertFile?: string;
  /** --registry-auth user:pass */
  registryAuth?: RegistryCredentials;
  configFile?: string;
  /** --app DIR (absolute): example applications, beside those of the --config file and the folder target. */
  apps?: string[];
  /** --allow-not-exercised */
  allowNotExercised?: boolean;
  name?: string;
  outDir: string;
  only: string[];
  skip: string[];
  readyTimeoutMs: number;
  graceMs: number;
  /** SHOULD failures fail the run too. */
  strict?: boolean;
  protoRoot?: string;
  /** --seed, --property-runs, --property-time, --replay, --replay-file, --save-failures. */
  properties?: PropertyOptions;
}

/** Suites run in file-name order: process start-up first, shutdown last. */
class ByFileName extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
  }
}

/** Builds what the suites need to start the plugin (fetching URLs, checking images); throws UsageError/SetupError. */
export async function runSpecOf(options: RunOptions, runId: string, cwd = process.cwd()): Promise<RunSpec> {
  const request: TargetRequest = { ...options, runId };
  const configFile = options.configFile ?? (options.target ? folderConfig(path.resolve(cwd, options.target)) : undefined);
  const entry = configFile ? readPluginEntry(path.resolve(cwd, configFile)) : {};
  const pluginName = options.name ?? entry.name ?? defaultPluginName(request, cwd);
  const inputs = runInputsOf(options, entry.conformance, cwd);
  const target = await prepareTarget(request, pluginName, cwd);
  const hostPort = options.hostPort ?? (target.kind === 'address' ? await freePort() : undefined);
  return {
    target,
    description: describeTarget(target),
    executable: target.kind === 'binary' ? target.executable : undefined,
    url: launcherFor(target).url,
    ownsProcess: target.kind !== 'address',
    hostPort,
    tools: options.tools,
    configFile: configFile ? path.resolve(cwd, configFile) : undefined,
    pluginName,
    pluginConfig: entry.config,
    deployTargets: entry.deployTargets ?? [{ name: 'conformance-target', config: null }],
    readyTimeoutMs: options.readyTimeoutMs,
    graceMs: options.graceMs,
    protoRoot: options.protoRoot,
    properties: propertySettingsOf(options.properties),
    inputs,
  };
}

/**
 * Example apps from --app, the --config file's conformance.apps and a folder target's examples/ (each folder once,
 * in that order), and the stage examples of conformance.stages. Loaded before the plugin starts: a bad app is exit 2.
 */
function runInputsOf(options: RunOptions, section: ConformanceSection | undefined, cwd: string): RunInputs {
  const folder = options.target ? path.resolve(cwd, options.target) : undefined;
  const exampleFolders = folder && existsSync(folder) && statSync(folder).isDirectory() ? discoverExampleApps(folder) : [];
  const sources: [string, string][] = [
    ...(options.apps ?? []).map((dir): [string, string] => [path.resolve(cwd, dir), '--app']),
    ...(section?.apps ?? []).map((dir): [string, string] => [dir, 'conformance.apps']),
    ...exampleFolders.map((dir): [string, string] => [dir, 'examples of the plugin folder:']),
  ];
  const seen = new Set<string>();
  const apps = sources.filter(([dir]) => !seen.has(dir) && seen.add(dir)).map(([dir, flag]) => loadExampleApp(dir, flag));
  return { apps, stages: section?.stages ?? {} };
}

/** Attach mode: the exact command that starts the user's plugin against this run's fake piped. */
function printAttachInstructions(spec: RunSpec, address: string): void {
  const launcher = launcherFor(spec.target);
  const config = pipedPluginConfig({ launcher, pluginName: spec.pluginName, pluginConfig: spec.pluginConfig, deployTargets: spec.deployTargets }, launcher.url, launcher.fixedPort!);
  console.log(
    `\nAttach mode: start your plugin with exactly these arguments (in a terminal or your debugger) and leave it running;\n` +
      `the harness waits up to ${Math.round(spec.readyTimeoutMs / 1000)} s (--ready-timeout) for FetchDefinedStages to answer on ${address}:\n\n` +
      `  ${attachCommand('<your-plugin>', `127.0.0.1:${spec.hostPort}`, config)}\n\n` +
      `Rules that need the harness to own the plugin process (start-up argv, bad --config, output, shutdown, restarts) are not run.\n`,
  );
}

function describeTarget(target: TargetSpec): string {
  if (target.kind === 'container') return `container image ${target.image}`;
  if (target.kind === 'address') return `the plugin at ${target.address} (attach mode)`;
  return target.url.startsWith('file:') ? target.executable : `${target.url} (fetched to ${target.executable})`;
}

/** A folder target may carry its harness config as `config.yaml` beside `bin/`. */
function folderConfig(target: string): string | undefined {
  const candidate = path.join(target, 'config.yaml');
  return existsSync(target) && statSync(target).isDirectory() && existsSync(candidate) ? candidate : undefined;
}

/** Vitest's test-name filter for --only/--skip rule ID globs. */
export function testNamePattern(only: string[], skip: string[]): RegExp | undefined {
  if (!only.length && !skip.length) return undefined;
  const must = only.length ? `(?=.*\\b${globsToPattern(only)}\\b)` : '';
  const mustNot = skip.length ? `(?!.*\\b${globsToPattern(skip)}\\b)` : '';
  return new RegExp(`^${must}${mustNot}`);
}

export async function run(options: RunOptions, signal?: AbortSignal): Promise<number> {
  const runId = `${process.pid}-${Date.now().toString(36)}`;
  let spec: RunSpec;
  try {
    spec = await runSpecOf(options, runId);
  } catch (error) {
    if (error instanceof UsageError || error instanceof SetupError) {
      console.error(`plugin-conformance: ${error.message}`);
      return EXIT.setup;
    }
    throw error;
  }
  const outDir = path.resolve(options.outDir);
  mkdirSync(outDir, { recursive: true });
  clearCapabilities(outDir);
  spec = { ...spec, reportsDir: outDir };
  console.log(`plugin-conformance: testing ${spec.description} as "${spec.pluginName}"${spec.configFile ? ` with ${spec.configFile}` : ''}`);
  if (spec.target.kind === 'address') printAttachInstructions(spec, spec.target.address);
  for (const app of spec.inputs.apps) console.log(`plugin-conformance: example app ${app.label} (${app.configFilename}, ${app.pipeline.length} pipeline stage(s))`);
  console.log(`plugin-conformance: seed ${spec.properties!.seed} (--seed ${spec.properties!.seed} generates the same cases again)`);

  const pidFile = path.join(os.tmpdir(), `plugin-conformance-${process.pid}.pids`);
  process.env[PID_FILE_ENV] = pidFile;
  // Sessions put their checkouts here; removed after the run even when a session was never stopped.
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'plugin-conformance-run-'));
  process.env[WORK_DIR_ENV] = workDir;
  // vitest may end the process itself on Ctrl-C, skipping `finally`; the exit hook still runs (synchronously).
  const reapOnExit = () => {
    reapChildren(pidFile);
    if (spec.target.kind === 'container') removeRunContainersSync(runId);
    rmSync(workDir, { recursive: true, force: true });
  };
  process.once('exit', reapOnExit);
  let outcomes: TestOutcome[];
  try {
    outcomes = await runSuites(spec, options, outDir, signal);
  } finally {
    process.off('exit', reapOnExit);
    const killed = reapChildren(pidFile);
    if (killed && !signal?.aborted) console.error(`plugin-conformance: ${killed} plugin process(es) outlived the run and were killed`);
    if (spec.target.kind === 'container') {
      const removed = await removeRunContainers(runId);
      if (removed && !signal?.aborted) console.error(`plugin-conformance: ${removed} container(s) outlived the run and were removed`);
    }
    rmSync(workDir, { recursive: true, force: true });
  }
  if (signal?.aborted) {
    console.error('plugin-conformance: interrupted; the plugin was stopped.');
    return EXIT.interrupted;
  }
  return report(outcomes, spec, outDir, { strict: options.strict, allowNotExercised: options.allowNotExercised });
}

async function runSuites(spec: RunSpec, options: RunOptions, outDir: string, signal?: AbortSignal): Promise<TestOutcome[]> {
  const root = packageRoot();
  const collector = new OutcomeCollector(root);
  const vitest = await startVitest(
    'test',
    [],
    {
      root,
      dir: path.join(root, 'dist', 'suites'),
      include: ['**/*.test.js'],
      config: false,
      watch: false,
      pool: 'forks',
      maxWorkers: 1,
      isolate: false,
      fileParallelism: false,
      testTimeout: 120_000,
      hookTimeout: 60_000,
      testNamePattern: replayTestPattern(spec.properties ?? {}) ?? testNamePattern(options.only, options.skip),
      passWithNoTests: true,
      provide: { run: spec },
      sequence: { sequencer: ByFileName },
      reporters: ['default', collector],
    },
    { cacheDir: path.join(os.tmpdir(), 'plugin-conformance-vite-cache'), logLevel: 'warn' },
  );
  const onAbort = () => void vitest.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  await vitest.close();
  signal?.removeEventListener('abort', onAbort);
  return collector.outcomes;
}

function report(outcomes: TestOutcome[], spec: RunSpec, outDir: string, verdictOptions: VerdictOptions): number {
  const counts = countOutcomes(outcomes);
  const verdict = verdictOf(outcomes, verdictOptions);
  const resultsFile = path.join(outDir, 'results.json');
  const capabilities = readCapabilities(outDir);
  writeFileSync(resultsFile, JSON.stringify({ tool: 'plugin-conformance', target: spec.description, url: spec.url, pluginName: spec.pluginName, seed: spec.properties?.seed, properties: propertiesSummary(spec), capabilities, verdict, counts, outcomes }, null, 2) + '\n');
  if (capabilities) console.log(`\njudged as: ${describeCapabilities(capabilities)}`);
  writeFileSync(path.join(outDir, 'junit.xml'), renderJunit(outcomes));
  const htmlFile = path.join(outDir, 'report.html');
  writeFileSync(htmlFile, renderHtmlReport({ target: spec.description, pluginName: spec.pluginName, verdict, counts, outcomes, generatedAt: new Date().toISOString() }));
  printProblems(outcomes);
  console.log(`\n${verdict.summary}`);
  console.log(`reports: ${path.join(outDir, 'junit.xml')}, ${resultsFile}, ${htmlFile}`);
  console.log(closingLine(counts));
  return verdict.exitCode;
}

/** How the generated cases were made, for results.json (the seed alone reproduces them). */
function propertiesSummary(spec: RunSpec) {
  const p = spec.properties;
  if (!p) return undefined;
  const replay = p.replay ? `${p.replay.property}:${p.replay.path}` : p.replayCase ? `${p.replayCase.property} (saved value)` : undefined;
  return { seed: p.seed, runs: p.runs, timeLimitMs: p.timeLimitMs, ...(replay ? { replay } : {}) };
}

function printProblems(outcomes: TestOutcome[]): void {
  const notExercised = groupNotExercised(outcomes);
  if (notExercised.size) {
    console.log('\nNot exercised (the rule applies, but the harness had no valid input to drive it):');
    for (const [reason, ids] of notExercised) console.log(`  ⊘ ${ids.join(', ')}\n      ${reason.split('\n').join('\n      ')}`);
  }
  const problems = outcomes.filter((o) => o.state === 'failed' || o.state === 'setup-error' || o.state === 'harness-error');
  const setup = problems.find((o) => o.state === 'setup-error');
  if (setup) {
    console.error(`\nplugin-conformance: ${setup.messages[0] ?? 'setup failed'}`);
    return;
  }
  if (!problems.length) return;
  console.log('\nFailed rules:');
  for (const o of problems) console.log(`  ✗ [${o.level ?? '?'}] ${o.name}\n      ${(o.messages[0] ?? '').split('\n').join('\n      ')}`);
}

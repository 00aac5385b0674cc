// Orchestrates one run: target → run spec → suites under vitest → outcomes → reports → exit code.
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startVitest, BaseSequencer, type TestSpecification } from 'vitest/node';
import { globsToPattern } from './contract/rules.js';
import { SetupError, UsageError } from './errors.js';
import { packageRoot } from './protocol/load.js';
import { OutcomeCollector } from './report/collector.js';
import { renderHtmlReport } from './report/html.js';
import type { TestOutcome } from './report/outcome.js';
import { closingLine, countOutcomes, EXIT, verdictOf } from './report/verdict.js';
import type { RunSpec } from './run-spec.js';
import { readPluginEntry } from './target/config-file.js';
import { resolveTarget } from './target/resolve.js';
import { PID_FILE_ENV, reapChildren } from './target/reaper.js';
import type { BinaryLauncher } from './target/binary.js';

export interface RunOptions {
  target: string;
  configFile?: string;
  name?: string;
  outDir: string;
  only: string[];
  skip: string[];
  readyTimeoutMs: number;
  graceMs: number;
  protoRoot?: string;
}

/** Suites run in file-name order: process start-up first, shutdown last. */
class ByFileName extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
  }
}

/** Builds what the suites need to start the plugin; throws UsageError/SetupError for bad input. */
export function runSpecOf(options: RunOptions, cwd = process.cwd()): RunSpec {
  const launcher = resolveTarget(options.target, cwd) as BinaryLauncher;
  const configFile = options.configFile ?? folderConfig(path.resolve(cwd, options.target));
  const entry = configFile ? readPluginEntry(path.resolve(cwd, configFile)) : {};
  return {
    executable: launcher.executable,
    configFile: configFile ? path.resolve(cwd, configFile) : undefined,
    pluginName: options.name ?? entry.name ?? path.basename(launcher.executable),
    pluginConfig: entry.config,
    deployTargets: entry.deployTargets ?? [{ name: 'conformance-target', config: null }],
    readyTimeoutMs: options.readyTimeoutMs,
    graceMs: options.graceMs,
    protoRoot: options.protoRoot,
  };
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
  let spec: RunSpec;
  try {
    spec = runSpecOf(options);
  } catch (error) {
    if (error instanceof UsageError || error instanceof SetupError) {
      console.error(`plugin-conformance: ${error.message}`);
      return EXIT.setup;
    }
    throw error;
  }
  const outDir = path.resolve(options.outDir);
  mkdirSync(outDir, { recursive: true });
  console.log(`plugin-conformance: testing ${spec.executable} as "${spec.pluginName}"${spec.configFile ? ` with ${spec.configFile}` : ''}`);

  const pidFile = path.join(os.tmpdir(), `plugin-conformance-${process.pid}.pids`);
  process.env[PID_FILE_ENV] = pidFile;
  // vitest may end the process itself on Ctrl-C, skipping `finally`; the exit hook still runs (synchronously).
  const reapOnExit = () => reapChildren(pidFile);
  process.once('exit', reapOnExit);
  let outcomes: TestOutcome[];
  try {
    outcomes = await runSuites(spec, options, outDir, signal);
  } finally {
    process.off('exit', reapOnExit);
    const killed = reapChildren(pidFile);
    if (killed && !signal?.aborted) console.error(`plugin-conformance: ${killed} plugin process(es) outlived the run and were killed`);
  }
  if (signal?.aborted) {
    console.error('plugin-conformance: interrupted; the plugin was stopped.');
    return EXIT.interrupted;
  }
  return report(outcomes, spec, outDir);
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
      testNamePattern: testNamePattern(options.only, options.skip),
      passWithNoTests: true,
      provide: { run: spec },
      sequence: { sequencer: ByFileName },
      reporters: ['default', collector, ['junit', { outputFile: path.join(outDir, 'junit.xml'), suiteName: 'plugin-conformance' }]],
    },
    { cacheDir: path.join(os.tmpdir(), 'plugin-conformance-vite-cache'), logLevel: 'warn' },
  );
  const onAbort = () => void vitest.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  await vitest.close();
  signal?.removeEventListener('abort', onAbort);
  return collector.outcomes;
}

function report(outcomes: TestOutcome[], spec: RunSpec, outDir: string): number {
  const counts = countOutcomes(outcomes);
  const verdict = verdictOf(outcomes);
  const resultsFile = path.join(outDir, 'results.json');
  writeFileSync(resultsFile, JSON.stringify({ tool: 'plugin-conformance', target: spec.executable, pluginName: spec.pluginName, verdict, counts, outcomes }, null, 2) + '\n');
  const htmlFile = path.join(outDir, 'report.html');
  writeFileSync(htmlFile, renderHtmlReport({ target: spec.executable, pluginName: spec.pluginName, verdict, counts, outcomes, generatedAt: new Date().toISOString() }));
  printProblems(outcomes);
  console.log(`\n${verdict.summary}`);
  console.log(`reports: ${path.join(outDir, 'junit.xml')}, ${resultsFile}, ${htmlFile}`);
  console.log(closingLine(counts));
  return verdict.exitCode;
}

function printProblems(outcomes: TestOutcome[]): void {
  const problems = outcomes.filter((o) => o.state === 'failed' || o.state === 'setup-error');
  const setup = problems.find((o) => o.state === 'setup-error');
  if (setup) {
    console.error(`\nplugin-conformance: ${setup.messages[0] ?? 'setup failed'}`);
    return;
  }
  if (!problems.length) return;
  console.log('\nFailed rules:');
  for (const o of problems) console.log(`  ✗ [${o.level ?? '?'}] ${o.name}\n      ${(o.messages[0] ?? '').split('\n').join('\n      ')}`);
}

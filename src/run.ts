// Orchestrates one run: target → run spec → suites under vitest → outcomes → reports → exit code.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startVitest, BaseSequencer, type TestSpecification } from 'vitest/node';
import { describeCapabilities } from './contract/capabilities.js';
import { SetupError, UsageError } from './errors.js';
import { propertySettingsOf, replayTestPattern, type PropertyOptions } from './generate/properties.js';
import type { SeededTool } from './host/types.js';
import { selectTests, suiteVitestOptions, SUITE_VITE_OVERRIDES, testNamePattern, type Selection } from './list.js';
import { packageRoot } from './protocol/load.js';
import { clearCapabilities, readCapabilities } from './report/capabilities-file.js';
import { OutcomeCollector } from './report/collector.js';
import { groupNotExercised, renderHtmlReport } from './report/html.js';
import { renderJunit } from './report/junit.js';
import { applyBaseline, formatBaselineResult, formatBaselineUpdate, localDate, parseBaseline, planBaselineUpdate, renderBaselineUpdate, type Baseline, type BaselineOptions, type StaleEntry } from './report/baseline.js';
import { rules } from './contract/rules.js';
import type { TestOutcome } from './report/outcome.js';
import { shardOutcomes, shardVerdict, type Shard, type ShardRecord } from './report/shard.js';
import { closingLine, countOutcomes, EXIT, gatingOf, verdictOf, withinEdition, type VerdictOptions } from './report/verdict.js';
import { provenanceOf, RESULTS_SCHEMA_VERSION, withoutUserinfo, type Provenance } from './report/provenance.js';
import type { RunSpec } from './run-spec.js';
import { pipedPluginConfig } from './session.js';
import { readPluginEntry, type ConformanceSection } from './launch/config-file.js';
import { discoverExampleApps, loadExampleApp, type RunInputs } from './piped/inputs.js';
import { attachCommand } from './launch/address.js';
import { removeRunContainers, removeRunContainersSync } from './launch/container.js';
import { freePort } from './launch/ports.js';
import { defaultPluginName, launcherFor, prepareTarget, type TargetRequest } from './launch/resolve.js';
import type { TargetSpec } from './launch/types.js';
import type { RegistryCredentials } from './launch/registry-auth.js';
import { reapChildren } from './launch/reaper.js';
import { releaseSpecOf } from './launch/release-facts.js';

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
  /** --baseline FILE, --update-baseline --reason TEXT, --plugin-version V (src/report/baseline.ts). */
  baseline?: BaselineOptions;
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
  /** --shard i/n: run only this shard's part of the selected tests (src/report/shard.ts). */
  shard?: Shard;
  /** --rules-edition N: only rules of catalogue editions up to N gate the run (default: the current edition). */
  rulesEdition?: number;
  /** --release: also judge the release facts (RELEASE-*: the version subcommand, an oci:// artifact's platforms). */
  release?: boolean;
  /** --expect-version V: the version `<plugin> version` must print (implies --release). */
  expectVersion?: string;
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
    ...(options.release || options.expectVersion !== undefined ? { release: await releaseSpecOf(options) } : {}),
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

/** Vitest's test-name filter for --only/--skip rule ID globs (in src/list.ts, which collects with it too). */
export { testNamePattern };

export async function run(options: RunOptions, signal?: AbortSignal): Promise<number> {
  // Before vitest starts and adds its own variables: the environment plugin processes get.
  const pluginEnv = { ...process.env };
  const runId = `${process.pid}-${Date.now().toString(36)}`;
  let spec: RunSpec;
  let baseline: Baseline | undefined;
  try {
    // Before the plugin starts: a bad baseline file is exit 2 with file:line.
    baseline = options.baseline && loadBaseline(options.baseline);
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
  // Before the suites: the plugin bytes (or image) identified as they are tested.
  const provenance = await provenanceOf(options, spec.target, spec.properties?.seed);
  console.log(`plugin-conformance: testing ${spec.description} as "${spec.pluginName}"${spec.configFile ? ` with ${spec.configFile}` : ''}`);
  if (spec.target.kind === 'address') printAttachInstructions(spec, spec.target.address);
  for (const app of spec.inputs.apps) console.log(`plugin-conformance: example app ${app.label} (${app.configFilename}, ${app.pipeline.length} pipeline stage(s))`);
  console.log(`plugin-conformance: seed ${spec.properties!.seed} (--seed ${spec.properties!.seed} generates the same cases again)`);
  let selection: Selection | undefined;
  if (options.shard) {
    try {
      selection = await selectTests(spec, { only: options.only, skip: options.skip, shard: options.shard });
    } catch (error) {
      console.error(`plugin-conformance: cannot select the shard's tests: ${(error as Error).message}`);
      return EXIT.setup;
    }
    const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;
    console.log(`plugin-conformance: shard ${options.shard.index}/${options.shard.total}: ${selection.tests.length} of ${selection.selected.length} selected test(s), about ${seconds(selection.shard!.estimatedMs)} by recorded durations (shards: ${selection.shard!.loadsMs.map(seconds).join(', ')})`);
  }

  const pidFile = path.join(os.tmpdir(), `plugin-conformance-${process.pid}.pids`);
  // Sessions put their checkouts here; removed after the run even when a session was never stopped.
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'plugin-conformance-run-'));
  // Both reach the workers in the run spec, not in the environment plugin processes inherit.
  spec = { ...spec, pidFile, workDir, pluginEnv };
  // vitest may end the process itself on Ctrl-C, skipping `finally`; the exit hook still runs (synchronously).
  const reapOnExit = () => {
    reapChildren(pidFile);
    if (spec.target.kind === 'container') removeRunContainersSync(runId);
    rmSync(workDir, { recursive: true, force: true });
  };
  process.once('exit', reapOnExit);
  let outcomes: TestOutcome[];
  try {
    outcomes = await runSuites(spec, options, outDir, signal, selection?.pattern);
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
  // The baseline turns the failures it excuses into expected failures (after the run; --update-baseline writes it first).
  const settled = baseline && options.baseline ? settleBaseline(outcomes, baseline, options.baseline) : undefined;
  if (settled) outcomes = settled.outcomes;
  const verdictOptions = { strict: options.strict, allowNotExercised: options.allowNotExercised, rulesEdition: options.rulesEdition, ...(settled ? { staleBaseline: settled.stale } : {}) };
  if (!selection?.shard) return report(outcomes, spec, outDir, verdictOptions, provenance, undefined, settled);
  const mine = selection.tests.map((t) => t.name);
  const all = selection.selected.map((t) => t.name);
  const shard: ShardRecord = { index: selection.shard.index, total: selection.shard.total, selected: mine, selectedTotal: all.length, only: options.only, skip: options.skip, verdictOptions };
  return report(shardOutcomes(outcomes, all, mine), spec, outDir, verdictOptions, provenance, shard, settled);
}

/** `pattern`: the shard's exact test names; otherwise --replay's property or the --only/--skip filter. */
async function runSuites(spec: RunSpec, options: RunOptions, outDir: string, signal?: AbortSignal, pattern?: RegExp): Promise<TestOutcome[]> {
  const root = packageRoot();
  const collector = new OutcomeCollector(root);
  const vitest = await startVitest(
    'test',
    [],
    {
      // The same suites, spec and filter `plugin-conformance list` collects with (src/list.ts).
      ...suiteVitestOptions(spec, pattern ?? replayTestPattern(spec.properties ?? {}) ?? testNamePattern(options.only, options.skip), root),
      testTimeout: 120_000,
      hookTimeout: 60_000,
      sequence: { sequencer: ByFileName },
      reporters: ['default', collector],
    },
    SUITE_VITE_OVERRIDES,
  );
  const onAbort = () => void vitest.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  await vitest.close();
  signal?.removeEventListener('abort', onAbort);
  return collector.outcomes;
}

function report(outcomes: TestOutcome[], spec: RunSpec, outDir: string, verdictOptions: VerdictOptions, provenance: Provenance, shard?: ShardRecord, baseline?: SettledBaseline): number {
  const counts = countOutcomes(outcomes);
  const verdict = shard ? shardVerdict(verdictOf(outcomes, verdictOptions), shard) : verdictOf(outcomes, verdictOptions);
  const resultsFile = path.join(outDir, 'results.json');
  const capabilities = readCapabilities(outDir);
  // A public contract (schemas/results.schema.json): no secrets, URL userinfo removed; each outcome says its rule's
  // edition and whether its failure gates.
  const judged = outcomes.map((o) => ({ ...o, ...gatingOf(o, verdictOptions) }));
  const target = withoutUserinfo(spec.description);
  const url = withoutUserinfo(spec.url);
  writeFileSync(resultsFile, JSON.stringify({ schemaVersion: RESULTS_SCHEMA_VERSION, tool: 'plugin-conformance', provenance, target, url, pluginName: spec.pluginName, seed: spec.properties?.seed, properties: propertiesSummary(spec), capabilities, verdict, counts, ...(shard ? { shard } : {}), ...(baseline ? { baseline: baseline.summary } : {}), outcomes: judged }, null, 2) + '\n');
  if (capabilities) console.log(`\njudged as: ${describeCapabilities(capabilities)}`);
  writeFileSync(path.join(outDir, 'junit.xml'), renderJunit(outcomes));
  const htmlFile = path.join(outDir, 'report.html');
  writeFileSync(htmlFile, renderHtmlReport({ target: spec.description, pluginName: spec.pluginName, verdict, counts, outcomes, generatedAt: new Date().toISOString() }));
  printProblems(outcomes, verdictOptions);
  for (const line of baseline?.lines ?? []) console.log(line);
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

export function printProblems(outcomes: TestOutcome[], verdictOptions: VerdictOptions = {}): void {
  const notExercised = groupNotExercised(outcomes);
  if (notExercised.size) {
    console.log('\nNot exercised (the rule applies, but the harness had no valid input to drive it):');
    for (const [reason, ids] of notExercised) console.log(`  ⊘ ${ids.join(', ')}\n      ${reason.split('\n').join('\n      ')}`);
  }
  // Failures of rules newer than --rules-edition are warnings: listed apart, with the edition that makes them gate.
  const warnings = outcomes.filter((o) => o.state === 'failed' && !withinEdition(o, verdictOptions));
  const problems = outcomes.filter((o) => (o.state === 'failed' && !warnings.includes(o)) || o.state === 'setup-error' || o.state === 'harness-error');
  const setup = problems.find((o) => o.state === 'setup-error');
  if (setup) {
    console.error(`\nplugin-conformance: ${setup.messages[0] ?? 'setup failed'}`);
    return;
  }
  if (warnings.length) {
    console.log(`\nWarnings (rules newer than --rules-edition ${verdictOptions.rulesEdition}; they do not change the exit code):`);
    for (const o of warnings) console.log(`  ! [${o.level ?? '?'}, gating from edition ${gatingOf(o).edition}] ${o.name}\n      ${(o.messages[0] ?? '').split('\n').join('\n      ')}`);
  }
  if (!problems.length) return;
  console.log('\nFailed rules:');
  for (const o of problems) console.log(`  ✗ [${o.level ?? '?'}] ${o.name}\n      ${(o.messages[0] ?? '').split('\n').join('\n      ')}`);
}

/** Reads and parses the --baseline file; a missing file is an empty baseline only when --update-baseline writes it. */
function loadBaseline(options: BaselineOptions): Baseline {
  const label = displayPath(options.file);
  if (!existsSync(options.file)) {
    if (options.update) return { file: label, entries: [] };
    throw new UsageError(`${label}: baseline file not found; create it from a run with --update-baseline --reason TEXT, or fix the path`);
  }
  return parseBaseline(readFileSync(options.file, 'utf8'), label, { ruleIds: new Set(rules().map((r) => r.id)), pluginVersion: options.pluginVersion });
}

interface SettledBaseline {
  outcomes: TestOutcome[];
  stale: StaleEntry[];
  /** results.json's `baseline`. */
  summary: Record<string, unknown>;
  /** Printed before the verdict: what --update-baseline changed, the expected failures, the stale entries. */
  lines: string[];
}

/**
 * Applies the baseline to the run's outcomes. With --update-baseline the file is first rewritten from this run (only
 * when the run judged the plugin: no setup or harness error), and the rewritten baseline is the one applied.
 */
function settleBaseline(outcomes: TestOutcome[], loaded: Baseline, options: BaselineOptions): SettledBaseline {
  const judging = { today: localDate(), pluginVersion: options.pluginVersion };
  const lines: string[] = [];
  let baseline = loaded;
  let updated: Record<string, unknown> | undefined;
  if (options.update) {
    const judged = outcomes.some((o) => o.state === 'passed' || o.state === 'failed') && !outcomes.some((o) => o.state === 'setup-error' || o.state === 'harness-error');
    if (!judged) lines.push(`\nbaseline ${baseline.file} not updated: this run judged nothing it could record (setup or harness error, or nothing ran)`);
    else {
      const update = planBaselineUpdate(outcomes, baseline, judging, options.update.reason);
      const before = existsSync(options.file) ? readFileSync(options.file, 'utf8') : undefined;
      const text = renderBaselineUpdate(before, update);
      if (text !== before) writeFileSync(options.file, text);
      lines.push(...formatBaselineUpdate(update, baseline.file));
      baseline = parseBaseline(text, baseline.file, { ruleIds: new Set(rules().map((r) => r.id)), pluginVersion: options.pluginVersion });
      updated = { added: update.added.map((a) => a.key), removed: update.removed.map((r) => r.entry.key) };
    }
  }
  const result = applyBaseline(outcomes, baseline, judging);
  lines.push(...formatBaselineResult(result, baseline.file));
  const stale = result.stale.map(({ entry, why, line }) => ({ entry, why, line }));
  return { outcomes: result.outcomes, stale: result.stale, lines, summary: { file: baseline.file, matched: result.matched, stale, unjudged: result.unjudged, ...(updated ? { updated } : {}) } };
}

/** A path as people gave it: relative to the working directory when it lies below it. */
function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

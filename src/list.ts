// The suites' tests, enumerated the one way the harness knows them: vitest collects the compiled suites
// (dist/suites) without running them, with the options and the name filter a run uses, so `plugin-conformance list`,
// `--shard` and the `rules` coverage see exactly the tests a run would (generated names included: API-003's come
// from the protos, PROC-008's from it.for tables). No plugin is started: collection only evaluates the suite files.
import os from 'node:os';
import path from 'node:path';
import { createVitest, type CliOptions } from 'vitest/node';
import type { TestCase } from 'vitest/node';
import { globsToPattern, rule, ruleIdOf, type RuleLevel } from './contract/rules.js';
import { propertySettingsOf } from './generate/properties.js';
import { packageRoot } from './protocol/load.js';
import { shardOf, type Shard } from './report/shard.js';
import type { RunSpec } from './run-spec.js';

/** Vitest's test-name filter for --only/--skip rule ID globs. */
export function testNamePattern(only: string[], skip: string[]): RegExp | undefined {
  if (!only.length && !skip.length) return undefined;
  const must = only.length ? `(?=.*\\b${globsToPattern(only)}\\b)` : '';
  const mustNot = skip.length ? `(?!.*\\b${globsToPattern(skip)}\\b)` : '';
  return new RegExp(`^${must}${mustNot}`);
}

/** A filter that selects exactly the tests with these full names (as vitest matches them), nothing else. */
export function exactNamesPattern(fullNames: readonly string[]): RegExp {
  if (!fullNames.length) return /(?!)/;
  return new RegExp(`^(?:${fullNames.map(escapeRegExp).join('|')})$`);
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The vitest options a run and a collection share: where the suites are, how they are loaded, the run spec, the filter. */
export function suiteVitestOptions(spec: RunSpec, pattern: RegExp | undefined, root = packageRoot()): CliOptions {
  return {
    root,
    dir: path.join(root, 'dist', 'suites'),
    include: ['**/*.test.js'],
    config: false,
    watch: false,
    pool: 'forks',
    maxWorkers: 1,
    isolate: false,
    fileParallelism: false,
    testNamePattern: pattern,
    passWithNoTests: true,
    provide: { run: spec },
  };
}

/** Vite settings of every suite run and collection. */
export const SUITE_VITE_OVERRIDES = { cacheDir: path.join(os.tmpdir(), 'plugin-conformance-vite-cache'), logLevel: 'warn' as const };

export interface ListedTest {
  /** The test's name, as results.json reports it; it starts with the rule ID. */
  name: string;
  /** The name vitest's name filter matches: enclosing describe titles and the name, joined by spaces. */
  fullName: string;
  ruleId?: string;
  level?: RuleLevel;
  /** The name without its leading rule ID. */
  title: string;
  /** The compiled suite file, relative to the package (as in results.json). */
  file: string;
}

/**
 * The tests a run with this spec and filter executes, in run order (suite files by name, tests as declared). Tests
 * the filter deselects, and `it.skip`/`it.todo` tests, are left out. Throws when a suite file cannot be collected.
 */
export async function collectTests(spec: RunSpec, pattern: RegExp | undefined, root = packageRoot()): Promise<ListedTest[]> {
  const vitest = await createVitest('test', { ...suiteVitestOptions(spec, pattern, root), reporters: [] }, SUITE_VITE_OVERRIDES);
  try {
    const { testModules, unhandledErrors } = await vitest.collect();
    const problems = [
      ...unhandledErrors.map((e) => String((e as Error)?.message ?? e)),
      ...testModules.flatMap((m) => m.errors().map((e) => `${m.relativeModuleId}: ${e.message}`)),
    ];
    if (problems.length) throw new Error(`the suites could not be collected: ${problems.join('; ')}`);
    const modules = [...testModules].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
    return modules.flatMap((m) => [...m.children.allTests()].filter((t) => t.options.mode === 'run' || t.options.mode === 'only').map((t) => listed(t, root)));
  } finally {
    await vitest.close();
  }
}

function listed(test: TestCase, root: string): ListedTest {
  const parts = [test.name];
  for (let parent = test.parent; parent.type === 'suite'; parent = parent.parent) parts.unshift(parent.name);
  const ruleId = ruleIdOf(test.name);
  const idPrefix = ruleId && test.name.startsWith(`${ruleId} `) ? ruleId.length + 1 : 0;
  return {
    name: test.name,
    fullName: parts.join(' '),
    ...(ruleId ? { ruleId } : {}),
    ...(ruleId && levelOf(ruleId) ? { level: levelOf(ruleId) } : {}),
    title: test.name.slice(idPrefix),
    file: test.module.moduleId.replace(root + '/', ''),
  };
}

function levelOf(id: string): RuleLevel | undefined {
  try {
    return rule(id).level;
  } catch {
    return undefined;
  }
}

/**
 * A run spec for collecting without a plugin. Test names depend only on the suites and the protos (`--proto-root`);
 * the suites read the spec at collection time (11-invalid-requests builds its tests from the protos, 12-properties
 * reads the property settings), never the plugin, which collection does not start.
 */
export function listSpec(protoRoot?: string): RunSpec {
  const url = 'file:///plugin-conformance-list/no-plugin';
  return {
    target: { kind: 'binary', executable: '/plugin-conformance-list/no-plugin', url },
    description: 'no plugin (listing the tests)',
    executable: '/plugin-conformance-list/no-plugin',
    url,
    ownsProcess: true,
    pluginName: 'plugin',
    deployTargets: [{ name: 'conformance-target', config: null }],
    readyTimeoutMs: 30_000,
    graceMs: 30_000,
    ...(protoRoot ? { protoRoot } : {}),
    properties: propertySettingsOf({ seed: 0 }),
    inputs: { apps: [], stages: {} },
  };
}

export interface SelectOptions {
  only: string[];
  skip: string[];
  shard?: Shard;
}

export interface Selection {
  /** Every test --only/--skip select. */
  selected: ListedTest[];
  /** The tests to run: `selected`, or this shard's part of it. */
  tests: ListedTest[];
  /** The filter that runs exactly `tests`: the --only/--skip filter, or exact names for a shard. */
  pattern: RegExp | undefined;
  shard?: Shard & { estimatedMs: number; loadsMs: number[] };
}

/** What a run with these options executes: collected once with the --only/--skip filter, then sharded. */
export async function selectTests(spec: RunSpec, options: SelectOptions, root = packageRoot()): Promise<Selection> {
  const filter = testNamePattern(options.only, options.skip);
  const selected = await collectTests(spec, filter, root);
  if (!options.shard) return { selected, tests: selected, pattern: filter };
  const part = shardOf(selected, options.shard);
  return {
    selected,
    tests: part.tests,
    pattern: exactNamesPattern([...new Set(part.tests.map((t) => t.fullName))]),
    shard: { ...options.shard, estimatedMs: part.estimatedMs, loadsMs: part.loadsMs },
  };
}

export interface ListOptions extends SelectOptions {
  json: boolean;
  /** --proto-root: another copy of the wire schema (its validate rules name the generated API-003 tests). */
  protoRoot?: string;
}

/** `plugin-conformance list`: the tests a run with the same --only/--skip/--shard would execute; needs no plugin. */
export async function listCommand(options: ListOptions, root = packageRoot()): Promise<{ stdout: string; exitCode: number; stderr: string }> {
  const selection = await selectTests(listSpec(options.protoRoot), options, root);
  const stderr = selection.selected.length ? '' : 'plugin-conformance: no test matches the selection\n';
  const exitCode = selection.selected.length ? 0 : 2;
  if (options.json) {
    const tests = selection.tests.map(({ name, ruleId, level, title, file }) => ({ name, ruleId, level, title, file }));
    const shard = selection.shard ? { index: selection.shard.index, total: selection.shard.total, estimatedMs: Math.round(selection.shard.estimatedMs) } : undefined;
    return { stdout: JSON.stringify({ only: options.only, skip: options.skip, ...(shard ? { shard, selected: selection.selected.length } : {}), count: tests.length, tests }, null, 2) + '\n', exitCode, stderr };
  }
  return { stdout: formatTestList(selection.tests), exitCode, stderr };
}

/** One test a line: rule ID, level, title (columns aligned; `-` for a test that names no rule). */
export function formatTestList(tests: readonly ListedTest[]): string {
  const ids = tests.map((t) => t.ruleId ?? '-');
  const width = Math.max(0, ...ids.map((id) => id.length));
  return tests.map((t, i) => `${ids[i].padEnd(width)}  ${(t.level ?? '-').padEnd(6)}  ${t.ruleId ? t.title : t.name}`.trimEnd() + '\n').join('');
}

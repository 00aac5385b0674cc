// Property runs: which properties exist (ids and test names, shared by the CLI and the suites), how a run is
// seeded, bounded and replayed, and how a failure reads: the violations, the shrunk request, and a one-line
// command that replays exactly that case. Nothing here talks to a plugin.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { formatViolations, type Violation } from '../contract/violation.js';

/** How a property's cost scales: a planning call takes milliseconds, a stage execution can take seconds. */
export type PropertyCost = 'call' | 'execution';

export interface PropertyDef {
  /** Stable id used by `--replay ID:PATH` and saved failures; the rule ID, plus `/<aspect>` when a rule has several. */
  id: string;
  rule: string;
  title: string;
  cost: PropertyCost;
  /**
   * Properties over the same arbitrary: with one seed they see the same values (their calls are shared), and when
   * the time budget cuts one short, the others stop at the same run instead of each spending the budget again.
   */
  family?: 'pipeline' | 'execution';
}

/** Every property the suites run. Test names are derived from this list, so replay can select one test exactly. */
export const PROPERTIES: readonly PropertyDef[] = [
  { id: 'PLAN-010', rule: 'PLAN-010', cost: 'call', family: 'pipeline', title: 'non-rollback indexes equal the request indexes for generated stage lists' },
  { id: 'PLAN-011', rule: 'PLAN-011', cost: 'call', family: 'pipeline', title: 'no duplicate index among non-rollback or rollback stages for generated stage lists' },
  { id: 'PLAN-012', rule: 'PLAN-012', cost: 'call', family: 'pipeline', title: 'every returned index is a request index for generated stage lists' },
  { id: 'PLAN-016', rule: 'PLAN-016', cost: 'call', family: 'pipeline', title: 'stages built for generated stage lists are NOT_STARTED_YET with valid fields' },
  { id: 'PLAN-009', rule: 'PLAN-009', cost: 'call', title: 'DetermineVersions and DetermineStrategy answer a repeated generated input the same way' },
  { id: 'PLAN-022', rule: 'PLAN-022', cost: 'call', family: 'pipeline', title: 'BuildPipelineSyncStages answers a repeated generated request the same way, writing nothing' },
  { id: 'API-007/planning', rule: 'API-007', cost: 'call', title: 'planning RPCs answer generated valid-but-unusual requests without a crash or hang' },
  { id: 'API-007/optional', rule: 'API-007', cost: 'call', title: 'GetLivestate and GetPlanPreview answer generated requests without a crash or hang' },
  { id: 'API-007/execute', rule: 'API-007', cost: 'execution', family: 'execution', title: 'ExecuteStage answers generated stage configs without a crash or hang' },
  { id: 'EXEC-001', rule: 'EXEC-001', cost: 'execution', family: 'execution', title: 'OK answers carry a final status for generated stage configs' },
  { id: 'EXEC-006', rule: 'EXEC-006', cost: 'execution', family: 'execution', title: 'stage-scoped callbacks carry the request ids for generated stage configs' },
  { id: 'SVC-002', rule: 'SVC-002', cost: 'execution', family: 'execution', title: 'callbacks made for generated stage configs satisfy their validate rules' },
  { id: 'SVC-003', rule: 'SVC-003', cost: 'execution', family: 'execution', title: 'log blocks sent for generated stage configs are well-formed' },
  { id: 'SVC-004', rule: 'SVC-004', cost: 'execution', family: 'execution', title: 'log block indexes increase per stage for generated stage configs' },
  { id: 'SVC-005', rule: 'SVC-005', cost: 'execution', family: 'execution', title: 'nothing is logged after completion for generated stage configs' },
];

/** The vitest test name of a property: rule ID first, as every test name. */
export function propertyTestName(def: PropertyDef): string {
  return `${def.rule} property: ${def.title}`;
}

export function propertyById(id: string): PropertyDef | undefined {
  return PROPERTIES.find((p) => p.id === id);
}

/** Default runs per property: the whole property suite stays well under 30 s against the reference plugin. */
export const DEFAULT_PROPERTY_RUNS = 100;
/** Default wall-clock budget per property (runs and shrinking together). */
export const DEFAULT_PROPERTY_TIME_LIMIT_MS = 30_000;

/** Runs a property of this cost gets: executions are slow (a stage may wait), so they get a quarter, at least 5. */
export function runsFor(def: Pick<PropertyDef, 'cost'>, runs: number): number {
  return def.cost === 'execution' ? Math.max(5, Math.ceil(runs / 4)) : runs;
}

/** Seeds are 32-bit signed integers, as fast-check takes them. */
export function isSeed(n: number): boolean {
  return Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31;
}

export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}

/** What the CLI hands the suites about properties (serialisable, part of the RunSpec). */
export interface PropertySettings {
  seed: number;
  runs: number;
  timeLimitMs: number;
  /** `--replay ID:PATH`: run only that property, only that case. */
  replay?: { property: string; path: string };
  /** `--replay-file FILE`: run only that property, only the saved value. */
  replayCase?: SavedFailure;
  /** `--save-failures DIR` (absolute): each shrunk counterexample is written there. */
  saveFailuresDir?: string;
  /** The command line that reaches the same plugin, for printing replay commands (run-selection options left out). */
  commandLine: string[];
}

/** What the command line says about properties; anything left out gets its default in propertySettingsOf(). */
export interface PropertyOptions {
  seed?: number;
  runs?: number;
  timeLimitMs?: number;
  replay?: { property: string; path: string };
  replayCase?: SavedFailure;
  saveFailuresDir?: string;
  commandLine?: string[];
}

/** Fills in the defaults: a fresh random seed (or the saved failure's), the default runs and time budget. */
export function propertySettingsOf(options: PropertyOptions = {}): PropertySettings {
  return {
    seed: options.seed ?? options.replayCase?.seed ?? randomSeed(),
    runs: options.runs ?? DEFAULT_PROPERTY_RUNS,
    timeLimitMs: options.timeLimitMs ?? DEFAULT_PROPERTY_TIME_LIMIT_MS,
    ...(options.replay ? { replay: options.replay } : {}),
    ...(options.replayCase ? { replayCase: options.replayCase } : {}),
    ...(options.saveFailuresDir ? { saveFailuresDir: path.resolve(options.saveFailuresDir) } : {}),
    commandLine: options.commandLine ?? [],
  };
}

/** Replays run one property test only: a vitest test-name pattern matching exactly its name. */
export function replayTestPattern(settings: Pick<PropertySettings, 'replay' | 'replayCase'>): RegExp | undefined {
  const id = settings.replay?.property ?? settings.replayCase?.property;
  const def = id === undefined ? undefined : propertyById(id);
  if (!def) return undefined;
  return new RegExp(`(?:^|\\s)${propertyTestName(def).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

/** Parses `ID:PATH` (PATH as fast-check prints it, e.g. `12:3:0`). */
export function parseReplay(text: string): { property: string; path: string } {
  const at = text.indexOf(':');
  const property = at < 0 ? text : text.slice(0, at);
  const pathText = at < 0 ? '' : text.slice(at + 1);
  if (!propertyById(property)) throw new Error(`unknown property "${property}" in --replay ${text}; properties are: ${PROPERTIES.map((p) => p.id).join(', ')}`);
  if (!/^\d+(:\d+)*$/.test(pathText)) throw new Error(`--replay ${text}: expected ID:PATH with PATH as printed by a failed property, e.g. ${property}:12:3:0`);
  return { property, path: pathText };
}

/** A shrunk counterexample as written by `--save-failures` and read by `--replay-file`. */
export interface SavedFailure {
  property: string;
  rule: string;
  seed: number;
  path: string;
  /** The generated value (plain JSON); replay feeds it to the property as is. */
  value: unknown;
  /** The request it became, bytes fields as text (for reading only). */
  request?: { rpc: string; message: unknown };
  violations: Violation[];
}

export function readSavedFailure(file: string): SavedFailure {
  let parsed: any;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read --replay-file ${file}: ${(error as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || !propertyById(parsed.property) || !('value' in parsed)) {
    throw new Error(`--replay-file ${file} is not a saved property failure (it needs "property" naming one of ${PROPERTIES.map((p) => p.id).join(', ')}, and "value")`);
  }
  return parsed as SavedFailure;
}

/** Writes a failure as `<dir>/<property>-seed<seed>.json` and returns the file's path. */
export function writeSavedFailure(dir: string, failure: SavedFailure): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${failure.property.replace(/[^A-Za-z0-9-]+/g, '-')}-seed${failure.seed}.json`);
  writeFileSync(file, JSON.stringify(failure, bytesAsText, 2) + '\n');
  return file;
}

/** JSON.stringify replacer: Buffers (already turned into {type:'Buffer',data}) come out as their UTF-8 text. */
export function bytesAsText(_key: string, value: any): any {
  if (value?.type === 'Buffer' && Array.isArray(value.data)) return Buffer.from(value.data).toString('utf8');
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  return value;
}

/** A request as people read it: indented JSON, bytes as text, very long strings cut. */
export function readableRequest(message: unknown, maxString = 300): string {
  return JSON.stringify(
    message,
    (key, value) => {
      const v = bytesAsText(key, value);
      return typeof v === 'string' && v.length > maxString ? `${v.slice(0, maxString)}… (${v.length - maxString} more characters)` : v;
    },
    2,
  );
}

/** Quotes one argument for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function replayCommand(commandLine: string[], seed: number, id: string, fcPath: string): string {
  // A negative value after a space would be read as an option, so it goes after '='.
  const seedArgs = seed < 0 ? [`--seed=${seed}`] : ['--seed', String(seed)];
  return ['npx', 'plugin-conformance', ...commandLine, ...seedArgs, '--replay', `${id}:${fcPath}`].map(shellQuote).join(' ');
}

// ---- running a property -------------------------------------------------------------------------------------

/** What one generated value showed: the violations (none = the property holds) and the request to print. */
export interface Judgement {
  violations: Violation[];
  request?: { rpc: string; message: unknown };
}

/** Thrown inside the predicate so fast-check shrinks it; carries what the last (smallest) failing value showed. */
class PropertyBroken extends Error {
  constructor(readonly judgement: Judgement) {
    super(formatViolations(judgement.violations));
  }
}

export interface PropertyRunOptions {
  seed: number;
  numRuns: number;
  /** Budget for generating and checking cases. */
  timeLimitMs: number;
  /** Budget for shrinking a failure, on top (default: twice timeLimitMs; shrink steps that crash or hang are slow). */
  shrinkTimeLimitMs?: number;
  /** Replays a printed case: fast-check regenerates it from seed and path, and stops at the first failure. */
  path?: string;
  /** Runs exactly this value once (a saved failure). */
  value?: unknown;
}

export interface PropertyFailure {
  seed: number;
  path: string;
  runs: number;
  shrinks: number;
  /** The shrink budget ran out: the case is smaller than the first failure, but maybe not the smallest. */
  shrinkCut: boolean;
  value: unknown;
  judgement: Judgement;
}

export interface PropertyResult {
  runs: number;
  /** The time budget ended the runs before numRuns. */
  interrupted: boolean;
  failure?: PropertyFailure;
}

type RunDetails = Awaited<ReturnType<typeof fc.check>>;

/**
 * Runs `check` over values of `arbitrary` with fast-check: seeded, bounded in runs and time. A failure is then
 * shrunk in a second pass (replaying its path), with its own time budget, so slow shrink steps never eat the budget
 * of the runs. Errors other than violations (harness bugs) are rethrown, not shrunk.
 */
export async function runProperty<T>(arbitrary: fc.Arbitrary<T>, check: (value: T) => Promise<Judgement>, options: PropertyRunOptions): Promise<PropertyResult> {
  // After a harness error every value would fail the same way: the remaining runs pass at once, and the error is
  // rethrown when fast-check is done.
  let fatal: { error: unknown; value: T } | undefined;
  // fast-check's time limit abandons a run without stopping it; the next property must not start while it still talks
  // to the plugin (its callbacks would land in that property's calls), so the last run is awaited at the end.
  let lastRun: Promise<unknown> = Promise.resolve();
  const predicate = (value: T) => {
    const run = judge(value);
    lastRun = run.catch(() => undefined);
    return run;
  };
  const judge = async (value: T) => {
    if (fatal) return;
    let judgement: Judgement;
    try {
      judgement = await check(value);
    } catch (error) {
      fatal = { error, value };
      return;
    }
    if (judgement.violations.length) throw new PropertyBroken(judgement);
  };
  const property = fc.asyncProperty(options.value !== undefined ? fc.constant(options.value as T) : arbitrary, predicate);
  const replaying = options.path !== undefined && options.value === undefined;
  const found = await fc.check(property, {
    seed: options.seed,
    numRuns: options.value !== undefined ? 1 : options.numRuns,
    endOnFailure: true,
    ...(replaying ? { path: options.path } : {}),
    plugins: [fc.interruptAfterTimeLimit(options.timeLimitMs)],
  });
  await lastRun;
  const first = outcomeOf(found, fatal);
  if (!first.failed || replaying || options.value !== undefined) return resultOf(found, first.failed ? found : undefined);
  const shrunk = await fc.check(property, {
    seed: options.seed,
    path: found.counterexamplePath!,
    numRuns: 1,
    plugins: [fc.interruptAfterTimeLimit(options.shrinkTimeLimitMs ?? 2 * options.timeLimitMs)],
  });
  await lastRun;
  // A failure that does not happen again (a flaky plugin) is reported as first seen.
  return resultOf(found, outcomeOf(shrunk, fatal).failed ? shrunk : found);

  function outcomeOf(details: RunDetails, problem: typeof fatal): { failed: boolean } {
    if (details.failed && details.errorInstance instanceof PropertyBroken) return { failed: true };
    const harness = problem ?? (details.failed ? { error: details.errorInstance, value: (details.counterexample as unknown[] | null)?.[0] as T } : undefined);
    if (harness) throw harnessError(harness.error, harness.value, details.seed);
    return { failed: false };
  }

  function resultOf(run: RunDetails, failed: RunDetails | undefined): PropertyResult {
    if (!failed) return { runs: run.numRuns, interrupted: run.interrupted };
    return {
      runs: run.numRuns,
      interrupted: false,
      failure: {
        seed: failed.seed,
        path: failed.counterexamplePath ?? options.path ?? '',
        runs: run.numRuns,
        shrinks: failed === run ? 0 : failed.numShrinks,
        shrinkCut: failed !== run && failed.interrupted,
        value: (failed.counterexample as unknown[] | null)?.[0],
        judgement: (failed.errorInstance as PropertyBroken).judgement,
      },
    };
  }
}

/** An error that is not a rule violation keeps its type (e.g. SetupError) and gains the case that met it. */
function harnessError(error: unknown, value: unknown, seed: number): Error {
  const cause = error instanceof Error ? error : new Error(String(error));
  cause.message += `\n(while checking a generated case, seed ${seed}: ${readableRequest(value, 120)})`;
  return cause;
}

/** The failure as a test message: violations, the shrunk request, seed and path, and the replay command. */
export function formatPropertyFailure(def: PropertyDef, failure: PropertyFailure, how: { commandLine: string[]; savedTo?: string; replayed?: 'path' | 'file' }): string {
  const { judgement } = failure;
  const what = judgement.request ? `a generated ${judgement.request.rpc} request` : 'a generated case';
  const found = how.replayed === 'file'
    ? `Property failed on ${what} read from a saved failure:`
    : how.replayed === 'path'
      ? `Property failed on the replayed case (${what}):`
      : `Property failed on ${what} after ${failure.runs} run(s); shrunk ${failure.shrinks} time(s)${failure.shrinkCut ? ' (the shrink budget ran out; a smaller case may exist)' : ''} to:`;
  const lines = [
    formatViolations(judgement.violations),
    '',
    found,
    readableRequest(judgement.request?.message ?? failure.value),
    '',
    `Seed ${failure.seed}, path "${failure.path}". Replay exactly this case:`,
    `  ${replayCommand(how.commandLine, failure.seed, def.id, failure.path)}`,
  ];
  if (how.savedTo) lines.push(`Saved as ${how.savedTo} (replay it with --replay-file ${shellQuote(how.savedTo)})`);
  return lines.join('\n');
}

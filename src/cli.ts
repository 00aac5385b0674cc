// Command line: argv → RunOptions (clear errors, --help) → run → exit code.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { coverageSummary, ruleCoverage, testsByRule, UNCHECKED } from './contract/coverage.js';
import { CATALOGUE_EDITION, globsToPattern, rules } from './contract/rules.js';
import { UsageError } from './errors.js';
import { parseToolFlags } from './host/tool-seeds.js';
import { packageRoot } from './protocol/load.js';
import { collectTests, listCommand, listSpec, type ListOptions } from './list.js';
import { githubSummaryCommand, parseGithubSummaryCli } from './report/github.js';
import { mergeCommand } from './report/merge.js';
import { parseShard } from './report/shard.js';
import { isSemver, type BaselineOptions } from './report/baseline.js';
import { formatRulesTable } from './report/rules-table.js';
import { EXIT } from './report/verdict.js';
import { DEFAULT_PROPERTY_RUNS, DEFAULT_PROPERTY_TIME_LIMIT_MS, isSeed, parseReplay, readSavedFailure, type PropertyOptions } from './generate/properties.js';
import { printProblems, run, type RunOptions } from './run.js';
import { parseRegistryAuth } from './launch/registry-auth.js';
import { checkTargetRequest } from './launch/resolve.js';

export const HELP = `plugin-conformance — checks a PipeCD piped plugin against the piped ⇄ plugin protocol contract

Usage:
  plugin-conformance [options] <plugin>
  plugin-conformance [options] --container IMAGE
  plugin-conformance [options] --address HOST:PORT [--host-port N]
  plugin-conformance rules [--json] [--only GLOBS]
  plugin-conformance list [--json] [--only GLOBS] [--skip GLOBS] [--shard i/n] [--proto-root DIR]
  plugin-conformance merge [--out DIR] SHARD_DIR...
  plugin-conformance github-summary [RESULTS_JSON] [--exit-code N]

<plugin> is what piped would run:
  ./bin/my-plugin             a plugin executable
  path/to/folder              a folder whose bin/ holds exactly one executable
                              (a config.yaml beside bin/ is used as --config)
  file:///abs/path/plugin     piped-style URLs, as in piped's spec.plugins[].url: https:// is downloaded and
  https://host/plugin         oci:// pulled (artifact with layer media type application/vnd.pipecd.piped.plugin,
  oci://host[:port]/repo:tag  this machine's os/arch, digests verified) into ~/.cache/plugin-conformance;
  oci://host/repo@sha256:…    the url in --config stays the original URL
  docker:IMAGE                a container image whose entrypoint is the plugin (same as --container IMAGE)
  ghcr.io/me/plugin:v1        a bare image reference ([host[:port]/]name[:tag][@sha256:…]) that is not a file or
                              folder here is tested as docker:IMAGE; the first line says so. One with no host, tag
                              or digest (plugins/wait) is an image only when the local Docker engine has it, else
                              exit 2: write ./plugins/wait for the path or docker:plugins/wait for the image

The harness starts a fake piped PluginService on 127.0.0.1, launches the plugin exactly as piped does
(start --piped-plugin-service <addr> --config <json>), drives it through the conformance suites and
judges every response and callback against the rule catalogue (rule IDs such as PLAN-010).

Options:
  --config FILE          the plugin's entry as in piped's spec.plugins[]: name, config, deployTargets (YAML or JSON);
                         harness-only settings go under its key conformance: (apps, stages: example with: blocks)
  --app DIR              an example application (repeatable): a folder holding app.pipecd.yaml (or *.pipecd.yaml)
                         and the files it needs, laid out as in your Git repository; its pipeline's with: blocks
                         are the stage configs the harness plans and executes with. A folder target's examples/
                         (or testdata/) apps are used too
  --allow-not-exercised  a MUST rule the harness could not drive (no valid input) does not make the exit code 2
  --name NAME            plugin name (default: name in --config, else the file, repository or image name)
  --only GLOBS           run only these rules, comma-separated ID globs (e.g. PLAN-01*,EXEC-001)
  --skip GLOBS           skip these rules (same syntax)
  --shard i/n            run only shard i of n of the selected tests (needs --seed, the same in every shard); the
                         shards are balanced by recorded test durations and together run each test once.
                         Combine the shards' --out folders with plugin-conformance merge
  --out DIR              where reports go (default: reports): junit.xml, results.json, report.html
  --ready-timeout SEC    how long the plugin may take to answer FetchDefinedStages (default: 30; 300 with --address)
  --grace-period SEC     SIGTERM-to-SIGKILL grace, as piped's --grace-period (default: 30)
  --strict               SHOULD rules gate the exit code too (by default only MUST rules do)
  --rules-edition N      gate on the rules of catalogue editions 1 to N (default: ${CATALOGUE_EDITION}, the current one): a rule
                         introduced or changed in a later edition still runs, but its failure is a warning naming
                         the edition that makes it gating (results.json: gating: false, edition: M)
  --release              a release build: also check the release facts (RELEASE-001: \`<plugin> version\` prints a real
                         version; RELEASE-002: an oci:// artifact offers linux and darwin on amd64 and arm64, each
                         with the plugin media type). Off by default (a pull-request build does not ask)
  --expect-version V     RELEASE-001 demands exactly V (a leading v is optional on either side); implies --release
  --proto-root DIR       use another copy of the wire schema (a folder holding pkg/…)
  --tool NAME[@VERSION]=PATH
                         a tool you already have (repeatable): the fake piped's InstallTool answers the plugin's
                         request for NAME at VERSION (any version without @VERSION) with a copy of the executable
                         PATH instead of running the plugin's install script, which usually downloads; for offline
                         machines and CI. e.g. --tool helm@3.14.0=/usr/local/bin/helm

Targets:
  --container IMAGE      test a container image: the harness appends piped's argv to the image's entrypoint and runs
                         it with host networking and an init process (needs a Docker engine; DOCKER_HOST is honoured)
  --pull                 allow pulling IMAGE when it is not in the local engine (never pulled otherwise)
  --address HOST:PORT    attach to a plugin you started yourself (e.g. in a debugger); the harness prints the exact
                         command line to start it with. Rules that need the harness to own the process are not run
  --host-port N          fixed port for the fake piped (default: a free port); in attach mode pass the same port
                         to your plugin's --piped-plugin-service
  --ca-cert FILE         PEM CA to trust for https:// and oci:// (a private CA or a self-signed certificate)
  --registry-auth U:P    credentials for oci:// (default: the auths entry of ~/.docker/config.json, else anonymous)

Baselines (known failures that do not fail the run; see README "Baselines"):
  --baseline FILE        a YAML file of known failures: entries by rule (EXEC-001, or a whole group EXEC-*) or by exact
                         test name, each with a reason, an optional expect (a substring of the failure message) and an
                         optional until (YYYY-MM-DD or a plugin version). An excused failure is reported as an
                         expected failure and does not fail the run (a MUST one is still no release verdict); an
                         entry whose tests now pass, whose expect no longer matches or that is past until is stale
                         and fails the run (exit 1). A bad file is exit 2 before the plugin starts
  --update-baseline      rewrite FILE from this run, after it: new failures get entries (by rule when all of the
  --reason TEXT          rule's tests failed, else by test name) with reason TEXT; entries that now pass are removed;
                         the others are kept as written. Prints what changed; the run is then judged against the
                         updated file. Needs --baseline (a missing FILE is created) and --reason
  --plugin-version V     the version of the plugin under test (semver), for entries with until: X.Y.Z

Generated cases (requests derived from the protocol's rules and the plugin's own stages; every run prints its seed):
  --seed N               seed for the generated cases (default: random); the same seed generates the same cases
  --property-runs N      cases per property (default: ${DEFAULT_PROPERTY_RUNS}; properties that execute stages try a quarter)
  --property-time SEC    time budget per property for its cases (default: ${DEFAULT_PROPERTY_TIME_LIMIT_MS / 1000}); shrinking a failure gets twice that
  --replay ID:PATH       run only property ID on the one case PATH, as printed by a failed property (needs --seed)
  --save-failures DIR    write each shrunk counterexample to DIR as JSON
  --replay-file FILE     run only the property of a saved counterexample, on exactly that case
  -h, --help             this text
  -v, --version          the harness version

The rules command lists the rule catalogue (ID, level, title) and whether a suite checks each rule yet;
it needs no plugin. --json prints {rules: [...], summary, problems}. (To test a plugin file named "rules",
write ./rules; an image named "rules", docker:rules.)

The list command prints the tests a run with the same --only/--skip/--shard would execute, one a line (rule ID,
level, title); it needs no plugin. --json prints {count, tests: [{name, ruleId, level, title, file}], ...}.

The merge command combines the --out folders (each holding results.json) of every shard of one run into one
results.json, junit.xml and report.html in --out (default: reports), with the verdict and exit code of the
unsharded run. Shards of different plugins, seeds, selections or shard counts, and a shard given twice or
missing, are refused with exit code 2.

The github-summary command (used by the GitHub Action, action.yml) reads a results.json (default:
reports/results.json) and appends a Markdown job summary to $GITHUB_STEP_SUMMARY (stdout when unset), the outputs
verdict, exit-code and release to $GITHUB_OUTPUT, and prints one ::error (gating) or ::warning annotation per
failure. --exit-code N: the harness's exit status, when it differs from the one in results.json.

Exit codes:
  0    the plugin conforms: no MUST rule failed (SHOULD failures are reported; --strict makes them count)
  1    a MUST rule failed (with --strict: any rule), or a --baseline entry is stale
  2    setup error (plugin not found, not executable, download or pull failed, image or Docker engine missing,
       did not start), bad usage, nothing ran, or a MUST rule was not exercised for lack of a valid input
       (each such rule is listed with the input that would drive it; --allow-not-exercised accepts them), or a
       harness error (a bug in plugin-conformance itself, reported with its stack, never blamed on the plugin)
  130  interrupted (Ctrl-C); the plugin is stopped

The last line of output is "N passed, N failed" (", N skipped" when some did not run or do not apply,
", N not exercised" when some could not be driven, ", N expected failures" when the baseline excused some).
`;

export interface RulesOptions {
  json: boolean;
  only: string[];
}

/** Parses the arguments after `rules`. */
export function parseRulesCli(argv: string[]): RulesOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        only: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. Usage: plugin-conformance rules [--json] [--only GLOBS]`);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length) throw new UsageError(`rules takes no arguments, got: ${positionals.join(' ')}. Usage: plugin-conformance rules [--json] [--only GLOBS]`);
  return { json: values.json!, only: splitGlobs(values.only) };
}

/**
 * `plugin-conformance rules`: the catalogue with each rule's coverage by the suites' tests (`testNames`: every test
 * the compiled suites declare, as src/list.ts collects them); needs no plugin.
 */
export function rulesCommand(options: RulesOptions, testNames: readonly string[]): { stdout: string; problems: string[] } {
  const { coverage, problems } = ruleCoverage(rules(), testsByRule(testNames), UNCHECKED);
  const pattern = options.only.length ? new RegExp(`^${globsToPattern(options.only)}$`) : undefined;
  const selected = pattern ? coverage.filter((c) => pattern.test(c.id)) : coverage;
  if (options.json) {
    return { stdout: JSON.stringify({ rules: selected, summary: coverageSummary(selected), problems }, null, 2) + '\n', problems };
  }
  return { stdout: formatRulesTable(selected), problems };
}

/** Runs an argv parser; a UsageError is the user's mistake: printed, and undefined is returned (exit 2). */
function parsedOrReported<T>(parse: () => T): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`plugin-conformance: ${error.message}`);
    return undefined;
  }
}

async function mainRules(argv: string[]): Promise<number> {
  const options = parsedOrReported(() => parseRulesCli(argv));
  if (options === undefined) return EXIT.setup;
  if (options === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  let result;
  try {
    result = rulesCommand(options, (await collectTests(listSpec(), undefined)).map((t) => t.name));
  } catch (error) {
    console.error(`plugin-conformance: cannot list rules: ${(error as Error).message}`);
    return EXIT.setup;
  }
  process.stdout.write(result.stdout);
  for (const problem of result.problems) console.error(`plugin-conformance: rule registry: ${problem}`);
  return 0;
}

const LIST_USAGE = 'Usage: plugin-conformance list [--json] [--only GLOBS] [--skip GLOBS] [--shard i/n] [--proto-root DIR]';

/** Parses the arguments after `list`. */
export function parseListCli(argv: string[]): ListOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        only: { type: 'string', multiple: true },
        skip: { type: 'string', multiple: true },
        shard: { type: 'string' },
        'proto-root': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. ${LIST_USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length) throw new UsageError(`list takes no plugin (the tests do not depend on it), got: ${positionals.join(' ')}. ${LIST_USAGE}`);
  return {
    json: values.json!,
    only: splitGlobs(values.only),
    skip: splitGlobs(values.skip),
    ...(values.shard === undefined ? {} : { shard: parseShard(values.shard) }),
    ...(values['proto-root'] ? { protoRoot: path.resolve(values['proto-root']) } : {}),
  };
}

async function mainList(argv: string[]): Promise<number> {
  const options = parsedOrReported(() => parseListCli(argv));
  if (options === undefined) return EXIT.setup;
  if (options === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  let result;
  try {
    result = await listCommand(options);
  } catch (error) {
    console.error(`plugin-conformance: cannot list the tests: ${(error as Error).message}`);
    return EXIT.setup;
  }
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  return result.exitCode;
}

const MERGE_USAGE = 'Usage: plugin-conformance merge [--out DIR] SHARD_DIR...';

/** Parses the arguments after `merge`: the shards' reports folders and --out. */
export function parseMergeCli(argv: string[]): { sources: string[]; outDir: string } | 'help' {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { out: { type: 'string', default: 'reports' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. ${MERGE_USAGE}`);
  }
  if (parsed.values.help) return 'help';
  if (!parsed.positionals.length) throw new UsageError(`merge needs the reports folder (--out) of every shard. ${MERGE_USAGE}`);
  return { sources: parsed.positionals, outDir: parsed.values.out! };
}

function mainMerge(argv: string[]): number {
  const options = parsedOrReported(() => parseMergeCli(argv));
  if (options === undefined) return EXIT.setup;
  if (options === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  return mergeCommand(options.sources, options.outDir, printProblems);
}

export function parseCli(argv: string[]): RunOptions | 'help' | 'version' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        app: { type: 'string', multiple: true },
        'allow-not-exercised': { type: 'boolean', default: false },
        name: { type: 'string' },
        only: { type: 'string', multiple: true },
        skip: { type: 'string', multiple: true },
        out: { type: 'string', default: 'reports' },
        'ready-timeout': { type: 'string' },
        'grace-period': { type: 'string', default: '30' },
        strict: { type: 'boolean', default: false },
        'proto-root': { type: 'string' },
        container: { type: 'string' },
        address: { type: 'string' },
        'host-port': { type: 'string' },
        tool: { type: 'string', multiple: true },
        pull: { type: 'boolean', default: false },
        'ca-cert': { type: 'string' },
        'registry-auth': { type: 'string' },
        seed: { type: 'string' },
        'property-runs': { type: 'string' },
        'property-time': { type: 'string' },
        replay: { type: 'string' },
        'replay-file': { type: 'string' },
        'save-failures': { type: 'string' },
        'rules-edition': { type: 'string' },
        release: { type: 'boolean', default: false },
        'expect-version': { type: 'string' },
        shard: { type: 'string' },
        baseline: { type: 'string' },
        'update-baseline': { type: 'boolean', default: false },
        reason: { type: 'string' },
        'plugin-version': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
      tokens: true,
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. See --help.`);
  }
  const { values, positionals, tokens } = parsed;
  if (values.help) return 'help';
  if (values.version) return 'version';
  if (positionals.length > 1) throw new UsageError(`expected one plugin, got ${positionals.length}: ${positionals.join(' ')}`);
  const target = { target: positionals[0], container: values.container, address: values.address, pull: values.pull, runId: '' };
  checkTargetRequest(target);
  return {
    target: positionals[0],
    container: values.container,
    address: values.address,
    pull: values.pull,
    hostPort: values['host-port'] === undefined ? undefined : portNumber(values['host-port'], '--host-port'),
    ...(values.tool?.length ? { tools: parseToolFlags(values.tool) } : {}),
    caCertFile: values['ca-cert'] ? path.resolve(values['ca-cert']) : undefined,
    registryAuth: values['registry-auth'] === undefined ? undefined : parseRegistryAuth(values['registry-auth']),
    configFile: values.config,
    apps: (values.app ?? []).map((dir) => path.resolve(dir)),
    allowNotExercised: values['allow-not-exercised'] === true,
    name: values.name,
    outDir: values.out!,
    only: splitGlobs(values.only),
    skip: splitGlobs(values.skip),
    // In attach mode a person starts the plugin (maybe in a debugger) after reading the printed command line.
    readyTimeoutMs: seconds(values['ready-timeout'] ?? (values.address ? '300' : '30'), '--ready-timeout'),
    graceMs: seconds(values['grace-period']!, '--grace-period'),
    strict: values.strict === true,
    protoRoot: values['proto-root'] ? path.resolve(values['proto-root']) : undefined,
    properties: propertyOptions(values, tokens),
    ...(values.shard === undefined ? {} : { shard: shardOption(values.shard, values) }),
    ...baselineOption(values),
    ...releaseOptions(values),
  };
}

/** --rules-edition N (a catalogue edition), --release, --expect-version V (implies --release). */
function releaseOptions(values: { 'rules-edition'?: string; release?: boolean; 'expect-version'?: string }): Pick<RunOptions, 'rulesEdition' | 'release' | 'expectVersion'> {
  const editionText = values['rules-edition'];
  if (editionText !== undefined && !(/^[1-9]\d*$/.test(editionText) && Number(editionText) <= CATALOGUE_EDITION)) {
    throw new UsageError(`--rules-edition takes a catalogue edition from 1 to ${CATALOGUE_EDITION} (the current one, the default), got "${editionText}"`);
  }
  const expectVersion = values['expect-version'];
  if (expectVersion !== undefined && !expectVersion.trim()) throw new UsageError('--expect-version needs the version being released, e.g. --expect-version v1.2.0');
  return {
    ...(editionText === undefined ? {} : { rulesEdition: Number(editionText) }),
    ...(values.release || expectVersion !== undefined ? { release: true } : {}),
    ...(expectVersion === undefined ? {} : { expectVersion: expectVersion.trim() }),
  };
}

/** --baseline FILE, --update-baseline --reason TEXT, --plugin-version V, checked together. */
function baselineOption(values: Record<string, unknown>): { baseline?: BaselineOptions } {
  const file = values.baseline as string | undefined;
  const reason = values.reason as string | undefined;
  const version = values['plugin-version'] as string | undefined;
  const update = values['update-baseline'] === true;
  if (update && file === undefined) throw new UsageError('--update-baseline needs --baseline FILE: the file to write or prune');
  if (update && !reason?.trim()) throw new UsageError('--update-baseline needs --reason TEXT: the reason written into each new entry (e.g. a ticket)');
  if (reason !== undefined && !update) throw new UsageError('--reason goes with --update-baseline (the reason for the entries it adds)');
  if (version !== undefined && !isSemver(version)) throw new UsageError(`--plugin-version takes a semantic version like 1.4.0, got "${version}"`);
  if (file === undefined) return {};
  return { baseline: { file: path.resolve(file), ...(update ? { update: { reason: reason!.trim() } } : {}), ...(version === undefined ? {} : { pluginVersion: version }) } };
}

/** --shard i/n: every shard must generate the same cases (one --seed), and a replay selects one case, not a shard. */
function shardOption(text: string, values: Record<string, unknown>) {
  const shard = parseShard(text);
  if (values.seed === undefined) throw new UsageError(`--shard needs --seed N, the same for every shard (e.g. the CI run number), so the shards generate the same cases and can be merged`);
  if (values.replay !== undefined || values['replay-file'] !== undefined) throw new UsageError('--shard cannot be combined with --replay or --replay-file, which select one case');
  return shard;
}

/** --seed, --property-runs, --property-time, --replay, --replay-file, --save-failures, checked and read. */
function propertyOptions(values: Record<string, string | boolean | string[] | undefined>, tokens: Token[]): PropertyOptions {
  const text = (name: string) => values[name] as string | undefined;
  const seedText = text('seed');
  const seed = seedText === undefined ? undefined : Number(seedText);
  if (seed !== undefined && (!/^-?\d+$/.test(seedText!.trim()) || !isSeed(seed))) throw new UsageError(`--seed takes an integer from -2147483648 to 2147483647, got "${seedText}"`);
  const runsText = text('property-runs');
  if (runsText !== undefined && !/^[1-9]\d*$/.test(runsText)) throw new UsageError(`--property-runs takes a positive integer, got "${runsText}"`);
  if (text('replay') !== undefined && text('replay-file') !== undefined) throw new UsageError('--replay and --replay-file each select one case; give one of them');
  if (text('replay') !== undefined && seed === undefined) throw new UsageError('--replay needs the --seed printed with it (the path only means something for that seed)');
  let replay;
  let replayCase;
  try {
    replay = text('replay') === undefined ? undefined : parseReplay(text('replay')!);
    replayCase = text('replay-file') === undefined ? undefined : readSavedFailure(path.resolve(text('replay-file')!));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return {
    seed,
    runs: runsText === undefined ? undefined : Number(runsText),
    timeLimitMs: text('property-time') === undefined ? undefined : seconds(text('property-time')!, '--property-time'),
    replay,
    replayCase,
    saveFailuresDir: text('save-failures'),
    commandLine: replayCommandLine(tokens),
  };
}

type Token = NonNullable<ReturnType<typeof parseArgs>['tokens']>[number];

/** Options that pick what runs or where reports go: a printed replay command sets its own. */
const NOT_REPLAYED = new Set(['seed', 'replay', 'replay-file', 'save-failures', 'property-runs', 'property-time', 'only', 'skip', 'out', 'shard', 'baseline', 'update-baseline', 'reason', 'plugin-version']);

/**
 * The arguments that reach the same plugin the same way: the target and every option but the run-selecting ones.
 * Replay commands land in results.json and CI logs, so credentials are placeholders: `--registry-auth USER:TOKEN`,
 * and `USER:TOKEN@` for a URL's userinfo.
 */
export function replayCommandLine(tokens: Token[]): string[] {
  const hideUserinfo = (text: string) => text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/?#\s@]*@/gi, '$1USER:TOKEN@');
  return tokens.flatMap((token) => {
    if (token.kind === 'positional') return [hideUserinfo(token.value)];
    if (token.kind !== 'option' || NOT_REPLAYED.has(token.name)) return [];
    if (token.name === 'registry-auth' && token.value !== undefined) return [token.rawName, 'USER:TOKEN'];
    return token.value === undefined ? [token.rawName] : [token.rawName, token.value];
  });
}

function portNumber(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new UsageError(`${flag} takes a TCP port (1-65535), got "${text}"`);
  return value;
}

function splitGlobs(values: string[] | undefined): string[] {
  const globs = (values ?? []).flatMap((v) => v.split(',')).map((g) => g.trim().toUpperCase()).filter(Boolean);
  for (const glob of globs) {
    if (!/^[A-Z*?][A-Z0-9*?-]*$/.test(glob)) throw new UsageError(`"${glob}" is not a rule ID glob; use IDs like PLAN-010 or globs like PLAN-01*`);
  }
  return globs;
}

function seconds(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`${flag} takes a positive number of seconds, got "${text}"`);
  return Math.round(value * 1000);
}

/** `github-summary`: the GitHub Action's job summary, outputs and annotations from a results.json (src/report/github.ts). */
function mainGithubSummary(argv: string[]): number {
  const options = parsedOrReported(() => parseGithubSummaryCli(argv));
  return options === undefined ? EXIT.setup : githubSummaryCommand(options);
}

export async function main(argv: string[]): Promise<number> {
  // Subcommands first: their names (SUBCOMMANDS in target/image-ref.ts) are never read as an image.
  if (argv[0] === 'rules') return mainRules(argv.slice(1));
  if (argv[0] === 'list') return mainList(argv.slice(1));
  if (argv[0] === 'merge') return mainMerge(argv.slice(1));
  if (argv[0] === 'github-summary') return mainGithubSummary(argv.slice(1));
  const options = parsedOrReported(() => parseCli(argv));
  if (options === undefined) return EXIT.setup;
  if (options === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (options === 'version') {
    console.log(JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')).version);
    return 0;
  }
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await run(options, interrupt.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

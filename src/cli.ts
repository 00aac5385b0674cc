// Command line: argv → RunOptions (clear errors, --help) → run → exit code.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { coverageSummary, ruleCoverage, suiteTestNames, UNCHECKED } from './contract/coverage.js';
import { globsToPattern, rules } from './contract/rules.js';
import { UsageError } from './errors.js';
import { packageRoot } from './protocol/load.js';
import { formatRulesTable } from './report/rules-table.js';
import { EXIT } from './report/verdict.js';
import { run, type RunOptions } from './run.js';

export const HELP = `plugin-conformance — checks a PipeCD piped plugin against the piped ⇄ plugin protocol contract

Usage:
  plugin-conformance [options] <plugin>
  plugin-conformance rules [--json] [--only GLOBS]

<plugin> is what piped would run:
  ./bin/my-plugin             a plugin executable
  file:///abs/path/plugin     a piped-style file:// URL
  path/to/folder              a folder whose bin/ holds exactly one executable
                              (a config.yaml beside bin/ is used as --config)

The harness starts a fake piped PluginService on 127.0.0.1, launches the plugin exactly as piped does
(start --piped-plugin-service <addr> --config <json>), drives it through the conformance suites and
judges every response and callback against the rule catalogue (rule IDs such as PLAN-010).

Options:
  --config FILE          the plugin's entry as in piped's spec.plugins[]: name, config, deployTargets (YAML or JSON)
  --name NAME            plugin name (default: name in --config, else the executable's file name)
  --only GLOBS           run only these rules, comma-separated ID globs (e.g. PLAN-01*,EXEC-001)
  --skip GLOBS           skip these rules (same syntax)
  --out DIR              where reports go (default: reports): junit.xml, results.json
  --ready-timeout SEC    how long the plugin may take to answer FetchDefinedStages (default: 30)
  --grace-period SEC     SIGTERM-to-SIGKILL grace, as piped's --grace-period (default: 30)
  --proto-root DIR       use another copy of the wire schema (a folder holding pkg/…)
  -h, --help             this text
  -v, --version          the harness version

The rules command lists the rule catalogue (ID, level, title) and whether a suite checks each rule yet;
it needs no plugin. --json prints {rules: [...], summary, problems}. (To test a plugin file named "rules",
write ./rules.)

Exit codes:
  0    the plugin conforms: every selected rule passed
  1    at least one rule failed
  2    setup error (plugin not found, not executable, did not start), bad usage, or nothing ran
  130  interrupted (Ctrl-C); the plugin is stopped

The last line of output is "N passed, N failed" (", N skipped" when some did not run).
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

/** `plugin-conformance rules`: the catalogue with each rule's coverage by the compiled suites; needs no plugin. */
export function rulesCommand(options: RulesOptions, suitesDir = path.join(packageRoot(), 'dist', 'suites')): { stdout: string; problems: string[] } {
  const { coverage, problems } = ruleCoverage(rules(), suiteTestNames(suitesDir), UNCHECKED);
  const pattern = options.only.length ? new RegExp(`^${globsToPattern(options.only)}$`) : undefined;
  const selected = pattern ? coverage.filter((c) => pattern.test(c.id)) : coverage;
  if (options.json) {
    return { stdout: JSON.stringify({ rules: selected, summary: coverageSummary(selected), problems }, null, 2) + '\n', problems };
  }
  return { stdout: formatRulesTable(selected), problems };
}

function mainRules(argv: string[]): number {
  let options;
  try {
    options = parseRulesCli(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`plugin-conformance: ${error.message}`);
      return EXIT.setup;
    }
    throw error;
  }
  if (options === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  let result;
  try {
    result = rulesCommand(options);
  } catch (error) {
    console.error(`plugin-conformance: cannot list rules: ${(error as Error).message}`);
    return EXIT.setup;
  }
  process.stdout.write(result.stdout);
  for (const problem of result.problems) console.error(`plugin-conformance: rule registry: ${problem}`);
  return 0;
}

export function parseCli(argv: string[]): RunOptions | 'help' | 'version' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        name: { type: 'string' },
        only: { type: 'string', multiple: true },
        skip: { type: 'string', multiple: true },
        out: { type: 'string', default: 'reports' },
        'ready-timeout': { type: 'string', default: '30' },
        'grace-period': { type: 'string', default: '30' },
        'proto-root': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. See --help.`);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (values.version) return 'version';
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length ? `expected one plugin, got ${positionals.length}: ${positionals.join(' ')}` : 'no plugin given. Usage: plugin-conformance [options] <plugin> (see --help)');
  }
  return {
    target: positionals[0],
    configFile: values.config,
    name: values.name,
    outDir: values.out!,
    only: splitGlobs(values.only),
    skip: splitGlobs(values.skip),
    readyTimeoutMs: seconds(values['ready-timeout']!, '--ready-timeout'),
    graceMs: seconds(values['grace-period']!, '--grace-period'),
    protoRoot: values['proto-root'] ? path.resolve(values['proto-root']) : undefined,
  };
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

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'rules') return mainRules(argv.slice(1));
  let options;
  try {
    options = parseCli(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`plugin-conformance: ${error.message}`);
      return EXIT.setup;
    }
    throw error;
  }
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

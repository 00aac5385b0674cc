// Command line: argv → RunOptions (clear errors, --help) → run → exit code.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';
import { packageRoot } from './protocol/load.js';
import { EXIT } from './report/verdict.js';
import { run, type RunOptions } from './run.js';

export const HELP = `plugin-conformance — checks a PipeCD piped plugin against the piped ⇄ plugin protocol contract

Usage:
  plugin-conformance [options] <plugin>

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

Exit codes:
  0    the plugin conforms: every selected rule passed
  1    at least one rule failed
  2    setup error (plugin not found, not executable, did not start), bad usage, or nothing ran
  130  interrupted (Ctrl-C); the plugin is stopped

The last line of output is "N passed, N failed" (", N skipped" when some did not run).
`;

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

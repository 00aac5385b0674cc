// Runs the real CLI as a user would, into a private reports folder, and reads back its JSON results.
import { execa } from 'execa';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileSchema, formatSchemaErrors, type Validator } from '../support/json-schema.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(ROOT, 'bin', 'plugin-conformance.js');
export const REFERENCE = path.join(ROOT, 'fixtures', 'plugins', 'reference');
export const MUTANTS_DIR = path.join(ROOT, 'fixtures', 'plugins', 'mutants');

let resultsSchema: Validator | undefined;

/**
 * results.json is public contract: every one an end-to-end run writes is checked against schemas/results.schema.json,
 * so no test can pass on a report that breaks the published schema.
 */
export function assertResultsSchema(results: unknown, where: string): void {
  resultsSchema ??= compileSchema(JSON.parse(readFileSync(path.join(ROOT, 'schemas', 'results.schema.json'), 'utf8')));
  const errors = resultsSchema(results);
  if (errors.length) throw new Error(`${where}: results.json does not match schemas/results.schema.json:\n${formatSchemaErrors(errors)}`);
}

export interface CliRun {
  exitCode: number;
  output: string;
  lastLine: string;
  outDir: string;
  results?: any;
  elapsedMs: number;
}

export async function runCli(args: string[], timeoutMs = 240_000, env: Record<string, string> = {}): Promise<CliRun> {
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'pc-e2e-'));
  const started = Date.now();
  const result = await execa('node', [CLI, ...args, '--out', outDir], { cwd: ROOT, all: true, reject: false, timeout: timeoutMs, env: { FORCE_COLOR: '0', NO_COLOR: '1', ...env } });
  const output = result.all ?? '';
  const lines = output.trimEnd().split('\n');
  let results: any;
  try {
    results = JSON.parse(readFileSync(path.join(outDir, 'results.json'), 'utf8'));
  } catch {
    results = undefined;
  }
  if (results !== undefined) assertResultsSchema(results, `plugin-conformance ${args.join(' ')}`);
  return { exitCode: result.exitCode ?? -1, output, lastLine: lines[lines.length - 1] ?? '', outDir, results, elapsedMs: Date.now() - started };
}

/** Rule IDs whose tests failed in a run's results.json. */
export function failedRules(run: CliRun): string[] {
  return [...new Set((run.results?.outcomes ?? []).filter((o: any) => o.state === 'failed').map((o: any) => o.ruleId))] as string[];
}

export interface Mutant {
  name: string;
  configFile: string;
  /** The rule the mutant is built to break, from its first line `# breaks: RULE-ID — …`. */
  breaks: string;
}

export function mutants(): Mutant[] {
  return readdirSync(MUTANTS_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const configFile = path.join(MUTANTS_DIR, file);
      const first = readFileSync(configFile, 'utf8').split('\n')[0];
      const breaks = /^#\s*breaks:\s*([A-Z]+-\d{3})/.exec(first)?.[1];
      if (!breaks) throw new Error(`${configFile}:1: first line must be "# breaks: RULE-ID — description"`);
      return { name: file.replace(/\.yaml$/, ''), configFile, breaks };
    });
}

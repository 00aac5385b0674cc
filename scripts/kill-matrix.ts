// The kill matrix: runs the CLI against the reference plugin and every mutant of it (fixtures/plugins/mutants, one
// per fault in fixtures/plugins/reference/faults), two runs at a time, and prints which rules caught each mutant.
// Exits 1 unless the reference conforms and every mutant fails exactly its rule (plus its fault's `alsoSeenBy`).
//   npm run kill-matrix [-- [--full] [--concurrency N] <mutant name>...]   (after npm run build)
// By default each mutant runs only its own rule and its alsoSeenBy rules (fast; proves every mutant is caught);
// --full runs every rule against every mutant and also flags rules that catch a mutant they should not see.
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { FAULTS } from '../fixtures/plugins/reference/faults.js';
import { packageRoot } from '../src/protocol/load.js';
import {
  failedRulesOf, isGreen, judgeMutant, judgeReference, killMatrixSummary, killMatrixTable, type CliResult, type MutantJudgement, type MutantSpec,
  type ReferenceJudgement,
} from '../src/report/kill-matrix.js';

export interface KillMatrixOptions {
  /** Only these mutants (fault names); all when empty. */
  only?: string[];
  /** CLI runs at a time. */
  concurrency?: number;
  /** `--grace-period` for each run, so the SIGTERM-ignoring mutant costs seconds, not piped's 30. */
  graceSeconds?: number;
  /**
   * Run every rule against each mutant (finds overkill: rules outside alsoSeenBy that also fail). By default a
   * mutant runs only its own rule and its alsoSeenBy rules: each run then takes seconds, not a full run's minute.
   */
  full?: boolean;
  /** Where progress lines go (one per finished run). */
  log?: (line: string) => void;
}

export interface KillMatrix {
  reference: ReferenceJudgement;
  rows: MutantJudgement[];
  green: boolean;
  /** The table and summary, ready to print. */
  report: string;
  elapsedMs: number;
}

const RUN_TIMEOUT_MS = 240_000;

/** Every mutant the fault registry defines, optionally narrowed to `only`. */
export function mutantSpecs(only: string[] = []): MutantSpec[] {
  const unknown = only.filter((name) => !Object.hasOwn(FAULTS, name));
  if (unknown.length) throw new Error(`unknown mutant(s) ${unknown.join(', ')}; see fixtures/plugins/reference/faults/`);
  return Object.entries(FAULTS)
    .filter(([name]) => !only.length || only.includes(name))
    .map(([name, info]) => ({ name, rule: info.rule, alsoSeenBy: 'alsoSeenBy' in info ? [...info.alsoSeenBy] : [] }));
}

/** One CLI run into a reports folder of its own (`outDir`, the caller removes it); what results.json says failed. */
export async function runConformance(args: string[], graceSeconds: number): Promise<CliResult & { outDir: string }> {
  const root = packageRoot();
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'pc-kill-matrix-'));
  return { ...(await runInto(outDir, root, args, graceSeconds)), outDir };
}

async function runInto(outDir: string, root: string, args: string[], graceSeconds: number): Promise<CliResult> {
  const cli = path.join(root, 'bin', 'plugin-conformance.js');
  const run = await execa(process.execPath, [cli, ...args, '--grace-period', String(graceSeconds), '--out', outDir], {
    cwd: root, all: true, reject: false, timeout: RUN_TIMEOUT_MS, env: { FORCE_COLOR: '0', NO_COLOR: '1' },
  });
  if (run.timedOut) return { exitCode: -1, failedRules: [], problem: `no result within ${RUN_TIMEOUT_MS / 1000} s` };
  let results: any;
  try {
    results = JSON.parse(readFileSync(path.join(outDir, 'results.json'), 'utf8'));
  } catch {
    const tail = (run.all ?? '').trimEnd().split('\n').slice(-3).join(' / ');
    return { exitCode: run.exitCode ?? -1, failedRules: [], problem: `no results.json (exit ${run.exitCode}): ${tail}` };
  }
  const setupError = (results.outcomes ?? []).find((o: any) => o.state === 'setup-error');
  const problem = setupError ? `setup error: ${(setupError.messages?.[0] ?? '').split('\n')[0]}` : undefined;
  return { exitCode: run.exitCode ?? -1, failedRules: failedRulesOf(results), problem };
}

/** Removes the reports of a run that went as expected; keeps (and names) the others for a look at why. */
function tidy(outDir: string, expected: boolean): string | undefined {
  if (expected) {
    rmSync(outDir, { recursive: true, force: true });
    return undefined;
  }
  return outDir;
}

/** Runs `jobs` with at most `concurrency` in flight, keeping their order in the result. */
async function inPool<T>(jobs: (() => Promise<T>)[], concurrency: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, jobs.length)) }, worker));
  return results;
}

export async function runKillMatrix(options: KillMatrixOptions = {}): Promise<KillMatrix> {
  const started = Date.now();
  const root = packageRoot();
  const reference = path.join(root, 'fixtures', 'plugins', 'reference');
  const grace = options.graceSeconds ?? 5;
  const log = options.log ?? (() => {});
  const specs = mutantSpecs(options.only);
  const referenceJob = async () => {
    const run = await runConformance([reference], grace);
    const judged = judgeReference(run);
    const kept = tidy(run.outDir, judged.ok);
    log(`reference: ${judged.ok ? 'conforms' : `does NOT conform (${judged.failedRules.join(', ') || judged.problem}); reports in ${kept}`}`);
    return judged;
  };
  const mutantJob = (spec: MutantSpec) => async () => {
    const configFile = path.join(root, 'fixtures', 'plugins', 'mutants', `${spec.name}.yaml`);
    const focus = options.full ? [] : ['--only', [spec.rule, ...spec.alsoSeenBy].join(',')];
    const run = await runConformance([reference, '--config', configFile, ...focus], grace);
    const judged = judgeMutant(spec, run);
    const kept = tidy(run.outDir, judged.verdict === 'killed');
    log(`${spec.name}: ${judged.verdict}${judged.failedRules.length ? ` (${judged.failedRules.join(', ')})` : ''}${kept ? `; reports in ${kept}` : ''}`);
    return judged;
  };
  const [referenceResult, ...rows] = await inPool<ReferenceJudgement | MutantJudgement>([referenceJob, ...specs.map(mutantJob)], options.concurrency ?? 2);
  const referenceJudgement = referenceResult as ReferenceJudgement;
  const mutantRows = rows as MutantJudgement[];
  const elapsedMs = Date.now() - started;
  const report = `${killMatrixTable(mutantRows)}\n\n${killMatrixSummary(referenceJudgement, mutantRows)} (${(elapsedMs / 1000).toFixed(1)} s)`;
  return { reference: referenceJudgement, rows: mutantRows, green: isGreen(referenceJudgement, mutantRows), report, elapsedMs };
}

/** `[--full] [--concurrency N] [mutant...]`. */
export function parseArgs(argv: string[]): { only: string[]; concurrency?: number; full: boolean } {
  const only: string[] = [];
  let concurrency: number | undefined;
  let full = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--full') {
      full = true;
      continue;
    }
    if (argv[i] !== '--concurrency') {
      only.push(argv[i]);
      continue;
    }
    concurrency = Number(argv[++i]);
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`--concurrency needs a positive integer, got ${JSON.stringify(argv[i])}`);
  }
  return { only, concurrency, full };
}

async function main(argv: string[]): Promise<number> {
  const matrix = await runKillMatrix({ ...parseArgs(argv), log: (line) => console.error(`  ${line}`) });
  console.log(matrix.report);
  return matrix.green ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(`kill-matrix: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(2);
    },
  );
}

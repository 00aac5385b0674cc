// The GitHub Action (action.yml) run locally: its `run:` steps execute in order under bash as the runner runs them
// (`bash --noprofile --norc -eo pipefail`), with ${{ inputs.* }} replaced by test values, GITHUB_OUTPUT (one file per
// step), GITHUB_ENV and GITHUB_STEP_SUMMARY set to temp files, and the harness step run against the reference plugin
// with --only PLAN-01*. Steps that `uses:` an action (setup-node, upload-artifact) need the network and are skipped;
// what they would be given is checked instead.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileSchema, formatSchemaErrors } from '../support/json-schema.js';
import { MUTANTS_DIR, REFERENCE, ROOT } from './support.js';

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  shell?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}

const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { required?: boolean; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
};

/** Replaces ${{ inputs.NAME }}; any other expression in a run step is a test failure (this emulation cannot evaluate it). */
function substitute(text: string, inputs: Record<string, string>): string {
  return text.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (whole, expression: string) => {
    const input = /^inputs\.([\w-]+)$/.exec(expression);
    if (!input) throw new Error(`run step uses ${whole}, which this test cannot evaluate; pass values through inputs, env files or GITHUB_ENV`);
    if (!(input[1] in inputs)) throw new Error(`${whole}: action.yml declares no input ${input[1]}`);
    return inputs[input[1]];
  });
}

/** Reads a GITHUB_OUTPUT / GITHUB_ENV file: `name=value` lines and `name<<DELIMITER` blocks. */
function readEnvFile(file: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const body: string[] = [];
      while (++i < lines.length && lines[i] !== heredoc[2]) body.push(lines[i]);
      values[heredoc[1]] = body.join('\n');
    } else if (lines[i].includes('=')) {
      values[lines[i].slice(0, lines[i].indexOf('='))] = lines[i].slice(lines[i].indexOf('=') + 1);
    }
  }
  return values;
}

interface ActionRun {
  workspace: string;
  summary: string;
  outputs: Record<string, string>;
  stepOutputs: Record<string, Record<string, string>>;
  steps: { name: string; skipped?: string; exitCode?: number; stdout?: string; stderr?: string; with?: Record<string, string> }[];
}

/** Runs the action's steps in a fresh workspace, as the runner would for a job. */
function runAction(given: Record<string, string>): ActionRun {
  if (!existsSync(path.join(ROOT, 'dist', 'src', 'cli.js'))) throw new Error('build first (npx tsc -p .): the install step must find the built harness, never run npm ci here');
  const inputs = Object.fromEntries(Object.entries(action.inputs).map(([name, spec]) => [name, given[name] ?? spec.default ?? '']));
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'pc-action-'));
  const files = mkdtempSync(path.join(os.tmpdir(), 'pc-action-files-'));
  const summaryFile = path.join(files, 'step-summary.md');
  const envFile = path.join(files, 'env');
  writeFileSync(summaryFile, '');
  writeFileSync(envFile, '');
  const stepOutputs: Record<string, Record<string, string>> = {};
  const steps: ActionRun['steps'] = [];
  action.runs.steps.forEach((step, i) => {
    const name = step.name ?? step.uses ?? `step ${i + 1}`;
    if (step.uses) {
      steps.push({ name, skipped: step.uses, with: step.with });
      return;
    }
    expect(step.shell, `${name}: composite run steps need shell:`).toBe('bash');
    const outputFile = path.join(files, `output-${i}`);
    writeFileSync(outputFile, '');
    const script = path.join(files, `step-${i}.sh`);
    writeFileSync(script, substitute(step.run!, inputs));
    const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, substitute(String(v), inputs)]));
    const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
      cwd: workspace,
      encoding: 'utf8',
      timeout: 180_000,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...readEnvFile(envFile),
        GITHUB_ACTION_PATH: ROOT,
        GITHUB_WORKSPACE: workspace,
        GITHUB_STEP_SUMMARY: summaryFile,
        GITHUB_OUTPUT: outputFile,
        GITHUB_ENV: envFile,
        FORCE_COLOR: '0',
        NO_COLOR: '1',
        ...stepEnv,
      },
    });
    if (step.id) stepOutputs[step.id] = readEnvFile(outputFile);
    steps.push({ name, exitCode: result.status ?? -1, stdout: result.stdout, stderr: result.stderr });
  });
  const outputs = Object.fromEntries(
    Object.entries(action.outputs).map(([name, spec]) => {
      const ref = /^\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}$/.exec(spec.value);
      if (!ref) throw new Error(`output ${name}: ${spec.value} is not a step output`);
      return [name, stepOutputs[ref[1]]?.[ref[2]]];
    }),
  );
  return { workspace, summary: readFileSync(summaryFile, 'utf8'), outputs, stepOutputs, steps };
}

const validate = compileSchema(JSON.parse(readFileSync(path.join(ROOT, 'schemas', 'results.schema.json'), 'utf8')));

function stepNamed(run: ActionRun, pattern: RegExp) {
  const step = run.steps.find((s) => pattern.test(s.name));
  expect(step, `a step named ${pattern}`).toBeDefined();
  return step!;
}

describe('action.yml', () => {
  it('is a composite action with the inputs and outputs CI needs, setting up Node and uploading reports/', () => {
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs)).toEqual(['plugin', 'config', 'cases', 'baseline', 'strict', 'shard', 'args']);
    expect(action.inputs.plugin.required).toBe(true);
    expect(Object.keys(action.outputs)).toEqual(['verdict', 'exit-code', 'release']);
    const uses = action.runs.steps.filter((s) => s.uses).map((s) => s.uses!.split('@')[0]);
    expect(uses).toEqual(['actions/setup-node', 'actions/upload-artifact']);
    const upload = action.runs.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))!;
    expect(upload.with?.path).toBe('reports/');
    expect(upload.if).toBe('always()');
    expect(action.runs.steps.find((s) => s.id === 'summary')?.if).toBe('always()');
    for (const step of action.runs.steps.filter((s) => s.run)) expect(step.run, 'inputs reach scripts through env, never spliced in').not.toMatch(/\$\{\{/);
  });

  it('against the reference plugin (--only PLAN-01*): every step succeeds, the summary and outputs say it conforms', () => {
    const run = runAction({ plugin: REFERENCE, args: '--only PLAN-01* --seed 7' });
    for (const step of run.steps.filter((s) => !s.skipped)) expect(step.exitCode, `${step.name}\n${step.stdout}\n${step.stderr}`).toBe(0);
    expect(run.steps.filter((s) => s.skipped).map((s) => s.skipped!.split('@')[0])).toEqual(['actions/setup-node', 'actions/upload-artifact']);
    expect(run.outputs).toEqual({ verdict: 'conforms', 'exit-code': '0', release: 'false' });
    expect(run.stepOutputs.run).toEqual({ artifact: 'plugin-conformance-reports', 'exit-code': '0' });
    expect(run.summary).toMatch(/^## plugin-conformance: ✅ conforms\n/);
    expect(run.summary).toContain('seed 7 · exit code 0 · release verdict: no');
    expect(run.summary).toMatch(/\| PLAN \| MUST \| \d+ \|/);
    expect(run.summary).toContain('No rule failed.');
    expect(stepNamed(run, /summary/).stdout).not.toContain('::error');
    const results = JSON.parse(readFileSync(path.join(run.workspace, 'reports', 'results.json'), 'utf8'));
    expect(formatSchemaErrors(validate(results))).toBe('');
    expect(results.provenance.options).toMatchObject({ target: REFERENCE, only: ['PLAN-01*'], strict: false, apps: [] });
    for (const report of ['junit.xml', 'report.html']) expect(existsSync(path.join(run.workspace, 'reports', report)), report).toBe(true);
  }, 240_000);

  it('against a mutant (config, cases and strict inputs): the gate step fails with exit 1, failures are annotated and summarised', () => {
    const app = path.join(REFERENCE, 'examples', 'pipeline');
    const run = runAction({ plugin: REFERENCE, config: path.join(MUTANTS_DIR, 'plan-drop-stage.yaml'), cases: `${app}\n`, strict: 'true', args: '--only PLAN-010' });
    const gate = stepNamed(run, /^Gate/);
    expect(gate.exitCode).toBe(1);
    for (const step of run.steps.filter((s) => !s.skipped && s !== gate)) expect(step.exitCode, `${step.name}\n${step.stdout}\n${step.stderr}`).toBe(0);
    expect(run.outputs).toEqual({ verdict: 'fails', 'exit-code': '1', release: 'false' });
    expect(run.summary).toMatch(/^## plugin-conformance: ❌ does not conform\n/);
    expect(run.summary).toContain('### Failures');
    expect(run.summary).toContain('#### PLAN-010 [MUST]');
    expect(run.summary).toMatch(/Replay: `npx plugin-conformance \S+ --config \S+plan-drop-stage.yaml --app \S+ --only PLAN-010 --seed \d+`/);
    expect(stepNamed(run, /summary/).stdout).toMatch(/^::error title=PLAN-010::PLAN-010 /m);
    const results = JSON.parse(readFileSync(path.join(run.workspace, 'reports', 'results.json'), 'utf8'));
    expect(formatSchemaErrors(validate(results))).toBe('');
    expect(results.provenance.options).toMatchObject({ strict: true, apps: [app] });
  }, 240_000);
});

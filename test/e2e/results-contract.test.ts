// results.json is a public contract: every file the CLI writes validates against schemas/results.schema.json, carries
// its provenance (harness version, catalogue edition, pipecd revision of the protos, plugin sha256, seed, options)
// and never a secret. Also --rules-edition end to end: a failure of a newer rule is a warning, not a gate.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSchema, formatSchemaErrors } from '../support/json-schema.js';
import { failedRules, MUTANTS_DIR, REFERENCE, ROOT, runCli, type CliRun } from './support.js';

const validate = compileSchema(JSON.parse(readFileSync(path.join(ROOT, 'schemas', 'results.schema.json'), 'utf8')));
const EXECUTABLE = path.join(REFERENCE, 'bin', 'reference-plugin');
const RUN_TIMEOUT_MS = 120_000;

/** Asserts the run wrote a results.json that the schema accepts. */
function expectValidResults(run: CliRun): void {
  expect(run.results, run.output).toBeDefined();
  expect(formatSchemaErrors(validate(run.results)), 'results.json against schemas/results.schema.json').toBe('');
}

describe('results.json from real runs validates against schemas/results.schema.json', () => {
  it('(a) the reference plugin, --only PLAN-01*: schemaVersion 1 and full provenance', async () => {
    const run = await runCli([REFERENCE, '--only', 'PLAN-01*', '--seed', '4242']);
    expect(run.exitCode, run.output).toBe(0);
    expectValidResults(run);
    const { provenance } = run.results;
    expect(run.results.schemaVersion).toBe(1);
    expect(provenance.harness).toEqual({ name: 'plugin-conformance', version: JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version });
    expect(provenance.catalogueEdition).toBe(2);
    expect(provenance.protocol).toEqual({ module: 'github.com/pipe-cd/pipecd', version: 'v0.54.0-rc1.0.20250912082650-0b949bb7aac9', commit: '0b949bb7aac9' });
    expect(provenance.plugin).toEqual({ kind: 'binary', executable: EXECUTABLE, sha256: `sha256:${createHash('sha256').update(readFileSync(EXECUTABLE)).digest('hex')}` });
    expect(provenance.seed).toBe(4242);
    expect(run.results.seed).toBe(4242);
    expect(provenance.options).toMatchObject({ target: REFERENCE, only: ['PLAN-01*'], rulesEdition: 2, release: false, strict: false, properties: { seed: 4242, replayFile: false } });
    const passed = run.results.outcomes.filter((o: any) => o.state === 'passed');
    expect(passed.length).toBeGreaterThan(0);
    for (const o of passed) expect(o.gating, o.name).toBe(o.level === 'MUST');
  }, RUN_TIMEOUT_MS);

  it('(b) a mutant with failures (plan-drop-stage): exit 1, the failed outcome gates, and the file still validates', async () => {
    const run = await runCli([REFERENCE, '--config', path.join(MUTANTS_DIR, 'plan-drop-stage.yaml'), '--only', 'PLAN-01*']);
    expect(run.exitCode, run.output).toBe(1);
    expect(failedRules(run)).toContain('PLAN-010');
    expectValidResults(run);
    const failed = run.results.outcomes.find((o: any) => o.ruleId === 'PLAN-010' && o.state === 'failed');
    expect(failed).toMatchObject({ level: 'MUST', edition: 1, gating: true });
    expect(run.results.provenance.options.configFile).toBe(path.join(MUTANTS_DIR, 'plan-drop-stage.yaml'));
  }, RUN_TIMEOUT_MS);

  it('never carries a --registry-auth value', async () => {
    const run = await runCli([REFERENCE, '--only', 'PLAN-010', '--registry-auth', 'ci-bot:s3cr3t-t0ken']);
    expect(run.exitCode, run.output).toBe(0);
    expectValidResults(run);
    expect(readFileSync(path.join(run.outDir, 'results.json'), 'utf8')).not.toContain('s3cr3t-t0ken');
  }, RUN_TIMEOUT_MS);
});

describe('--rules-edition: a rule newer than the pinned edition warns instead of gating', () => {
  const mutant = path.join(MUTANTS_DIR, 'plan-ignore-bad-config.yaml'); // breaks PLAN-020, an edition-2 rule (CATALOGUE §8.9)

  it('the current edition (default) with --strict: PLAN-020 fails the run', async () => {
    const run = await runCli([REFERENCE, '--config', mutant, '--only', 'PLAN-020', '--strict']);
    expect(run.exitCode, run.output).toBe(1);
    expectValidResults(run);
    expect(run.results.outcomes.find((o: any) => o.state === 'failed')).toMatchObject({ ruleId: 'PLAN-020', edition: 2, gating: true });
  }, RUN_TIMEOUT_MS);

  it('--rules-edition 1 --strict: the same failure is a warning naming edition 2; exit 0; results.json says gating: false, edition: 2', async () => {
    const run = await runCli([REFERENCE, '--config', mutant, '--only', 'PLAN-020', '--strict', '--rules-edition', '1']);
    expect(run.exitCode, run.output).toBe(0);
    expectValidResults(run);
    expect(run.results.outcomes.find((o: any) => o.state === 'failed')).toMatchObject({ ruleId: 'PLAN-020', edition: 2, gating: false });
    expect(run.results.verdict.warnings).toEqual(['PLAN-020 failed; not gating: it gates from rules edition 2 (this run gates on edition 1, --rules-edition)']);
    expect(run.results.provenance.options.rulesEdition).toBe(1);
    expect(run.output).toMatch(/Warnings \(rules newer than --rules-edition 1[^\n]*\n\s+! \[SHOULD, gating from edition 2\] PLAN-020/);
  }, RUN_TIMEOUT_MS);

  it('an edition that is not one of the catalogue is a usage error (exit 2)', async () => {
    const run = await runCli([REFERENCE, '--rules-edition', '3']);
    expect(run.exitCode).toBe(2);
    expect(run.output).toContain('--rules-edition takes a catalogue edition from 1 to 2');
  });
});

// Release facts end to end (--release, --expect-version): RELEASE-001 against the reference plugin's `version`
// subcommand (it prints package.json's version), passing and failing; off without --release; an SDK plugin built
// without a version stamp prints the placeholder `unspecified`.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSchema, formatSchemaErrors } from '../support/json-schema.js';
import { REFERENCE, ROOT, runCli, type CliRun } from './support.js';

const validate = compileSchema(JSON.parse(readFileSync(path.join(ROOT, 'schemas', 'results.schema.json'), 'utf8')));
const VERSION = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;
const GO_STAGE_PLUGIN = path.join(ROOT, 'fixtures', 'plugins', 'go', 'bin', 'stage-plugin');

function outcomeOf(run: CliRun, ruleId: string): any {
  return run.results?.outcomes.find((o: any) => o.ruleId === ruleId);
}

describe('RELEASE-001 with the reference plugin', () => {
  it(`passes with --expect-version ${VERSION} (and v${VERSION}); RELEASE-002 does not apply to a binary`, async () => {
    for (const expected of [VERSION, `v${VERSION}`]) {
      const run = await runCli([REFERENCE, '--only', 'RELEASE-*', '--expect-version', expected]);
      expect(run.exitCode, run.output).toBe(0);
      expect(outcomeOf(run, 'RELEASE-001')).toMatchObject({ state: 'passed', level: 'MUST', edition: 2, gating: true });
      expect(outcomeOf(run, 'RELEASE-002')).toMatchObject({ state: 'unsupported' });
      expect(outcomeOf(run, 'RELEASE-002').messages[0]).toContain('not an oci:// target');
      expect(run.results.provenance.options).toMatchObject({ release: true, expectVersion: expected });
      expect(formatSchemaErrors(validate(run.results))).toBe('');
    }
  });

  it('fails with another --expect-version: exit 1, the message names both versions', async () => {
    const run = await runCli([REFERENCE, '--only', 'RELEASE-*', '--expect-version', '9.9.9']);
    expect(run.exitCode, run.output).toBe(1);
    const failed = outcomeOf(run, 'RELEASE-001');
    expect(failed.state).toBe('failed');
    expect(failed.messages[0]).toContain(`printed version "${VERSION}", but the release is 9.9.9 (--expect-version)`);
    expect(formatSchemaErrors(validate(run.results))).toBe('');
  });

  it('--release alone checks only that a real version is printed', async () => {
    const run = await runCli([REFERENCE, '--only', 'RELEASE-001', '--release']);
    expect(run.exitCode, run.output).toBe(0);
    expect(outcomeOf(run, 'RELEASE-001').state).toBe('passed');
  });

  it('is off without --release: not applicable to the run, never a failure, and the release flag is untouched', async () => {
    const run = await runCli([REFERENCE, '--only', 'RELEASE-*,PLAN-010']);
    expect(run.exitCode, run.output).toBe(0);
    for (const id of ['RELEASE-001', 'RELEASE-002']) {
      expect(outcomeOf(run, id).state, id).toBe('unsupported');
      expect(outcomeOf(run, id).messages[0]).toContain('not a release build');
    }
    expect(run.results.provenance.options.release).toBe(false);
  });
});

describe.skipIf(!existsSync(GO_STAGE_PLUGIN))('RELEASE-001 with an SDK plugin built without a version (fixtures/plugins/go)', () => {
  it('fails on the placeholder "unspecified" that pipecd/pkg/version prints', async () => {
    const run = await runCli([GO_STAGE_PLUGIN, '--only', 'RELEASE-001', '--release']);
    expect(run.exitCode, run.output).toBe(1);
    expect(outcomeOf(run, 'RELEASE-001').messages[0]).toContain('printed the placeholder version "unspecified"');
  });
});

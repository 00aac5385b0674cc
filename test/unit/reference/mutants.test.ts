// Every fault of the reference plugin has exactly one mutant config, and the config says which rule it breaks.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FAULTS, type FaultInfo } from '../../../fixtures/plugins/reference/faults.js';
import { packageRoot } from '../../../src/protocol/load.js';

const mutantsDir = path.join(packageRoot(), 'fixtures', 'plugins', 'mutants');
const referenceConfig = path.join(packageRoot(), 'fixtures', 'plugins', 'reference', 'config.yaml');

describe('reference plugin mutants', () => {
  it('has one mutant file per fault and no others', () => {
    const files = readdirSync(mutantsDir).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));
    expect(files.sort()).toEqual(Object.keys(FAULTS).sort());
  });

  for (const [fault, info] of Object.entries(FAULTS) as [string, FaultInfo][]) {
    it(`${fault}: names its rule and switches on only that fault (in the mode its fault info names)`, () => {
      const text = readFileSync(path.join(mutantsDir, `${fault}.yaml`), 'utf8');
      expect(text.split('\n')[0]).toBe(`# breaks: ${info.rule} — ${info.description}`);
      const settings = info.mutantSettings ?? {};
      const deployTargets = settings.kind === 'stage' ? [] : [{ name: 'local', config: null }];
      expect(parse(text)).toEqual({ name: 'reference-plugin', config: { ...settings, faults: [fault] }, deployTargets });
    });
  }

  it('the reference config switches on no fault', () => {
    const config = parse(readFileSync(referenceConfig, 'utf8'));
    expect(config.name).toBe('reference-plugin');
    expect(config.config?.faults ?? []).toEqual([]);
    expect(config.deployTargets).toEqual([{ name: 'local', config: null }]);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { clearCapabilities, readCapabilities, writeCapabilities } from '../../../src/report/capabilities-file.js';
import { capabilitiesOf, describeCapabilities, pluginKind, servesOptional } from '../../../src/contract/capabilities.js';
import { failed, ok, stage } from '../checks/fixtures.js';

const unimplemented = () => failed(12, 'UNIMPLEMENTED', 'unknown service');

describe('capabilities', () => {
  it('an empty quick-sync plan makes a stage plugin, a non-empty one a deployment plugin', () => {
    expect(pluginKind({ quickSync: ok({ stages: [] }), strategy: ok({ unsupported: true }) })).toBe('stage');
    expect(pluginKind({ quickSync: ok({ stages: [stage()] }), strategy: ok({ sync_strategy: 'PIPELINE' }) })).toBe('deployment');
  });

  it('quick sync decides even when the strategy answer disagrees (a stage plugin that picks a strategy stays one)', () => {
    expect(pluginKind({ quickSync: ok({}), strategy: ok({ sync_strategy: 'PIPELINE', unsupported: false }) })).toBe('stage');
  });

  it('a refused quick sync falls back to DetermineStrategy, then to the stricter deployment-plugin rules', () => {
    expect(pluginKind({ quickSync: failed(13, 'INTERNAL'), strategy: ok({ unsupported: true }) })).toBe('stage');
    expect(pluginKind({ quickSync: failed(13, 'INTERNAL'), strategy: ok({ sync_strategy: 'QUICK_SYNC' }) })).toBe('deployment');
    expect(pluginKind({ quickSync: failed(13, 'INTERNAL'), strategy: failed(13, 'INTERNAL') })).toBe('deployment');
  });

  it('an optional service is served unless it answers UNIMPLEMENTED', () => {
    expect(servesOptional(ok({}))).toBe(true);
    expect(servesOptional(failed(13, 'INTERNAL', 'not supported'))).toBe(true);
    expect(servesOptional(unimplemented())).toBe(false);
  });

  it('combines the probes and describes the result', () => {
    const found = capabilitiesOf({ quickSync: ok({ stages: [] }), strategy: ok({ unsupported: true }), livestate: unimplemented(), planPreview: unimplemented() });
    expect(found).toEqual({ kind: 'stage', livestate: false, planPreview: false });
    expect(describeCapabilities(found)).toBe('stage plugin; LivestateService: no (UNIMPLEMENTED); PlanPreviewService: no (UNIMPLEMENTED)');
  });
});

describe('capabilities file', () => {
  it('round-trips through the reports folder, and reads null when absent or cleared', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pc-capabilities-'));
    try {
      expect(readCapabilities(dir)).toBeNull();
      writeCapabilities(dir, { kind: 'deployment', livestate: true, planPreview: false });
      expect(readCapabilities(dir)).toEqual({ kind: 'deployment', livestate: true, planPreview: false });
      clearCapabilities(dir);
      expect(readCapabilities(dir)).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// End to end: --tool through the CLI, the run spec and the suites' fake pipeds to the reference plugin, which installs
// its helper tool through InstallTool at start-up and runs it. The reference's own install script needs no network,
// so "succeeds offline only with --tool" is shown in test/unit/session/tool-seeds.test.ts; here the point is that the
// seeded file reaches a real plugin, in the shared session and in a suite's own launch alike.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REFERENCE, runCli } from './support.js';

describe('--tool with the reference plugin', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pc-e2e-tool-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('every plugin launch gets the seeded reference-helper: the plugin runs the user file, not the script result', async () => {
    const marker = path.join(dir, 'runs');
    const helper = path.join(dir, 'helper');
    writeFileSync(helper, `#!/bin/sh\necho ran >> ${marker}\necho reference-helper 1.0.0 seeded\n`, { mode: 0o755 });
    // PROC-001 uses the shared session; PROC-002 launches a copy of the plugin against a fake piped of its own.
    const run = await runCli([REFERENCE, '--only', 'PROC-001,PROC-002', '--tool', `reference-helper@1.0.0=${helper}`], 60_000);
    expect(run.exitCode, run.output).toBe(0);
    expect(run.lastLine).toMatch(/^2 passed, 0 failed/);
    expect(readFileSync(marker, 'utf8')).toBe('ran\nran\n');
  }, 90_000);

  it('a --tool PATH that is not executable ends the CLI with exit code 2 and says what to do', async () => {
    const file = path.join(dir, 'not-executable');
    writeFileSync(file, '#!/bin/sh\n', { mode: 0o644 });
    const run = await runCli([REFERENCE, '--tool', `helm@3.14.0=${file}`], 30_000);
    expect(run.exitCode).toBe(2);
    expect(run.output).toContain(`plugin-conformance: --tool "helm@3.14.0=${file}": ${file} is not executable; make it executable (chmod +x ${file})`);
  }, 60_000);
});

// End to end: the CLI against the Go fixture plugins built on the real piped-plugin-sdk-go v0.4.0
// (fixtures/plugins/go; .ci/run builds them with build.sh). They prove the harness speaks to real SDK plugins:
// no false failures. A rule an SDK plugin truly breaks is not hidden: it goes in FINDINGS with its evidence, and the
// test then demands exactly that failure (a finding that starts passing fails the test, so the list stays true).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, type ExpectStatic } from 'vitest';
import { parse, stringify } from 'yaml';
import { inCI, warnSkipped } from '../support/ci.js';
import { failedRules, ROOT, runCli, type CliRun } from './support.js';

const GO_DIR = path.join(ROOT, 'fixtures', 'plugins', 'go');
const CONFIG_STAGE_DIR = path.join(GO_DIR, 'config-stage');

interface GoPlugin {
  name: string;
  /** What the CLI is pointed at: by default the binary in fixtures/plugins/go/bin. */
  target?: string;
  /** The committed `--config`, or a per-run copy of it made in `tmp`. */
  config(tmp: string): string;
  /** What the run must have done to the outside world, beyond the harness's own verdict. */
  effects?(tmp: string, expect: ExpectStatic): void;
}

/** A rule a Go plugin fails because of how piped-plugin-sdk-go v0.4.0 behaves, not because of the harness. */
interface Finding {
  rule: string;
  evidence: string;
}

const SDK = 'piped-plugin-sdk-go@v0.4.0';

/** True SDK findings per plugin (see the header), each with its evidence. */
const FINDINGS: Record<string, Finding[]> = {
  'stage-plugin': [],
  'config-stage-plugin': [],
  'dir-plugin': [
    {
      rule: 'CONF-004',
      evidence: `${SDK} plugin.go:329-341 builds the deploy-target map without checking that it is non-empty, so a deployment ` +
        'plugin launched without deployTargets starts and serves; the SDK at the catalogue commit refuses (sdk/plugin.go:343-348).',
    },
    {
      rule: 'LIVE-006',
      evidence: `${SDK} livestate.go:57-62 accepts empty deploy_targets and wraps every plugin error as INTERNAL (livestate.go:90), ` +
        'so no v0.4.0 plugin can answer INVALID_ARGUMENT; the dir plugin answers INTERNAL "no deploy target in the request".',
    },
    {
      rule: 'PREV-006',
      evidence: `${SDK} planpreview.go:53-58 accepts empty deploy_targets and wraps every plugin error as INTERNAL ` +
        '(planpreview.go:96); the dir plugin answers INTERNAL "no deploy target in the request".',
    },
  ],
};

/** SDK plugins are slow to run: every ExecuteStage answer waits for the SDK's 5 s log flush tick. */
const RUN_TIMEOUT_MS = 600_000;

const PLUGINS: GoPlugin[] = [
  { name: 'stage-plugin', config: () => path.join(GO_DIR, 'stage-plugin.yaml') },
  // Stages that refuse incomplete configs; the folder target's examples/ app gives their with: blocks.
  { name: 'config-stage-plugin', target: CONFIG_STAGE_DIR, config: () => path.join(CONFIG_STAGE_DIR, 'config-stage-plugin.yaml') },
  {
    name: 'dir-plugin',
    // The deploy target must be an absolute path, and each run gets its own: the committed config's target dir is
    // swapped for one inside this run's temporary folder, not yet created, so the plugin's sync stage creates it.
    config: (tmp) => {
      const entry = parse(readFileSync(path.join(GO_DIR, 'dir-plugin.yaml'), 'utf8'));
      entry.deployTargets[0].config.dir = targetDir(tmp);
      const file = path.join(tmp, 'dir-plugin.yaml');
      writeFileSync(file, stringify(entry));
      return file;
    },
    effects: (tmp, expect) => expect(existsSync(targetDir(tmp)), 'DIRDEPLOY_SYNC never ran against the deploy target').toBe(true),
  },
];

function targetDir(tmp: string): string {
  return path.join(tmp, 'deploy-target-local');
}

function binary(plugin: GoPlugin): string {
  return plugin.target ? path.join(plugin.target, 'bin', plugin.name) : path.join(GO_DIR, 'bin', plugin.name);
}

const missing = PLUGINS.filter((p) => !existsSync(binary(p))).map((p) => path.relative(ROOT, binary(p)));
const skip = missing.length > 0 && !inCI();
if (skip) warnSkipped('the Go SDK plugin end-to-end tests', `${missing.join(', ')} not built`, 'install Go 1.26+, then bash fixtures/plugins/go/build.sh');

function summary(run: CliRun): string {
  const c = run.results?.counts ?? {};
  return `${c.passed} passed, ${c.failed} failed, ${c.unsupported} unsupported, ${c.skipped} skipped in ${(run.elapsedMs / 1000).toFixed(1)} s`;
}

describe.skipIf(skip).concurrent('Go SDK plugins (piped-plugin-sdk-go v0.4.0)', () => {
  const cases = PLUGINS.map((p) => [p.name, p] as const);
  it.for(cases)('%s conforms: no failed rule beyond its documented findings', { timeout: RUN_TIMEOUT_MS + 60_000 }, async ([name, plugin], { expect }) => {
    expect(existsSync(binary(plugin)), `${binary(plugin)} is missing: CI must build it with bash fixtures/plugins/go/build.sh`).toBe(true);
    const tmp = mkdtempSync(path.join(os.tmpdir(), `pc-e2e-${name}-`));
    try {
      // Generated cases cost an SDK plugin 5 s per executed stage (its log flush): a shorter budget per property keeps
      // the run to a few minutes; the reference plugin gets the full default budget in the other e2e tests.
      const run = await runCli([plugin.target ?? binary(plugin), '--config', plugin.config(tmp), '--property-time', '10'], RUN_TIMEOUT_MS);
      console.log(`${name}: ${summary(run)}`);
      const findings = FINDINGS[name].map((f) => f.rule);
      expect(run.results, run.output).toBeDefined();
      const failedMust = run.results.outcomes.filter((o: any) => o.state === 'failed' && o.level === 'MUST').map((o: any) => o.name);
      expect(failedMust, run.output).toEqual([]);
      expect(failedRules(run).sort(), run.output).toEqual([...findings].sort());
      // Only MUST failures gate the exit code (SHOULD findings are reported, --strict would count them).
      expect(run.exitCode, run.output).toBe(0);
      const unexpected = run.results.outcomes.filter((o: any) => o.state !== 'passed' && o.state !== 'unsupported' && !findings.includes(o.ruleId));
      expect(unexpected.map((o: any) => `${o.state}: ${o.name}`), run.output).toEqual([]);
      expect(run.results.counts.passed).toBeGreaterThan(0);
      plugin.effects?.(tmp, expect);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe.skipIf(skip)('a Go SDK plugin that needs configuration, without examples', () => {
  it('config-stage-plugin run as a bare binary (no example app): exit 2, nothing failed, the rules it could not drive are not exercised with the stage\'s own message', { timeout: RUN_TIMEOUT_MS }, async ({ expect }) => {
    const bare = path.join(CONFIG_STAGE_DIR, 'bin', 'config-stage-plugin');
    const run = await runCli([bare, '--config', path.join(CONFIG_STAGE_DIR, 'config-stage-plugin.yaml'), '--property-time', '10'], RUN_TIMEOUT_MS);
    expect(run.results, run.output).toBeDefined();
    expect(run.exitCode, run.output).toBe(2);
    expect(failedRules(run), run.output).toEqual([]);
    const notExercised = run.results.outcomes.filter((o: any) => o.state === 'not-exercised');
    const ids = notExercised.map((o: any) => o.ruleId);
    for (const rule of ['PLAN-010', 'EXEC-001', 'EXEC-015', 'EXEC-016', 'SVC-013', 'SVC-014']) expect(ids, run.output).toContain(rule);
    for (const o of notExercised) {
      expect(o.messages[0]).toContain('approvers must be set');
      expect(o.messages[0]).toContain('conformance.stages.CONFREQ_APPROVAL');
    }
    expect(run.results.verdict.release).toBe(false);
    expect(run.output).toMatch(/not exercised/);
  });
});

// PROC: how the plugin starts (piped's exact argv, plaintext, readiness) and how it refuses bad configs.
import { describe, it } from 'vitest';
import { checkReadyInTime, checkRejectsBadConfig, checkServesPlaintext, checkStartsWithPipedArgv } from '../src/contract/checks/index.js';
import { launchWithRawConfig } from './support/process.js';
import { expectNoViolations, runSpec, useSession } from './support/shared.js';

describe('PROC process contract: start-up', () => {
  it('PROC-001 starts serving when launched with exactly `start --piped-plugin-service <addr> --config <json>`', async (ctx) => {
    const session = await useSession(ctx);
    expectNoViolations(checkStartsWithPipedArgv(session.plugin.argv, session.readiness));
  });

  it('PROC-005 serves plaintext gRPC, as piped dials with insecure credentials', async (ctx) => {
    const session = await useSession(ctx);
    expectNoViolations(checkServesPlaintext(session.readiness));
  });

  it('PROC-006 becomes ready (FetchDefinedStages OK) without any prior RPC, within the ready timeout', async (ctx) => {
    const session = await useSession(ctx);
    expectNoViolations(checkReadyInTime(session.readiness));
  });
});

/** `--config` variants piped's own validation would refuse (CATALOGUE §1.3), as functions of the port. */
const BAD_CONFIGS: [string, (port: number) => string][] = [
  ['--config that is not JSON', () => '{"name": "broken", '],
  ['an empty name', (port) => JSON.stringify({ ...validConfig(port), name: '' })],
  ['an empty url', (port) => JSON.stringify({ ...validConfig(port), url: '' })],
  ['a url scheme other than file/https/oci', (port) => JSON.stringify({ ...validConfig(port), url: 'ftp://example.invalid/plugin' })],
];

function validConfig(port: number): Record<string, unknown> {
  const spec = runSpec();
  return { name: spec.pluginName, url: `file://${spec.executable}`, port, config: spec.pluginConfig ?? {}, deployTargets: spec.deployTargets };
}

describe('PROC process contract: bad --config', () => {
  it.each(BAD_CONFIGS)('PROC-008 exits non-zero without serving when given %s', async (variant, configText) => {
    expectNoViolations(checkRejectsBadConfig(await launchWithRawConfig(variant, configText)));
  });
});

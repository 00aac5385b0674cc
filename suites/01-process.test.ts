// PROC: how the plugin starts (piped's exact argv, plaintext, readiness, surroundings), how it refuses bad configs,
// and how its own extra processes stop. Extra processes run concurrently: each is independent, and waiting for them
// one after another would cost a second or more each.
import { describe, it, type TestContext } from 'vitest';
import {
  checkCancelsInFlightOnSigterm, checkExitsZeroAfterSignal, checkInterruptedLogLeftOpen, checkReachableAsLocalhost, checkReadyDespiteSlowStartupCallbacks,
  checkReadyInTime, checkRejectsBadConfig, checkRejectsMissingFlag, checkRunsAsInstalledCopy, checkServesPlaintext, checkStartsInBareEnvironment,
  checkStartsWithPipedArgv, checkStartupCallbacksValid, checkWaitsForPluginService, loopbackSummary,
} from '../src/contract/checks/index.js';
import type { Session } from '../src/session.js';
import {
  interruptWaitingStage, launchAsInstalledCopy, launchInBareEnvironment, launchUntilReady, launchWithRawConfig, probeLoopbacks, stopWithEachSignal,
  type ArgvOf, type Interrupted,
} from './support/process.js';
import { expectNoViolations, NOT_AN_EXECUTABLE_NOTE, requireOwnProcess, runSpec, unsupported, useSession } from './support/shared.js';

describe('PROC process contract: start-up', () => {
  it('PROC-001 starts serving when launched with exactly `start --piped-plugin-service <addr> --config <json>`', async (ctx) => {
    requireOwnProcess(ctx);
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

  it('PROC-004 answers on config.port at the address `localhost` resolves to first (127.0.0.1 and ::1 both tried)', async (ctx) => {
    requireOwnProcess(ctx);
    const session = await useSession(ctx);
    const facts = await probeLoopbacks(session.plugin.port);
    await ctx.annotate(loopbackSummary(facts));
    expectNoViolations(checkReachableAsLocalhost(facts));
  });

  it('PROC-019 PluginService calls made during start-up are valid requests', async (ctx) => {
    const session = await useSession(ctx);
    expectNoViolations(checkStartupCallbacksValid(session.host.journal(), session.readiness.readyAt ?? 0));
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
  return { name: spec.pluginName, url: spec.url, port, config: spec.pluginConfig ?? {}, deployTargets: spec.deployTargets };
}

describe.concurrent('PROC process contract: bad --config', () => {
  it.for(BAD_CONFIGS)('PROC-008 exits non-zero without serving when given %s', async ([variant, configText], ctx) => {
    requireOwnProcess(ctx);
    expectNoViolations(checkRejectsBadConfig(await launchWithRawConfig(variant, configText)));
  });
});

/** Callbacks the shared plugin made before it was ready: what a slow PluginService would hold up. */
function startupCallbacks(session: Session) {
  return session.host.journal().filter((e) => e.time < (session.readiness.readyAt ?? 0));
}

/** The run's plugin executable, or unsupported (a container image or a plugin the user started has none to launch). */
function executableOrUnsupported(ctx: TestContext): string {
  requireOwnProcess(ctx);
  const executable = runSpec().executable;
  if (!executable) unsupported(ctx, NOT_AN_EXECUTABLE_NOTE);
  return executable;
}

/** Late PluginService (PROC-007) and slow start-up callbacks (PROC-019): the delays the rules themselves define. */
const HOST_DELAY_MS = 3_000;
const STARTUP_CALLBACK_DELAY_MS = 2_000;

/** One SIGTERM-mid-stage scenario serves PROC-012 and PROC-013. */
let interrupted: Promise<Interrupted> | undefined;
async function interruptedStage(ctx: TestContext) {
  requireOwnProcess(ctx);
  const session = await useSession(ctx);
  interrupted ??= interruptWaitingStage(session);
  const result = await interrupted;
  if ('unsupported' in result) unsupported(ctx, result.unsupported);
  return result.facts;
}

/** argv without one required flag, otherwise piped's. */
const MISSING_FLAGS: [string, ArgvOf][] = [
  ['without --config', (host) => ['start', '--piped-plugin-service', host]],
  ['without --piped-plugin-service', (_host, config) => ['start', '--config', config]],
];

// The slowest launches come first, so they overlap the most with the others.
describe.concurrent('PROC process contract: extra launches and stops', () => {
  it('PROC-007 waits for a PluginService that comes up only 3 s after its first connection attempt, then becomes ready', async (ctx) => {
    requireOwnProcess(ctx);
    const facts = await launchUntilReady({ variant: 'a late PluginService', hostDelayMs: HOST_DELAY_MS });
    expectNoViolations(checkWaitsForPluginService({ ...facts, hostDelayMs: HOST_DELAY_MS }));
  });

  it('PROC-019 becomes ready when start-up callbacks are answered only after 2 s', async (ctx) => {
    requireOwnProcess(ctx);
    const made = startupCallbacks(await useSession(ctx));
    if (!made.length) unsupported(ctx, 'the plugin makes no PluginService call during start-up');
    const facts = await launchUntilReady({
      variant: `start-up callbacks (${[...new Set(made.map((e) => e.rpc))].join(', ')}) answered after ${STARTUP_CALLBACK_DELAY_MS} ms`,
      hostFaults: [{ rpc: '*', kind: 'latency', delayMs: STARTUP_CALLBACK_DELAY_MS }],
    });
    expectNoViolations(checkReadyDespiteSlowStartupCallbacks({ ...facts, delayMs: STARTUP_CALLBACK_DELAY_MS }));
  });

  it('PROC-012 on SIGTERM, an ExecuteStage waiting for approval ends well before the grace period', async (ctx) => {
    expectNoViolations(checkCancelsInFlightOnSigterm(await interruptedStage(ctx)));
  });

  it('PROC-013 a stage interrupted by SIGTERM is not reported completed=true', async (ctx) => {
    expectNoViolations(checkInterruptedLogLeftOpen(await interruptedStage(ctx)));
  });

  it('PROC-011 exits with code 0 after a graceful SIGTERM, and after SIGINT', async (ctx) => {
    requireOwnProcess(ctx);
    expectNoViolations(checkExitsZeroAfterSignal(await stopWithEachSignal()));
  });

  it('PROC-002 becomes ready with only PATH and HOME set, an empty working directory and stdin /dev/null', async (ctx) => {
    executableOrUnsupported(ctx);
    expectNoViolations(checkStartsInBareEnvironment(await launchInBareEnvironment()));
  });

  it('PROC-003 becomes ready as a copy at <pluginsDir>/<name> (mode 0755) with no sibling files', async (ctx) => {
    expectNoViolations(checkRunsAsInstalledCopy(await launchAsInstalledCopy(executableOrUnsupported(ctx))));
  });

  it.for(MISSING_FLAGS)('PROC-009 exits non-zero without serving when launched %s', async ([variant, argv], ctx) => {
    requireOwnProcess(ctx);
    const config = (port: number) => JSON.stringify(validConfig(port));
    expectNoViolations(checkRejectsMissingFlag(await launchWithRawConfig(variant, config, 10_000, argv)));
  });
});

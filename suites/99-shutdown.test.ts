// Last suite: the shared plugin must have stayed up all run, then stop within piped's grace period on SIGTERM.
import { describe, it } from 'vitest';
import { checkNoUnexpectedExit, checkStopsWithinGrace } from '../src/contract/checks/index.js';
import { executions } from './support/facts.js';
import { expectNoViolations, requireOwnProcess, runSpec, useSession } from './support/shared.js';

/** How long the idle plugin is watched for a late exit at the end of the run. */
const EXIT_WATCH_MS = 1_000;

describe('PROC process contract: lifetime and shutdown', () => {
  it('PROC-014 never exits on its own while piped uses it (piped does not restart plugins)', async (ctx) => {
    requireOwnProcess(ctx);
    const session = await useSession(ctx);
    // Use the plugin as piped would (memoized: free after the other suites), so the rule holds on its own too.
    await executions(session).catch(() => undefined);
    // A crash can trail the answer that caused it; watch the idle process for a moment before judging.
    await Promise.race([session.plugin.exited, new Promise((resolve) => setTimeout(resolve, EXIT_WATCH_MS))]);
    expectNoViolations(checkNoUnexpectedExit(session.plugin.exitInfo(), session.plugin.recentOutput()));
  });

  it('PROC-010 exits within the grace period after SIGTERM', async (ctx) => {
    requireOwnProcess(ctx);
    const session = await useSession(ctx);
    if (session.plugin.exitInfo()) ctx.skip('not run: the plugin had already exited (see PROC-014)');
    const graceMs = runSpec().graceMs;
    expectNoViolations(checkStopsWithinGrace(await session.stop(graceMs), graceMs));
  });
});

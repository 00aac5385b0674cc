// Near the end of the run, when every suite has made its calls: were any messages over gRPC's 4 MiB default limit,
// which piped keeps for plugin answers and for PluginService requests alike?
import { describe, it } from 'vitest';
import { checkMessageSizes } from '../src/contract/checks/index.js';
import { executions, planFacts } from './support/facts.js';
import { expectNoViolations, useSession } from './support/shared.js';

describe('PROC process contract: message sizes', () => {
  it('PROC-018 every answer the harness got and every PluginService request is at most 4 MiB', async (ctx) => {
    const session = await useSession(ctx);
    // Run on its own (--only PROC-018), this still has the planning and execution traffic to judge.
    await planFacts(session);
    await executions(session);
    expectNoViolations(checkMessageSizes(session.host.journal(), session.callLog()));
  });
});

// PLAN-019: the initial stage metadata a plan carries is what piped seeds its metadata store with, so the stage can
// read it back during ExecuteStage. Judged over the scheduled executions of the plugin's own plans.
import { describe, it } from 'vitest';
import { checkSeededMetadataReadable } from '../src/contract/checks/index.js';
import { executions, missingStage, planFacts } from './support/facts.js';
import { expectNoViolations, useSession } from './support/shared.js';

describe('PLAN planned stage metadata', () => {
  it('PLAN-019 metadata seeded by planning is readable in ExecuteStage', async (ctx) => {
    const session = await useSession(ctx);
    const runs = await executions(session);
    const planned = runs.map((r) => r.request.input.stage);
    if (!planned.some((s) => Object.keys(s.metadata ?? {}).length)) missingStage(ctx, await planFacts(session), 'the plugin plans no stage with initial metadata');
    expectNoViolations(checkSeededMetadataReadable(planned, runs.flatMap((r) => r.outcome.callbacks)));
  });
});

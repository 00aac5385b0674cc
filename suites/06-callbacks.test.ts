// SVC: every PluginService call the plugin made during the run so far, judged as piped and the control plane would.
import { describe, it } from 'vitest';
import { checkCallbackRequestsValid, checkLogBlocks, checkLogIndexes, checkNothingAfterCompleted } from '../src/contract/checks/index.js';
import type { Session } from '../src/session.js';
import { executions } from './support/facts.js';
import { expectNoViolations, useSession } from './support/shared.js';

/** The whole journal, after the scheduled executions have run (so there are callbacks to judge). */
async function journal(session: Session) {
  await executions(session);
  return [...session.host.journal()];
}

describe('SVC callbacks to piped', () => {
  it('SVC-002 every PluginService request satisfies its validate rules', async (ctx) => {
    expectNoViolations(checkCallbackRequestsValid(await journal(await useSession(ctx))));
  });

  it('SVC-003 log blocks: non-empty text, severity INFO/SUCCESS/ERROR, created_at in Unix seconds', async (ctx) => {
    expectNoViolations(checkLogBlocks(await journal(await useSession(ctx)), Math.floor(Date.now() / 1000)));
  });

  it('SVC-004 log block indexes are unique and increasing per stage, across both log RPCs', async (ctx) => {
    expectNoViolations(checkLogIndexes(await journal(await useSession(ctx))));
  });

  it('SVC-005 nothing is logged for a stage after its completed=true checkpoint', async (ctx) => {
    expectNoViolations(checkNothingAfterCompleted(await journal(await useSession(ctx))));
  });
});

// API: the services every plugin must answer, and the answer for optional services it does not implement.
import { describe, it } from 'vitest';
import { checkFetchDefinedStagesAnswered, checkOptionalServiceAnswer } from '../src/contract/checks/index.js';
import * as req from '../src/generate/requests.js';
import { deployTargetsFor, planFacts } from './support/facts.js';
import { caseIdOf, expectNoViolations, useSession } from './support/shared.js';

describe('API general RPC behaviour', () => {
  it('API-001 serves DeploymentService and answers FetchDefinedStages OK', async (ctx) => {
    const facts = await planFacts(await useSession(ctx));
    expectNoViolations(checkFetchDefinedStagesAnswered(facts.defined));
  });

  it('API-002 LivestateService.GetLivestate answers OK or UNIMPLEMENTED', async (ctx) => {
    const session = await useSession(ctx);
    const facts = await planFacts(session);
    const request = req.livestateRequest(req.freshIds(), facts.app, deployTargetsFor(session, 'deployment') ?? []);
    const outcome = await session.call('livestate', 'GetLivestate', request, { caseId: caseIdOf(ctx) });
    expectNoViolations(checkOptionalServiceAnswer('LivestateService', outcome));
  });

  it('API-002 PlanPreviewService.GetPlanPreview answers OK or UNIMPLEMENTED', async (ctx) => {
    const session = await useSession(ctx);
    const facts = await planFacts(session);
    const request = req.planPreviewRequest(req.freshIds(), facts.app, deployTargetsFor(session, 'deployment') ?? [], true);
    const outcome = await session.call('planPreview', 'GetPlanPreview', request, { caseId: caseIdOf(ctx), deadlineMs: 60_000 });
    expectNoViolations(checkOptionalServiceAnswer('PlanPreviewService', outcome));
  });
});

// API: the services every plugin must answer, how it declines optional ones and invalid requests, and that no
// request piped could send (unusual ones included, and none carries metadata) gets the plugin stuck or killed.
import { describe, it } from 'vitest';
import {
  checkFetchDefinedStagesAnswered, checkNoMetadataNeeded, checkOptionalServiceAnswer, checkRejectsInvalidRequest, checkSurvivesUnusualInput,
  checkUnparseableConfigRefused, type LabelledOutcome,
} from '../src/contract/checks/index.js';
import * as req from '../src/generate/requests.js';
import type { CallOutcome } from '../src/session-types.js';
import type { Session } from '../src/session.js';
import {
  executeStageAlone, inputWithAppConfig, invalidRequests, PLANNING_BUDGET_MS, simpleForwardStage, someStageName, UNICODE_TEXT, UNPARSEABLE_APP_CONFIGS,
  validPlanInput,
} from './support/calls.js';
import { capabilities, deployTargetsFor, planFacts, planningCall } from './support/facts.js';
import { caseIdOf, expectNoViolations, useSession } from './support/shared.js';

describe('API general RPC behaviour', () => {
  it('API-001 serves DeploymentService and answers FetchDefinedStages OK', async (ctx) => {
    const facts = await planFacts(await useSession(ctx));
    expectNoViolations(checkFetchDefinedStagesAnswered(facts.defined));
  });

  it('API-002 LivestateService.GetLivestate answers OK or UNIMPLEMENTED', async (ctx) => {
    const { livestate } = await capabilities(await useSession(ctx));
    expectNoViolations(checkOptionalServiceAnswer('LivestateService', livestate));
  });

  it('API-002 PlanPreviewService.GetPlanPreview answers OK or UNIMPLEMENTED', async (ctx) => {
    const { planPreview } = await capabilities(await useSession(ctx));
    expectNoViolations(checkOptionalServiceAnswer('PlanPreviewService', planPreview));
  });

  it('API-003 refuses requests that break the validate rules with INVALID_ARGUMENT', async (ctx) => {
    const session = await useSession(ctx);
    const facts = await planFacts(session);
    const violations = [];
    for (const { label, method, request } of invalidRequests(session, facts)) {
      const outcome = await session.call('deployment', method, request, { caseId: caseIdOf(ctx), budgetMs: PLANNING_BUDGET_MS });
      violations.push(...checkRejectsInvalidRequest(label, outcome));
    }
    expectNoViolations(violations);
  });

  it('API-004 an application config the plugin cannot parse gives a non-OK status, not a made-up answer', async (ctx) => {
    const session = await useSession(ctx);
    const facts = await planFacts(session);
    const violations = [];
    for (const method of ['DetermineVersions', 'DetermineStrategy'] as const) {
      for (const [label, text] of UNPARSEABLE_APP_CONFIGS) {
        const outcome = await planningCall(session, method, inputWithAppConfig(session, facts, text), { caseId: caseIdOf(ctx), budgetMs: PLANNING_BUDGET_MS });
        violations.push(...checkUnparseableConfigRefused(facts.kind, method, label, outcome));
      }
    }
    expectNoViolations(violations);
  });

  it('API-006 calls sent with no gRPC metadata, as piped sends them, are never refused for credentials', async (ctx) => {
    const session = await useSession(ctx);
    const facts = await planFacts(session);
    const { livestate, planPreview } = await capabilities(session);
    const calls: LabelledOutcome[] = [
      { label: 'FetchDefinedStages', outcome: facts.defined },
      { label: 'DetermineVersions', outcome: await planningCall(session, 'DetermineVersions', validPlanInput(session, facts, true), { caseId: caseIdOf(ctx) }) },
      { label: 'DetermineStrategy', outcome: facts.strategy },
      { label: 'BuildQuickSyncStages', outcome: facts.quickSync.rollback },
      { label: 'BuildPipelineSyncStages', outcome: facts.pipeline.rollback.outcome },
      { label: 'GetLivestate', outcome: livestate },
      { label: 'GetPlanPreview', outcome: planPreview },
    ];
    expectNoViolations(calls.flatMap((c) => checkNoMetadataNeeded(c.label, c.outcome)));
  });

  it('API-007 valid but unusual requests each get an answer, and the plugin stays up', async (ctx) => {
    const session = await useSession(ctx);
    const calls = await unusualCalls(session, caseIdOf(ctx));
    expectNoViolations(checkSurvivesUnusualInput(calls, session.plugin.exitInfo()));
  });
});

/** Requests piped could send that plugins rarely see: empty lists, a first deployment, no stage config, unicode text. */
async function unusualCalls(session: Session, caseId: string): Promise<LabelledOutcome[]> {
  const facts = await planFacts(session);
  const budget = { caseId, budgetMs: PLANNING_BUDGET_MS };
  const calls: LabelledOutcome[] = [];
  const record = async (label: string, call: Promise<CallOutcome>) => calls.push({ label, outcome: await call });
  for (const rollback of [true, false]) {
    await record(`BuildPipelineSyncStages with no stages, rollback=${rollback}`, session.call('deployment', 'BuildPipelineSyncStages', { stages: [], rollback }, budget));
  }
  await record('BuildQuickSyncStages with an empty request', session.call('deployment', 'BuildQuickSyncStages', {}, budget));
  await record('DetermineVersions without a running source', planningCall(session, 'DetermineVersions', validPlanInput(session, facts, false), budget));
  await record('DetermineStrategy without a running source', planningCall(session, 'DetermineStrategy', validPlanInput(session, facts, false), budget));
  const unicodeApp = { ...facts.app, appName: `app ${UNICODE_TEXT}` };
  await record('DetermineStrategy for an application with a unicode name', planningCall(session, 'DetermineStrategy', validPlanInput(session, facts, true, unicodeApp), budget));
  const unicodeStages = facts.pipelineStages.map((s) => ({ ...s, desc: `${s.name} ${UNICODE_TEXT}` }));
  await record('BuildPipelineSyncStages with unicode stage descriptions', session.call('deployment', 'BuildPipelineSyncStages', req.pipelineRequest(unicodeStages, true), budget));
  const targets = deployTargetsFor(session, facts.kind);
  const stage = simpleForwardStage(facts);
  if (stage) {
    const run = executeStageAlone(session, caseId, stage, { deployTargets: targets, withRunning: true });
    await record(`ExecuteStage of ${stage.name} with an empty stage_config`, run.then((r) => r.outcome));
  }
  const unicodeStage = { ...req.plainStage(`${someStageName(facts)}_ÜNÏCÖDE_🚀`, 0), desc: UNICODE_TEXT };
  await record('ExecuteStage of a stage with a unicode name it does not define', executeStageAlone(session, caseId, unicodeStage, { deployTargets: targets, withRunning: true }).then((r) => r.outcome));
  return calls;
}

// PLAN-00x: DetermineVersions and DetermineStrategy — answers piped can use, with or without a running source,
// surviving the plan-preview input, deterministic, and free of stage-scoped callbacks.
import { describe, it } from 'vitest';
import {
  checkArtifactVersionKinds, checkNoStageScopedCallbacks, checkSameAnswer, checkStrategySummary, checkSurvivesPartialDeployment,
  checkVersionsAnswered, checkVersionsWithoutRunningSource,
} from '../src/contract/checks/index.js';
import type { CallOutcome } from '../src/session-types.js';
import type { Session } from '../src/session.js';
import { PLANNING_BUDGET_MS, planPreviewStrategyInput, validPlanInput } from './support/calls.js';
import { planFacts, planningCall } from './support/facts.js';
import { caseIdOf, expectNoViolations, notRun, unsupported, useSession } from './support/shared.js';

/** How long the plan-preview DetermineStrategy may take: piped's plan-preview deadline is minutes, a hang is forever. */
const PARTIAL_INPUT_BUDGET_MS = 10_000;
/** Calls per determinism check. */
const REPEATS = 3;

const versionsCache = new WeakMap<Session, Promise<CallOutcome>>();

/** DetermineVersions with a valid input and a running source, once per run. */
function versions(session: Session): Promise<CallOutcome> {
  let outcome = versionsCache.get(session);
  if (!outcome) {
    outcome = planFacts(session).then((facts) => planningCall(session, 'DetermineVersions', validPlanInput(session, facts, true), { caseId: 'facts: DetermineVersions' }));
    versionsCache.set(session, outcome);
  }
  return outcome;
}

describe('PLAN DetermineVersions', () => {
  it('PLAN-001 DetermineVersions answers a valid request OK (a stage plugin with no versions)', async (ctx) => {
    const session = await useSession(ctx);
    const facts = await planFacts(session);
    expectNoViolations(checkVersionsAnswered(facts.kind, await versions(session)));
  });

  it('PLAN-002 every ArtifactVersion.kind is a defined enum value', async (ctx) => {
    const session = await useSession(ctx);
    const facts = await planFacts(session);
    if (facts.kind === 'stage') unsupported(ctx, 'a stage plugin reports no versions');
    const outcome = await versions(session);
    if (!outcome.ok) notRun(ctx, 'DetermineVersions refused a valid request (see PLAN-001)');
    const found: any[] = outcome.response.versions ?? [];
    if (!found.length) unsupported(ctx, 'the plugin reported no versions');
    expectNoViolations(checkArtifactVersionKinds(found));
  });

  it('PLAN-003 DetermineVersions answers OK without running_deployment_source (first deployment)', async (ctx) => {
    const session = await useSession(ctx);
    const facts = await planFacts(session);
    const outcome = await planningCall(session, 'DetermineVersions', validPlanInput(session, facts, false), { caseId: caseIdOf(ctx), budgetMs: PLANNING_BUDGET_MS });
    expectNoViolations(checkVersionsWithoutRunningSource(outcome));
  });
});

describe('PLAN DetermineStrategy and planning in general', () => {
  it('PLAN-006 a chosen strategy comes with a non-empty summary', async (ctx) => {
    const facts = await planFacts(await useSession(ctx));
    if (!facts.strategy.ok) notRun(ctx, 'DetermineStrategy refused a valid request (see PLAN-004)');
    if (facts.strategy.response.unsupported === true) unsupported(ctx, 'the plugin answers unsupported=true, so it has no strategy to summarise');
    expectNoViolations(checkStrategySummary(facts.strategy.response));
  });

  it('PLAN-007 DetermineStrategy answers the partial plan-preview Deployment (any status) and the plugin survives', async (ctx) => {
    const session = await useSession(ctx);
    const facts = await planFacts(session);
    const input = planPreviewStrategyInput(session, facts);
    const outcome = await planningCall(session, 'DetermineStrategy', input, { caseId: caseIdOf(ctx), budgetMs: PARTIAL_INPUT_BUDGET_MS });
    expectNoViolations(checkSurvivesPartialDeployment(outcome, session.plugin.exitInfo()));
  });

  it('PLAN-008 planning RPCs make no stage-scoped PluginService calls', async (ctx) => {
    const session = await useSession(ctx);
    const facts = await planFacts(session);
    const planning: [string, CallOutcome][] = [
      ['DetermineVersions', await versions(session)],
      ['DetermineStrategy', facts.strategy],
      ['BuildQuickSyncStages rollback=true', facts.quickSync.rollback],
      ['BuildQuickSyncStages rollback=false', facts.quickSync.noRollback],
      ['BuildPipelineSyncStages rollback=true', facts.pipeline.rollback.outcome],
      ['BuildPipelineSyncStages rollback=false', facts.pipeline.noRollback.outcome],
    ];
    expectNoViolations(planning.flatMap(([method, outcome]) => checkNoStageScopedCallbacks(method, outcome)));
  });

  it('PLAN-009 DetermineVersions and DetermineStrategy give the same answer to the same request', async (ctx) => {
    const session = await useSession(ctx);
    const facts = await planFacts(session);
    const input = validPlanInput(session, facts, true);
    const repeat = async (method: 'DetermineVersions' | 'DetermineStrategy') => {
      const outcomes: CallOutcome[] = [];
      for (let i = 0; i < REPEATS; i++) outcomes.push(await planningCall(session, method, input, { caseId: caseIdOf(ctx), budgetMs: PLANNING_BUDGET_MS }));
      return checkSameAnswer(method, outcomes);
    };
    expectNoViolations([...(await repeat('DetermineVersions')), ...(await repeat('DetermineStrategy'))]);
  });
});

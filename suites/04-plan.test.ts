// PLAN: DetermineStrategy answers and the index/field rules of BuildPipelineSyncStages and BuildQuickSyncStages.
import { describe, it } from 'vitest';
import {
  checkBuiltStageFields, checkIndexesFromRequest, checkNoDuplicateIndexes, checkNonRollbackIndexesMatchRequest,
  checkStagePluginUnsupported, checkStrategyAnswer, violation,
} from '../src/contract/checks/index.js';
import type { Violation } from '../src/contract/violation.js';
import * as req from '../src/generate/requests.js';
import type { CallOutcome } from '../src/session-types.js';
import { deployTargetsFor, planFacts, type PlanFacts } from './support/facts.js';
import { caseIdOf, expectNoViolations, unsupported, useSession } from './support/shared.js';

/** DetermineStrategy as piped calls it: only with a previous successful commit, so a running source is present. */
async function determineStrategy(ctx: any) {
  const session = await useSession(ctx);
  const facts = await planFacts(session);
  const ids = req.freshIds();
  const input = req.planInput({ ids, pluginName: session.config.name, deployTargets: deployTargetsFor(session, facts.kind) }, facts.app, true);
  const outcome = await session.call('deployment', 'DetermineStrategy', { input }, { caseId: caseIdOf(ctx) });
  return { facts, outcome };
}

/** Judges each pipeline answer (both rollback values) with `check`; a non-OK answer to a valid request is itself a violation. */
function judgePipelines(facts: PlanFacts, rule: string, check: (requestStages: any[], stages: any[]) => Violation[]): Violation[] {
  return (['rollback', 'noRollback'] as const).flatMap((variant) => {
    const { request, outcome } = facts.pipeline[variant];
    if (!outcome.ok) return [refused(rule, `BuildPipelineSyncStages rollback=${request.rollback}`, outcome)];
    return check(request.stages, outcome.response.stages ?? []).map((v) => ({ ...v, message: `BuildPipelineSyncStages rollback=${request.rollback}: ${v.message}` }));
  });
}

function refused(rule: string, source: string, outcome: CallOutcome): Violation {
  const status = outcome.ok ? '' : `${outcome.status.codeName}: ${outcome.status.details}`;
  return violation(rule, `${source} refused a valid request (${status}), so piped could not plan`);
}

describe('PLAN DetermineStrategy', () => {
  it('PLAN-004 answers unsupported=true or a QUICK_SYNC/PIPELINE strategy, never AUTO', async (ctx) => {
    const { outcome } = await determineStrategy(ctx);
    expectNoViolations(outcome.ok ? checkStrategyAnswer(outcome.response) : [refused('PLAN-004', 'DetermineStrategy', outcome)]);
  });

  it('PLAN-005 a stage plugin (empty quick-sync plan) answers unsupported=true', async (ctx) => {
    const { facts, outcome } = await determineStrategy(ctx);
    if (facts.kind !== 'stage') unsupported(ctx, 'a deployment plugin (its quick-sync plan has stages) may decide the strategy');
    expectNoViolations(outcome.ok ? checkStagePluginUnsupported(facts.kind, outcome.response) : [refused('PLAN-005', 'DetermineStrategy', outcome)]);
  });
});

describe('PLAN BuildPipelineSyncStages and BuildQuickSyncStages', () => {
  it('PLAN-010 non-rollback indexes equal the request indexes, one stage each', async (ctx) => {
    const facts = await planFacts(await useSession(ctx));
    expectNoViolations(judgePipelines(facts, 'PLAN-010', checkNonRollbackIndexesMatchRequest));
  });

  it('PLAN-011 no duplicate index among non-rollback stages, none among rollback stages', async (ctx) => {
    const facts = await planFacts(await useSession(ctx));
    expectNoViolations(judgePipelines(facts, 'PLAN-011', (_, stages) => checkNoDuplicateIndexes(stages)));
  });

  it('PLAN-012 every returned index, rollback included, is one of the request indexes', async (ctx) => {
    const facts = await planFacts(await useSession(ctx));
    expectNoViolations(judgePipelines(facts, 'PLAN-012', checkIndexesFromRequest));
  });

  it('PLAN-016 built stages: status NOT_STARTED_YET, timestamps > 0, defined enums, non-empty names', async (ctx) => {
    const facts = await planFacts(await useSession(ctx));
    const pipeline = judgePipelines(facts, 'PLAN-016', (_, stages) => checkBuiltStageFields(stages, 'BuildPipelineSyncStages'));
    const quick = (['rollback', 'noRollback'] as const).flatMap((variant) => {
      const outcome = facts.quickSync[variant];
      const source = `BuildQuickSyncStages rollback=${variant === 'rollback'}`;
      return outcome.ok ? checkBuiltStageFields(outcome.response.stages ?? [], source) : [refused('PLAN-016', source, outcome)];
    });
    expectNoViolations([...pipeline, ...quick]);
  });
});

// PLAN: DetermineStrategy answers and the rules of BuildPipelineSyncStages and BuildQuickSyncStages (indexes,
// names, fields, rollback, determinism, refusing bad stage configs).
import { describe, it } from 'vitest';
import {
  checkBadStageConfigsRefused, checkBuiltStageFields, checkEmittedStagesDefined, checkIndexesFromRequest, checkManualOperations, checkNamesKeptPerIndex,
  checkNoDuplicateIndexes, checkNonRollbackIndexesMatchRequest, checkPlanningWritesNothing, checkQuickSyncHasStages, checkQuickSyncPlan,
  checkQuickSyncRollback, checkRollbackFollowsRequest, checkSamePlan, checkStagePluginUnsupported, checkStrategyAnswer, violation,
} from '../src/contract/checks/index.js';
import type { Violation } from '../src/contract/violation.js';
import type { CallOutcome } from '../src/session-types.js';
import { PLANNING_BUDGET_MS, validPlanInput } from './support/calls.js';
import { badConfigProbes, noConfigToMistypeReason, notJsonObservation } from './support/config-probes.js';
import { gapReason, planFacts, planningCall, type PlanFacts } from './support/facts.js';
import { caseIdOf, expectNoViolations, notExercised, notRun, unsupported, useSession } from './support/shared.js';

type Variant = 'rollback' | 'noRollback';
const VARIANTS: readonly Variant[] = ['rollback', 'noRollback'];

/** DetermineStrategy as piped calls it: only with a previous successful commit, so a running source is present. */
async function determineStrategy(ctx: any) {
  const session = await useSession(ctx);
  const facts = await planFacts(session);
  const outcome = await planningCall(session, 'DetermineStrategy', validPlanInput(session, facts, true), { caseId: caseIdOf(ctx) });
  return { facts, outcome };
}

/**
 * The pipeline rules need a pipeline the plugin can accept. When every stage refused the harness's default `{}` and
 * the user gave no example, there is none: the rule is not exercised (the refusal itself is PLAN-020's evidence).
 */
async function pipelineFacts(ctx: any): Promise<PlanFacts> {
  const facts = await planFacts(await useSession(ctx));
  const gap = gapReason(facts);
  if (!facts.pipelineStages.length && gap) notExercised(ctx, gap);
  return facts;
}

/** Judges each pipeline answer (both rollback values) with `check`; a non-OK answer to a valid request is itself a violation. */
function judgePipelines(facts: PlanFacts, rule: string, check: (requestStages: any[], stages: any[], rollback: boolean) => Violation[]): Violation[] {
  // Every further example app is a case of its own: its plan is judged by the same rule.
  const others = facts.otherApps.flatMap(({ app, request, outcome }) => {
    const source = `BuildPipelineSyncStages of app ${app.example?.label} rollback=true`;
    if (!outcome.ok) return [refused(rule, source, outcome, `; stage configs from app ${app.example?.label}`)];
    return check(request.stages, outcome.response.stages ?? [], true).map((v) => ({ ...v, message: `${source}: ${v.message}` }));
  });
  return [...others, ...VARIANTS.flatMap((variant) => {
    const { request, outcome } = facts.pipeline[variant];
    if (!outcome.ok) return [refused(rule, `BuildPipelineSyncStages rollback=${request.rollback}`, outcome, configSources(facts))];
    return check(request.stages, outcome.response.stages ?? [], request.rollback).map((v) => ({ ...v, message: `BuildPipelineSyncStages rollback=${request.rollback}: ${v.message}` }));
  })];
}

/** Judges each OK quick-sync answer; a refusal is PLAN-030's to report. */
function judgeQuickSyncs(facts: PlanFacts, check: (stages: any[], source: string, rollback: boolean) => Violation[]): Violation[] {
  return VARIANTS.flatMap((variant) => {
    const outcome = facts.quickSync[variant];
    const rollback = variant === 'rollback';
    return outcome.ok ? check(outcome.response.stages ?? [], `BuildQuickSyncStages rollback=${rollback}`, rollback) : [];
  });
}

function refused(rule: string, source: string, outcome: CallOutcome, inputs = ''): Violation {
  const status = outcome.ok ? '' : `${outcome.status.codeName}: ${outcome.status.details}`;
  return violation(rule, `${source} refused a valid request (${status}), so piped could not plan${inputs}`);
}

/** Where the refused pipeline's stage configs came from: a refused user example is named, so the user can check it. */
function configSources(facts: PlanFacts): string {
  const given = facts.pipelineStages.filter((s) => !s.generic);
  return given.length ? `; stage configs from ${[...new Set(given.map((s) => s.source))].join('; ')}` : '';
}

/** PLAN-031/032 compare quick-sync answers, which a refusal does not give; the refusal itself fails PLAN-030. */
function skipUnlessQuickSyncAnswered(ctx: any, facts: PlanFacts): void {
  if (VARIANTS.some((v) => !facts.quickSync[v].ok)) notRun(ctx, 'BuildQuickSyncStages refused a valid request (see PLAN-030)');
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
    const facts = await pipelineFacts(ctx);
    expectNoViolations(judgePipelines(facts, 'PLAN-010', checkNonRollbackIndexesMatchRequest));
  });

  it('PLAN-011 no duplicate index among non-rollback stages, none among rollback stages', async (ctx) => {
    const facts = await pipelineFacts(ctx);
    expectNoViolations(judgePipelines(facts, 'PLAN-011', (_, stages) => checkNoDuplicateIndexes(stages)));
  });

  it('PLAN-012 every returned index, rollback included, is one of the request indexes', async (ctx) => {
    const facts = await pipelineFacts(ctx);
    expectNoViolations(judgePipelines(facts, 'PLAN-012', checkIndexesFromRequest));
  });

  it('PLAN-013 each non-rollback stage keeps the request name of its index', async (ctx) => {
    const facts = await pipelineFacts(ctx);
    expectNoViolations(judgePipelines(facts, 'PLAN-013', checkNamesKeptPerIndex));
  });

  it('PLAN-014 every built stage name, rollback included, is one of the plugin\'s defined stages', async (ctx) => {
    const facts = await pipelineFacts(ctx);
    const pipeline = judgePipelines(facts, 'PLAN-014', (_, stages, rollback) => checkEmittedStagesDefined(facts.definedNames, stages, `rollback=${rollback}`, 'PLAN-014'));
    const quick = judgeQuickSyncs(facts, (stages, source) => checkEmittedStagesDefined(facts.definedNames, stages, source, 'PLAN-014'));
    expectNoViolations([...pipeline, ...quick]);
  });

  it('PLAN-015 rollback stages only when rollback=true; then a deployment plugin plans at least one', async (ctx) => {
    const facts = await pipelineFacts(ctx);
    expectNoViolations(judgePipelines(facts, 'PLAN-015', (_, stages, rollback) => checkRollbackFollowsRequest(facts.kind, rollback, stages, 'plan')));
  });

  it('PLAN-016 built stages: status NOT_STARTED_YET, timestamps > 0, defined enums, non-empty names', async (ctx) => {
    const facts = await pipelineFacts(ctx);
    const pipeline = judgePipelines(facts, 'PLAN-016', (_, stages) => checkBuiltStageFields(stages, 'BuildPipelineSyncStages'));
    const quick = judgeQuickSyncs(facts, (stages, source) => checkBuiltStageFields(stages, source));
    expectNoViolations([...pipeline, ...quick]);
  });

  it('PLAN-017 available_operation is NONE, SKIP or APPROVE; authorized_operators only on APPROVE stages', async (ctx) => {
    const facts = await pipelineFacts(ctx);
    const pipeline = judgePipelines(facts, 'PLAN-017', (_, stages) => checkManualOperations(stages, 'plan'));
    const quick = judgeQuickSyncs(facts, (stages, source) => checkManualOperations(stages, source));
    expectNoViolations([...pipeline, ...quick]);
  });

  it('PLAN-020 a stage config the plugin\'s own schema must refuse (a wrong type) fails planning, not the deployment later', async (ctx) => {
    const session = await useSession(ctx);
    const facts = await planFacts(session);
    if (!facts.forwardNames.length) unsupported(ctx, 'the plugin defines no pipeline stage to send a config to');
    const probes = await badConfigProbes(session, facts, caseIdOf(ctx));
    // Stages that refused the default `{}` (gaps) are evidence too: an incomplete config refused with a non-OK status.
    if (!probes.length && !facts.gaps.length) notExercised(ctx, noConfigToMistypeReason(facts));
    const info = await notJsonObservation(session, facts, caseIdOf(ctx));
    if (info) await ctx.annotate(info, 'info');
    expectNoViolations(checkBadStageConfigsRefused(probes));
  });

  it('PLAN-022 the same Build*SyncStages request gives the same stages, and planning writes nothing to piped', async (ctx) => {
    const session = await useSession(ctx);
    const facts = await planFacts(session);
    const again = (method: string, request: any) => session.call('deployment', method, request, { caseId: caseIdOf(ctx), budgetMs: PLANNING_BUDGET_MS });
    const pipeline = [facts.pipeline.rollback.outcome, await again('BuildPipelineSyncStages', facts.pipeline.rollback.request)];
    const quick = [facts.quickSync.rollback, await again('BuildQuickSyncStages', { rollback: true })];
    const writes = [...pipeline, ...quick, facts.pipeline.noRollback.outcome, facts.quickSync.noRollback].flatMap((o) => checkPlanningWritesNothing('planning', o));
    expectNoViolations([...checkSamePlan('BuildPipelineSyncStages rollback=true', pipeline), ...checkSamePlan('BuildQuickSyncStages rollback=true', quick), ...writes]);
  });

  it('PLAN-030 BuildQuickSyncStages answers OK with valid, defined stages (none from a stage plugin)', async (ctx) => {
    const facts = await planFacts(await useSession(ctx));
    const found = VARIANTS.flatMap((v) => checkQuickSyncPlan(facts.kind, facts.definedNames, facts.quickSync[v], `BuildQuickSyncStages rollback=${v === 'rollback'}`));
    expectNoViolations(found);
  });

  it('PLAN-031 a deployment plugin\'s quick sync has rollback stages exactly when rollback=true', async (ctx) => {
    const facts = await planFacts(await useSession(ctx));
    if (facts.kind !== 'deployment') unsupported(ctx, 'a stage plugin plans no quick sync');
    skipUnlessQuickSyncAnswered(ctx, facts);
    expectNoViolations(judgeQuickSyncs(facts, (stages, source, rollback) => checkQuickSyncRollback(rollback, stages, source)));
  });

  it('PLAN-032 a deployment plugin plans at least one non-rollback quick-sync stage', async (ctx) => {
    const facts = await planFacts(await useSession(ctx));
    if (facts.kind !== 'deployment') unsupported(ctx, 'a stage plugin plans no quick sync');
    skipUnlessQuickSyncAnswered(ctx, facts);
    expectNoViolations(judgeQuickSyncs(facts, (stages, source) => checkQuickSyncHasStages(stages, source)));
  });
});

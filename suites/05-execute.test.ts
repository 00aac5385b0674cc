// EXEC: ExecuteStage over the plugin's own plans — legal statuses, callback scope, targets, first deployments.
import { describe, it } from 'vitest';
import {
  checkAcceptsAbsentRunningSource, checkCallbackScope, checkExecuteStatus, checkStagePluginRunsWithoutTargets, checkUnknownStageNotSuccess,
} from '../src/contract/checks/index.js';
import { checkDeployTargetResolution, checkEmptyStageConfigHandled, checkEmptyTargetListRefused, checkRollbackAlone } from '../src/contract/checks/index.js';
import { formatViolations } from '../src/contract/violation.js';
import * as req from '../src/generate/requests.js';
import type { Session } from '../src/session.js';
import { deployTargetCases, emptyStageConfigRuns, rollbackAloneRuns } from './support/execute-facts.js';
import { deployTargetsFor, executions, missingStage, planFacts, stageConfigOf } from './support/facts.js';
import { isNotApplicable } from './support/lifecycle.js';
import { caseIdOf, expectNoViolations, unsupported, useSession } from './support/shared.js';

/** Executes one stage in a fresh deployment window, the way piped's scheduler does. */
async function executeAlone(session: Session, ctx: any, stage: any, options: { deployTargets?: string[]; withRunning: boolean; stageConfig?: unknown }) {
  const facts = await planFacts(session);
  const ids = req.freshIds();
  const dep = req.deployment({ ids, pluginName: session.config.name, deployTargets: options.deployTargets, stages: [stage], status: 'DEPLOYMENT_PLANNED', syncStrategy: 'PIPELINE' });
  const input = req.planInput({ ids, pluginName: session.config.name }, session.workspace.sources(facts.app, options.withRunning));
  const request = req.executeRequest(dep, stage, options.stageConfig ?? stageConfigOf(facts, stage), input.target_deployment_source, input.running_deployment_source);
  session.host.openDeployment(dep, caseIdOf(ctx));
  try {
    return await session.call('deployment', 'ExecuteStage', request, { caseId: caseIdOf(ctx), budgetMs: 120_000 });
  } finally {
    session.host.closeDeployment(dep.id);
  }
}

/** A forward stage that needs no manual approval, from the plugin's own pipeline plan. */
async function simpleForwardStage(session: Session): Promise<any | undefined> {
  const facts = await planFacts(session);
  const outcome = facts.pipeline.noRollback.outcome;
  const stages: any[] = outcome.ok ? outcome.response.stages ?? [] : [];
  const stage = stages.find((s) => !s.rollback && s.available_operation !== 'MANUAL_OPERATION_APPROVE');
  return stage && req.assignStageIds([stage])[0];
}

describe('EXEC ExecuteStage', () => {
  it('EXEC-001 every OK answer has status SUCCESS, FAILURE, SKIPPED or EXITED', async (ctx) => {
    const session = await useSession(ctx);
    const runs = await executions(session);
    if (!runs.length) missingStage(ctx, await planFacts(session), 'the plugin planned no stage to execute');
    expectNoViolations(runs.flatMap((r) => checkExecuteStatus(r.outcome).map((v) => ({ ...v, message: `${r.label}: ${v.message}` }))));
  });

  it('EXEC-006 stage-scoped callbacks carry the request deployment and stage ids', async (ctx) => {
    const session = await useSession(ctx);
    const runs = await executions(session);
    if (!runs.length) missingStage(ctx, await planFacts(session), 'the plugin planned no stage to execute');
    expectNoViolations(runs.flatMap((r) => checkCallbackScope(r.request, r.outcome.callbacks)));
  });

  it('EXEC-008 a stage plugin executes without any deploy-target entry for itself', async (ctx) => {
    const session = await useSession(ctx);
    const facts = await planFacts(session);
    if (facts.kind !== 'stage') unsupported(ctx, 'a deployment plugin needs its deploy targets');
    const stage = await simpleForwardStage(session);
    if (!stage) missingStage(ctx, facts, 'the plugin planned no stage that runs without approval');
    expectNoViolations(checkStagePluginRunsWithoutTargets(facts.kind, await executeAlone(session, ctx, stage, { withRunning: true })));
  });

  it('EXEC-009 accepts an absent running_deployment_source (first deployment)', async (ctx) => {
    const session = await useSession(ctx);
    const facts = await planFacts(session);
    const stage = await simpleForwardStage(session);
    if (!stage) missingStage(ctx, facts, 'the plugin planned no stage that runs without approval');
    expectNoViolations(checkAcceptsAbsentRunningSource(await executeAlone(session, ctx, stage, { withRunning: false, deployTargets: deployTargetsFor(session, facts.kind) })));
  });

  it('EXEC-013 an unknown stage name never ends in STAGE_SUCCESS', async (ctx) => {
    const session = await useSession(ctx);
    const facts = await planFacts(session);
    const stage = req.plainStage('CONFORMANCE_UNKNOWN_STAGE', 0);
    expectNoViolations(checkUnknownStageNotSuccess(await executeAlone(session, ctx, stage, { withRunning: true, deployTargets: deployTargetsFor(session, facts.kind) })));
  });

  it('EXEC-007 a deployment plugin refuses missing or unknown deploy targets and acts only on the one named', async (ctx) => {
    const session = await useSession(ctx);
    const facts = await deployTargetCases(session, caseIdOf(ctx));
    const plan = await planFacts(session);
    if (plan.kind !== 'deployment') unsupported(ctx, 'a stage plugin gets no deploy targets (EXEC-008 covers it)');
    if (isNotApplicable(facts)) missingStage(ctx, plan, facts.notApplicable);
    const emptyList = checkEmptyTargetListRefused(facts);
    if (emptyList.length) await ctx.annotate(`warning (SHOULD, CATALOGUE §8 item 14): ${formatViolations(emptyList)}`, 'warning');
    expectNoViolations(checkDeployTargetResolution(facts));
  });

  it('EXEC-010 a zero-byte stage_config is handled exactly like {}: a final status or a refusal with a message, never a crash or a hang', async (ctx) => {
    const session = await useSession(ctx);
    const runs = await emptyStageConfigRuns(session, caseIdOf(ctx));
    if (!runs.length) missingStage(ctx, await planFacts(session), 'the plugin planned no stage to execute');
    expectNoViolations(checkEmptyStageConfigHandled(runs, session.plugin.exitInfo()));
  });

  it('EXEC-012 each rollback stage run alone where nothing was deployed answers SUCCESS, FAILURE or SKIPPED and logs', async (ctx) => {
    const session = await useSession(ctx);
    const runs = await rollbackAloneRuns(session, caseIdOf(ctx));
    if (!runs.length) missingStage(ctx, await planFacts(session), 'the plugin plans no rollback stage');
    expectNoViolations(checkRollbackAlone(runs, [...session.host.journal()], session.plugin.exitInfo()));
  });
});

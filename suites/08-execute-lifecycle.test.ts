// EXEC over an ExecuteStage's lifetime: what every call so far answered and logged, approvals through commands, a
// stage held waiting, a cancel, a SIGKILL and re-execution, and parallel calls. The scenarios that cancel, kill or
// run calls in parallel use plugin processes of their own and run at the same time, so the file costs about as long
// as its longest scenario (a few seconds).
import { describe, it } from 'vitest';
import {
  checkApprovalCommands, checkApproversRecorded, checkConcurrentCalls, checkLogIndexes, checkNoShortInternalDeadline, checkNoUnpromptedCancel,
  checkResumesAfterRestart, checkStageLogged, checkStopsAfterCancel,
} from '../src/contract/checks/index.js';
import { executeCallsSoFar, unknownStageRun } from './support/execute-facts.js';
import { executions, missingStage, planFacts, type PlanFacts } from './support/facts.js';
import { approvalScenarios, cancellationScenario, concurrencyScenario, isNotApplicable, restartScenario, type NotApplicable } from './support/lifecycle.js';
import { caseIdOf, expectNoViolations, notExercised, requireOwnProcess, useSession } from './support/shared.js';

/** The shared plugin's plan, whose input gaps decide between `unsupported` and `not exercised`. */
async function planOf(ctx: any): Promise<PlanFacts> {
  return planFacts(await useSession(ctx));
}

/** Ends a test whose scenario could not run: not exercised when the scenario or the inputs say so, else unsupported. */
function endScenario(ctx: any, plan: PlanFacts, facts: NotApplicable): never {
  if (facts.notExercised) notExercised(ctx, facts.notApplicable);
  missingStage(ctx, plan, facts.notApplicable);
}

// Sequential, and before the scenarios below: these judge the shared plugin's calls while nothing else runs on it.
describe('EXEC every ExecuteStage so far', () => {
  it('EXEC-002 no STAGE_CANCELLED answer to a call the harness did not cancel', async (ctx) => {
    const session = await useSession(ctx);
    await executions(session);
    // A stage that can only fail: where a plugin would answer CANCELLED instead of FAILURE.
    await unknownStageRun(session, caseIdOf(ctx));
    expectNoViolations(checkNoUnpromptedCancel(executeCallsSoFar(session)));
  });

  it('EXEC-018 every answered ExecuteStage logged at least one block', async (ctx) => {
    const session = await useSession(ctx);
    const runs = (await executions(session)).length ? executeCallsSoFar(session) : [];
    if (!runs.length) missingStage(ctx, await planOf(ctx), 'the plugin planned no stage to execute');
    expectNoViolations(checkStageLogged(runs, [...session.host.journal()]));
  });
});

describe.concurrent('EXEC lifecycle: approvals, held stages, cancellation, restarts, parallel calls', () => {
  it('EXEC-015 approve and skip commands are filtered by type, deduplicated by id and counted per user', async (ctx) => {
    const facts = await approvalScenarios(await useSession(ctx));
    if (!facts.approvals.length && !facts.skips.length) missingStage(ctx, await planOf(ctx), 'the plugin planned no stage with a manual operation (MANUAL_OPERATION_APPROVE or _SKIP)');
    const found = checkApprovalCommands(facts.approvals, facts.skips);
    // What ran is judged; counting per distinct user is a part of the rule that may have had no input to show it.
    if (!found.length && facts.twoUserGap) notExercised(ctx, facts.twoUserGap);
    expectNoViolations(found);
  });

  it('EXEC-016 an approved stage names its approvers in pipecd/stage-approved-users', async (ctx) => {
    const facts = await approvalScenarios(await useSession(ctx));
    if (!facts.recorded.length) missingStage(ctx, await planOf(ctx), 'the plugin planned no approval stage (MANUAL_OPERATION_APPROVE)');
    expectNoViolations(checkApproversRecorded(facts.recorded));
  });

  it('EXEC-005 a stage kept waiting a few seconds without a gRPC deadline still succeeds', async (ctx) => {
    const facts = await approvalScenarios(await useSession(ctx));
    if (!facts.long) missingStage(ctx, await planOf(ctx), 'the plugin planned no stage the harness can keep waiting (an approval stage, or a stage whose example ran for seconds on its own)');
    expectNoViolations(checkNoShortInternalDeadline(facts.long));
  });

  it('EXEC-004 a cancelled stage stops calling back within 10 s, and the plugin keeps serving', async (ctx) => {
    requireOwnProcess(ctx);
    const facts = await cancellationScenario();
    if (isNotApplicable(facts)) endScenario(ctx, await planOf(ctx), facts);
    expectNoViolations(checkStopsAfterCancel(facts));
  });

  it('EXEC-011 a stage killed mid-way resumes when executed again after a restart', async (ctx) => {
    requireOwnProcess(ctx);
    const facts = await restartScenario(await useSession(ctx));
    if (isNotApplicable(facts)) endScenario(ctx, await planOf(ctx), facts);
    expectNoViolations(checkResumesAfterRestart(facts.resume));
  });

  it('SVC-004 log indexes of a stage do not repeat across a plugin restart', async (ctx) => {
    requireOwnProcess(ctx);
    const facts = await restartScenario(await useSession(ctx));
    if (isNotApplicable(facts)) endScenario(ctx, await planOf(ctx), facts);
    expectNoViolations(checkLogIndexes(facts.logs));
  });

  it('API-005 parallel ExecuteStage and GetLivestate calls all complete, and no callback mixes up their ids', async (ctx) => {
    requireOwnProcess(ctx);
    const facts = await concurrencyScenario();
    if (isNotApplicable(facts)) endScenario(ctx, await planOf(ctx), facts);
    expectNoViolations(checkConcurrentCalls(facts));
  });
});

// SVC-019: the plugin survives a misbehaving piped (errors and latency injected by the fake, from named fault plans),
// and SVC-008, judged last so that late metadata calls of the whole run have had time to arrive.
import { describe, it } from 'vitest';
import { checkMetadataWithinWindow, checkSurvivesHostFaults, metadataJustAfterWindow, type FaultedExecution } from '../src/contract/checks/index.js';
import { FAULT_PLANS, scopePlan } from '../src/host/index.js';
import { formatViolations } from '../src/contract/violation.js';
import { Session } from '../src/session.js';
import { executions, missingStage, planFacts } from './support/facts.js';
import { expectNoViolations, requireOwnProcess, sessionOptions, useSession } from './support/shared.js';
import { newDeployment, plannedPipeline, runStages } from './support/stage-runs.js';

/**
 * A stage that outlives this under failing callbacks counts as hung. It must exceed the longest bounded wait a correct
 * plugin makes: piped-plugin-sdk-go holds every ExecuteStage answer until its final stage-log flush succeeds or 1 min
 * passes (sdk deployment.go `slp.Complete(time.Minute)`; CATALOGUE §2.6), so under failing log reports every SDK
 * plugin answers after ~60 s. That is slow but bounded, so it is reported as a warning, not as a hang.
 */
const FAULTED_STAGE_BUDGET_MS = 75_000;
/** Answers slower than this under faults are annotated as warnings. */
const SLOW_ANSWER_MS = 30_000;
/** How long a failed liveness probe waits for the process exit to be noticed. */
const EXIT_NOTICE_MS = 2_000;
/** The late-call grace of SVC-008, and a margin so a call 1 s late has surely arrived before judging. */
const WINDOW_GRACE_MS = 1_000;
const LATE_CALL_MARGIN_MS = 1_000;

describe('SVC-019 a misbehaving piped', () => {
  it('SVC-019 PluginService errors and latency never crash or hang the plugin', async (ctx) => {
    requireOwnProcess(ctx);
    // A fresh process: a plugin that crashes here must not take the shared session (and every later rule) with it.
    const session = await Session.start(sessionOptions());
    try {
      const facts = await planFacts(session);
      if (!plannedPipeline(facts).length) missingStage(ctx, facts, 'the plugin planned no stage to execute');
      const runs = await underFaults(session, await normalDurations(await useSession(ctx)));
      const slow = runs.filter((r) => r.outcome.durationMs > SLOW_ANSWER_MS && !(!r.outcome.ok && r.outcome.status.codeName === 'HARNESS_TIMEOUT'));
      if (slow.length) {
        const lines = slow.map((r) => `fault plan ${r.plan}: ${r.label} answered after ${Math.round(r.outcome.durationMs / 1000)} s`);
        await ctx.annotate(`warning: slow answers while PluginService calls failed (an SDK plugin waits up to 1 min for its final log flush)\n${lines.join('\n')}`, 'warning');
      }
      const probe = session.plugin.exitInfo() ? undefined : await session.call('deployment', 'FetchDefinedStages', {}, { caseId: 'SVC-019 probe', budgetMs: 10_000 });
      // A refused probe usually means the process is going away; give its exit a moment to be seen, for a clearer finding.
      if (probe && !probe.ok) await Promise.race([session.plugin.exited, new Promise((resolve) => setTimeout(resolve, EXIT_NOTICE_MS))]);
      expectNoViolations(checkSurvivesHostFaults(runs, session.plugin.exitInfo(), probe));
    } finally {
      await session.stop(5_000);
    }
  });
});

/**
 * Every fault plan at once, each stage of the pipeline plan in its own deployment (so the slowest stage under the
 * slowest plan bounds the time), with the plan scoped to that deployment.
 */
async function underFaults(session: Session, normal: Map<string, number>): Promise<FaultedExecution[]> {
  const facts = await planFacts(session);
  const cases = FAULT_PLANS.flatMap((plan) => plannedPipeline(facts).map((stage) => ({ plan, stage, caseId: `SVC-019 ${plan.name}` })));
  const prepared = await Promise.all(cases.map(async (c) => ({ ...c, prepared: await newDeployment(session, [c.stage], { caseId: c.caseId }) })));
  session.host.setFaults(prepared.flatMap(({ plan, prepared: { dep } }) => scopePlan(plan, { deploymentId: dep.id, applicationId: dep.application_id })));
  try {
    const results = await Promise.all(prepared.map(async ({ plan, stage, caseId, prepared }) => {
      // A stage's own work (a configured wait, say) comes on top of the bounded waits the faults may cause.
      const budgetMs = FAULTED_STAGE_BUDGET_MS + (normal.get(stageKey(stage)) ?? 0);
      const [run] = await runStages(session, [stage], { caseId, prepared, budgetMs });
      return { plan: plan.name, label: run.label, outcome: run.outcome };
    }));
    return results;
  } finally {
    session.host.setFaults([]);
  }
}

function stageKey(stage: any): string {
  return `${stage.name}/${stage.index}/${stage.rollback === true}`;
}

/** How long each planned stage took without faults, on the shared plugin (longest run of each). */
async function normalDurations(shared: Session): Promise<Map<string, number>> {
  const durations = new Map<string, number>();
  for (const run of await executions(shared)) {
    const key = stageKey(run.request.input.stage);
    durations.set(key, Math.max(durations.get(key) ?? 0, run.outcome.durationMs));
  }
  return durations;
}

describe('SVC-008 metadata calls only while piped handles the deployment', () => {
  it('SVC-008 no deployment-scoped metadata call after the deployment window closed', async (ctx) => {
    const session = await useSession(ctx);
    await executions(session);
    await untilLateCallsArrived(session);
    const entries = [...session.host.journal()];
    const windows = session.host.deploymentWindows();
    const warnings = metadataJustAfterWindow(entries, windows, WINDOW_GRACE_MS);
    if (warnings.length) await ctx.annotate(`warning: metadata calls within ${WINDOW_GRACE_MS} ms after the window closed\n${formatViolations(warnings)}`, 'warning');
    expectNoViolations(checkMetadataWithinWindow(entries, windows, WINDOW_GRACE_MS));
  });
});

/** Waits (bounded) until every window closed more than the grace plus a margin ago. Usually zero: suites ran since. */
async function untilLateCallsArrived(session: Session): Promise<void> {
  const closes = session.host.deploymentWindows().map((w) => w.closedAt ?? 0);
  const waitMs = Math.max(0, ...closes) + WINDOW_GRACE_MS + LATE_CALL_MARGIN_MS - Date.now();
  if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
}

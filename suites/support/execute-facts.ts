// Facts for the EXEC rules judged over sets of ExecuteStage calls on the shared plugin: deploy-target cases
// (EXEC-007), empty stage configs (EXEC-010), rollback stages alone (EXEC-012), and every call made so far
// (EXEC-002, EXEC-018).
import { servesOptional } from '../../src/contract/capabilities.js';
import type { DeployTargetFacts, EmptyConfigPair, StageRun } from '../../src/contract/checks/index.js';
import * as req from '../../src/generate/requests.js';
import type { CallOutcome } from '../../src/session-types.js';
import type { Session } from '../../src/session.js';
import { approvalCommands, approveCommand, executions, planFacts, type PlanFacts } from './facts.js';
import type { NotApplicable } from './lifecycle.js';
import { freshStage, plannedStages, runStage, stageCallLabel, stageCommand, stageDeployment } from './stage-calls.js';

/** A deploy-target name no plugin config defines. */
const UNDEFINED_TARGET = 'conformance-undefined-deploy-target';

/** The `with:` piped sends for a pipeline stage: the config at its index (`{}` in the harness's app). */
function pipelineConfigOf(plan: PlanFacts, stage: any): unknown {
  return plan.pipelineStages.find((s) => s.index === stage.index)?.with ?? {};
}

/** A forward stage that needs no user action, so it ends on its own. */
async function selfEndingStage(session: Session): Promise<any | undefined> {
  return (await plannedStages(session, false)).find((s) => !s.rollback && !isManual(s));
}

function isManual(stage: any): boolean {
  return stage.available_operation === 'MANUAL_OPERATION_APPROVE' || stage.available_operation === 'MANUAL_OPERATION_SKIP';
}

/** Commands that let a manual stage end: an approval, or a skip. */
function releasingCommands(deployment: any, stage: any): any[] {
  if (stage.available_operation === 'MANUAL_OPERATION_APPROVE') return approvalCommands(deployment, stage);
  if (stage.available_operation === 'MANUAL_OPERATION_SKIP') return [stageCommand(deployment, stage, 'SKIP_STAGE', 'conformance-skipper', `skip-${stage.id}`)];
  return [];
}

/**
 * EXEC-007: one self-ending stage run with no entry for the plugin, an empty list, an undefined name, and the first
 * configured target. With a second configured target and live state served, that target's live state is read before
 * and after the valid run: it must not change.
 */
export async function deployTargetCases(session: Session, caseId: string): Promise<DeployTargetFacts | NotApplicable> {
  const plan = await planFacts(session);
  if (plan.kind !== 'deployment') return { notApplicable: 'a stage plugin gets no deploy targets (EXEC-008 covers it)' };
  const targets = session.config.deployTargets ?? [];
  const template = await selfEndingStage(session);
  if (!targets.length) return { notApplicable: 'the plugin config names no deploy targets' };
  if (!template) return { notApplicable: 'the plugin planned no stage that ends without user action' };
  const stageConfig = pipelineConfigOf(plan, template);
  const run = async (deployTargets: string[] | null) => (await runStage(session, { caseId, stage: freshStage(template), deployTargets, stageConfig })).outcome;
  const missing = await run(null);
  const empty = await run([]);
  const unknown = { name: UNDEFINED_TARGET, outcome: await run([UNDEFINED_TARGET]) };
  const stage = freshStage(template);
  const deployment = stageDeployment(session, [stage], plan.kind, { deployTargets: [targets[0].name] });
  const other = targets[1]?.name;
  const readOther = () => livestateOf(session, plan, deployment.application_id, other!, caseId);
  const before = other ? await readOther() : undefined;
  const valid = { name: targets[0].name, outcome: (await runStage(session, { caseId, stage, deployment, stageConfig })).outcome };
  const untouched = other && before && servesOptional(before) ? { name: other, before, after: await readOther() } : undefined;
  return { missing, empty, unknown, valid, untouched };
}

function livestateOf(session: Session, plan: PlanFacts, applicationId: string, target: string, caseId: string): Promise<CallOutcome> {
  const request = req.livestateRequest({ applicationId }, plan.app, [target], session.workspace.source(plan.app));
  return session.call('livestate', 'GetLivestate', request, { caseId, budgetMs: 60_000 });
}

/**
 * EXEC-010: each stage of the pipeline plan (forward, then rollback stages) executed in one deployment twice: with a
 * zero-byte stage_config (what quick sync sends) and with `{}`. Absent and empty bytes are the same on the wire.
 */
export async function emptyStageConfigRuns(session: Session, caseId: string): Promise<EmptyConfigPair[]> {
  const plan = await planFacts(session);
  const stages = await plannedStages(session, true);
  const pairs: EmptyConfigPair[] = [];
  // Once per stage name and kind: neither call carries the stage's own with:, so further entries would repeat them.
  const seen = new Set<string>();
  for (const stage of stages) {
    const key = `${stage.name}/${stage.rollback}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const once = async (stageConfig: unknown): Promise<StageRun> => {
      const copy = freshStage(stage);
      const deployment = stageDeployment(session, [copy], plan.kind);
      const { request, outcome } = await runStage(session, { caseId, stage: copy, deployment, stageConfig, commands: releasingCommands });
      return { label: stageCallLabel(copy), request, outcome };
    };
    pairs.push({ label: stageCallLabel(stage), empty: await once(undefined), braces: await once({}) });
  }
  return pairs;
}

/**
 * EXEC-012: each rollback stage the plugin plans (pipeline and quick sync) executed alone, as piped runs it after the
 * first forward stage failed: a deployment holding the whole plan, on the application's first deployment (nothing
 * to restore), with `requires` naming the first forward stage.
 */
export async function rollbackAloneRuns(session: Session, caseId: string): Promise<StageRun[]> {
  const plan = await planFacts(session);
  const plans: [strategy: 'PIPELINE' | 'QUICK_SYNC', outcome: CallOutcome][] = [['PIPELINE', plan.pipeline.rollback.outcome], ['QUICK_SYNC', plan.quickSync.rollback]];
  const runs: StageRun[] = [];
  for (const [syncStrategy, outcome] of plans) {
    if (!outcome.ok) continue;
    const stages = req.assignStageIds(outcome.response.stages ?? []);
    const firstForward = stages.find((s) => !s.rollback);
    for (const rollback of stages.filter((s) => s.rollback)) {
      const stage = { ...rollback, requires: firstForward ? [firstForward.id] : [] };
      const deployment = stageDeployment(session, stages, plan.kind, { syncStrategy });
      const stageConfig = syncStrategy === 'PIPELINE' ? pipelineConfigOf(plan, stage) : undefined;
      const { request, outcome: result } = await runStage(session, { caseId, stage, deployment, withRunning: false, stageConfig, syncStrategy });
      runs.push({ label: stageCallLabel(stage, syncStrategy), request, outcome: result });
    }
  }
  return runs;
}

/** Every ExecuteStage the session made so far, from its call log. */
export function executeCallsSoFar(session: Session): StageRun[] {
  return session
    .callLog()
    .filter((c) => c.service === 'deployment' && c.method === 'ExecuteStage')
    .map((c, i) => {
      const input = (c.request as any)?.input ?? {};
      const outcome: CallOutcome = c.ok
        ? { ok: true, response: c.response, durationMs: c.durationMs, callbacks: [] }
        : { ok: false, status: c.status!, durationMs: c.durationMs, callbacks: [] };
      const where = input.stage ? stageCallLabel(input.stage, input.deployment?.trigger?.sync_strategy) : 'a stage';
      return { label: `ExecuteStage #${i + 1} (${where} of deployment ${JSON.stringify(input.deployment?.id ?? '')})`, request: c.request, outcome, cancelled: c.cancelled };
    });
}

/** One stage name the plugin does not define, executed (a stage that can only fail). */
export async function unknownStageRun(session: Session, caseId: string): Promise<void> {
  await runStage(session, { caseId, stage: req.plainStage('CONFORMANCE_UNKNOWN_STAGE', 0), stageConfig: {} });
}

// PLAN-020's probes: stage configs the plugin's own schema must refuse, made from the user's valid examples (a wrong
// JSON type for one option, CATALOGUE §8 item 9), each planned alone and, when planning accepts it, executed once to
// see whether the plan fails later. Gathering only; the judgement is checkBadStageConfigsRefused.
import { wrongTypedVariant, type BadConfigProbe } from '../../src/contract/checks/index.js';
import * as req from '../../src/generate/requests.js';
import type { PlannedStageInput } from '../../src/piped/stage-inputs.js';
import type { CallOutcome } from '../../src/session-types.js';
import type { Session } from '../../src/session.js';
import { PLANNING_BUDGET_MS } from './calls.js';
import { approvalCommands, stageExamples, type PlanFacts } from './facts.js';
import { freshStage, runStage } from './stage-calls.js';

/** How long the one execution of an accepted wrongly typed config may take. */
const PROBE_EXECUTION_BUDGET_MS = 60_000;

/** A stage to probe: where it sits in the user's pipeline, the example it came from, and the variant to send. */
interface ProbeTarget {
  stage: PlannedStageInput;
  source: string;
  variant: Record<string, unknown>;
}

/**
 * One target per stage name the user gave an example for (the first example with an option to mistype), planned at
 * the index of its first non-generic pipeline entry.
 */
export function probeTargets(plan: PlanFacts): ProbeTarget[] {
  const targets: ProbeTarget[] = [];
  for (const stage of plan.pipelineStages.filter((s) => !s.generic)) {
    if (targets.some((t) => t.stage.name === stage.name)) continue;
    for (const example of stageExamples(plan, stage.name)) {
      const variant = wrongTypedVariant(example.with);
      if (variant) {
        targets.push({ stage, source: example.source, variant });
        break;
      }
    }
  }
  return targets;
}

/** Plans each target alone with its wrongly typed variant; an accepted one is executed once with it. */
export async function badConfigProbes(session: Session, plan: PlanFacts, caseId: string): Promise<BadConfigProbe[]> {
  const probes: BadConfigProbe[] = [];
  for (const { stage, source, variant } of probeTargets(plan)) {
    const label = `stage ${stage.name} (variant of ${source})`;
    const request = req.pipelineRequest([{ ...stage, with: variant }], true);
    const planned = await session.call('deployment', 'BuildPipelineSyncStages', request, { caseId, budgetMs: PLANNING_BUDGET_MS });
    probes.push({ label, variant, planned, ...(planned.ok ? await executeOnce(session, planned, stage.index, variant, caseId) : {}) });
  }
  return probes;
}

/** Executes the stage planned at `index` (or the first forward stage) with `variant`, approving it if it is manual. */
async function executeOnce(session: Session, planned: CallOutcome & { ok: true }, index: number, variant: unknown, caseId: string): Promise<{ executed?: CallOutcome }> {
  const forward: any[] = (planned.response.stages ?? []).filter((s: any) => !s.rollback);
  const built = forward.find((s) => Number(s.index ?? 0) === index) ?? forward[0];
  // No forward stage planned: nothing to execute (PLAN-010 reports the missing stage).
  if (!built) return {};
  const stage = freshStage(built);
  const commands = stage.available_operation === 'MANUAL_OPERATION_APPROVE' ? approvalCommands : undefined;
  const { outcome } = await runStage(session, { caseId, stage, stageConfig: variant, commands, budgetMs: PROBE_EXECUTION_BUDGET_MS });
  return { executed: outcome };
}

/**
 * INFO only (CATALOGUE §8 item 9): how the plugin answers stage config bytes that are not JSON at all, which piped
 * never sends. Undefined when nothing is worth noting (a non-OK refusal) or there is no stage to send them to.
 */
export async function notJsonObservation(session: Session, plan: PlanFacts, caseId: string): Promise<string | undefined> {
  const stage = plan.pipelineStages[0];
  if (!stage) return undefined;
  const request = req.pipelineRequest([stage], true);
  for (const s of request.stages) s.config = Buffer.from('{not json');
  const outcome = await session.call('deployment', 'BuildPipelineSyncStages', request, { caseId, budgetMs: PLANNING_BUDGET_MS });
  if (!outcome.ok && outcome.status.codeName !== 'HARNESS_TIMEOUT' && outcome.status.codeName !== 'UNAVAILABLE') return undefined;
  const answer = outcome.ok ? 'answered OK' : `answered ${outcome.status.codeName}: ${outcome.status.details}`;
  return `info: BuildPipelineSyncStages of stage ${stage.name} with config bytes "{not json" ${answer}; piped never sends non-JSON, so this is no PLAN-020 failure`;
}

/** Why PLAN-020 was not exercised: no example `with:` had an option to give a wrong type; and the fix. */
export function noConfigToMistypeReason(plan: PlanFacts): string {
  const fixes = plan.forwardNames.map((name) => `conformance.stages.${name}`).join(', ');
  return 'no stage of this plugin was planned with an example `with:` that sets an option, so no config its schema must refuse '
    + `(a wrong type) could be made; give an example with --app (an app whose pipeline sets the stage's options) or ${fixes} in --config`;
}

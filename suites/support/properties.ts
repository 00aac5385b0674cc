// What each property generates and how it judges one generated value: the act half of a property test. Judging is
// done by the same pure checks the scripted suites use. Properties over the same arbitrary share one memo, so with
// one seed each generated plan or execution happens once and every rule judges the same facts.
import fc from 'fast-check';
import {
  checkBuiltStageFields, checkCallbackRequestsValid, checkCallbackScope, checkExecuteStatus, checkIndexesFromRequest, checkLogBlocks, checkLogIndexes,
  checkNoDuplicateIndexes, checkNonRollbackIndexesMatchRequest, checkNothingAfterCompleted, checkPlanningWritesNothing, checkSameAnswer, checkSamePlan,
  checkSurvivesUnusualInput, noAnswer, type LabelledOutcome,
} from '../../src/contract/checks/index.js';
import type { Violation } from '../../src/contract/violation.js';
import {
  executionCaseArb, livestateCaseArb, livestateRequestOf, pipelineCaseArb, PLACEHOLDER_CHECKOUT, pipelineRequestOf, planInputCaseArb, planInputOf,
  planPreviewCaseArb, planPreviewRequestOf, type CheckoutOf, type ExecutionCase, type GenFacts, type LivestateCase, type PipelineCase, type PlanInputCase,
  type PlanPreviewCase,
} from '../../src/generate/arbitraries.js';
import type { Judgement } from '../../src/generate/properties.js';
import type { ExitInfo } from '../../src/launch/types.js';
import { executeCase, type ExecutionRecord, type GeneratedTarget, type WatchedOutcome } from './generated.js';

export interface BoundProperty<T = any> {
  arbitrary: fc.Arbitrary<T>;
  check: (value: T) => Promise<Judgement>;
}

type Binder = (target: GeneratedTarget, facts: GenFacts) => BoundProperty;

const pipelineMemo = new Map<string, Promise<{ request: any; outcome: WatchedOutcome }>>();
const executionMemo = new Map<string, Promise<ExecutionRecord>>();

function memo<T>(cache: Map<string, Promise<T>>, key: unknown, make: () => Promise<T>): Promise<T> {
  const text = JSON.stringify(key);
  let entry = cache.get(text);
  if (!entry) {
    entry = make();
    cache.set(text, entry);
  }
  return entry;
}

function liveCheckout(target: GeneratedTarget): Promise<CheckoutOf> {
  return target.session().then((session) => (app, commit) => session.workspace.checkout(app, commit));
}

/** A crash or a hang is API-007's finding; rules about answers judge only calls that were answered. */
function answered(outcome: WatchedOutcome): boolean {
  return !outcome.exit && !noAnswer(outcome);
}

// ---- planning -----------------------------------------------------------------------------------------------

function planPipeline(target: GeneratedTarget, c: PipelineCase) {
  return memo(pipelineMemo, c, async () => {
    const request = pipelineRequestOf(c);
    const budgets = await target.callBudgets();
    return { request, outcome: await target.call('deployment', 'BuildPipelineSyncStages', request, { budgetMs: budgets.planningMs, caseId: 'generated: BuildPipelineSyncStages' }) };
  });
}

/** A property over the plugin's answers to generated stage lists; refusals are allowed (PLAN-020), crashes are API-007's. */
function pipelineProperty(judge: (requestStages: any[], stages: any[]) => Violation[]): Binder {
  return (target, facts) => ({
    arbitrary: pipelineCaseArb(facts),
    check: async (c: PipelineCase) => {
      const { request, outcome } = await planPipeline(target, c);
      const shown = { rpc: 'BuildPipelineSyncStages', message: request };
      if (!outcome.ok || outcome.exit) return { violations: [], request: shown };
      return { violations: judge(request.stages, outcome.response.stages ?? []), request: shown };
    },
  });
}

/** DetermineVersions or DetermineStrategy inside the deployment's metadata window, as piped's planner calls them. */
async function planningCall(target: GeneratedTarget, method: string, input: any, caseId: string): Promise<WatchedOutcome> {
  const session = await target.session();
  const budgets = await target.callBudgets();
  session.host.openDeployment(input.deployment, caseId);
  try {
    return await target.call('deployment', method, { input }, { budgetMs: budgets.planningMs, caseId });
  } finally {
    session.host.closeDeployment(input.deployment.id);
  }
}

const sameAnswer: Binder = (target, facts) => ({
  arbitrary: planInputCaseArb(facts),
  check: async (c: PlanInputCase) => {
    const input = planInputOf(c, facts.pluginName, await liveCheckout(target));
    for (const method of ['DetermineVersions', 'DetermineStrategy']) {
      const outcomes = [await planningCall(target, method, input, `generated: ${method} twice`), await planningCall(target, method, input, `generated: ${method} twice`)];
      if (!outcomes.every(answered)) continue;
      const violations = checkSameAnswer(method, outcomes);
      if (violations.length) return { violations, request: { rpc: method, message: { input: planInputOf(c, facts.pluginName, PLACEHOLDER_CHECKOUT) } } };
    }
    return { violations: [] };
  },
});

const samePlan: Binder = (target, facts) => ({
  arbitrary: pipelineCaseArb(facts),
  check: async (c: PipelineCase) => {
    // The first answer is the one the other pipeline properties judged (shared), the second a fresh call.
    const { request, outcome: first } = await planPipeline(target, c);
    const shown = { rpc: 'BuildPipelineSyncStages', message: request };
    if (!answered(first)) return { violations: [], request: shown };
    const budgets = await target.callBudgets();
    const outcomes = [first, await target.call('deployment', 'BuildPipelineSyncStages', request, { budgetMs: budgets.planningMs, caseId: 'generated: BuildPipelineSyncStages again' })];
    if (!outcomes.every(answered)) return { violations: [], request: shown };
    const source = 'BuildPipelineSyncStages';
    return { violations: [...checkSamePlan(source, outcomes), ...outcomes.flatMap((o) => checkPlanningWritesNothing(source, o))], request: shown };
  },
});

type PlanningCall = { rpc: 'DetermineVersions' | 'DetermineStrategy'; input: PlanInputCase } | { rpc: 'BuildPipelineSyncStages'; pipeline: PipelineCase } | { rpc: 'BuildQuickSyncStages'; rollback: boolean };

/** API-007 over the planning RPCs: each generated request gets an answer (any status) and the process lives on. */
const planningSurvives: Binder = (target, facts) => ({
  arbitrary: fc.oneof(
    { arbitrary: planInputCaseArb(facts).map((input): PlanningCall => ({ rpc: 'DetermineVersions', input })), weight: 1 },
    { arbitrary: planInputCaseArb(facts).map((input): PlanningCall => ({ rpc: 'DetermineStrategy', input })), weight: 1 },
    { arbitrary: pipelineCaseArb(facts).map((pipeline): PlanningCall => ({ rpc: 'BuildPipelineSyncStages', pipeline })), weight: 4 },
    { arbitrary: fc.boolean().map((rollback): PlanningCall => ({ rpc: 'BuildQuickSyncStages', rollback })), weight: 1 },
  ),
  check: async (c: PlanningCall) => {
    const budgets = await target.callBudgets();
    const caseId = `generated: ${c.rpc}`;
    let shown: unknown;
    let outcome: WatchedOutcome;
    if (c.rpc === 'BuildPipelineSyncStages' || c.rpc === 'BuildQuickSyncStages') {
      const request = c.rpc === 'BuildPipelineSyncStages' ? pipelineRequestOf(c.pipeline) : { rollback: c.rollback };
      shown = request;
      outcome = await target.call('deployment', c.rpc, request, { budgetMs: budgets.planningMs, caseId });
    } else {
      shown = { input: planInputOf(c.input, facts.pluginName, PLACEHOLDER_CHECKOUT) };
      outcome = await planningCall(target, c.rpc, planInputOf(c.input, facts.pluginName, await liveCheckout(target)), caseId);
    }
    return survives(target, [{ label: c.rpc, outcome }], { rpc: c.rpc, message: shown });
  },
});

type OptionalCall = { rpc: 'GetLivestate'; livestate: LivestateCase } | { rpc: 'GetPlanPreview'; preview: PlanPreviewCase };

const optionalSurvives: Binder = (target, facts) => ({
  arbitrary: fc.oneof(
    livestateCaseArb(facts).map((livestate): OptionalCall => ({ rpc: 'GetLivestate', livestate })),
    planPreviewCaseArb(facts).map((preview): OptionalCall => ({ rpc: 'GetPlanPreview', preview })),
  ),
  check: async (c: OptionalCall) => {
    const budgets = await target.callBudgets();
    const checkout = await liveCheckout(target);
    const [service, build] = c.rpc === 'GetLivestate'
      ? (['livestate', (co: CheckoutOf) => livestateRequestOf(c.livestate, facts.pluginName, co)] as const)
      : (['planPreview', (co: CheckoutOf) => planPreviewRequestOf(c.preview, facts.pluginName, co)] as const);
    const outcome = await target.call(service, c.rpc, build(checkout), { budgetMs: budgets.untimedMs, caseId: `generated: ${c.rpc}` });
    return survives(target, [{ label: c.rpc, outcome }], { rpc: c.rpc, message: build(PLACEHOLDER_CHECKOUT) });
  },
});

/** API-007 judgement; an OK answer is followed by a liveness probe, since a crash may come right after answering. */
async function survives(target: GeneratedTarget, calls: (LabelledOutcome & { outcome: WatchedOutcome })[], shown: { rpc: string; message: unknown }): Promise<Judgement> {
  let exit: ExitInfo | undefined = calls.find((c) => c.outcome.exit)?.outcome.exit;
  if (!exit && !calls.some((c) => noAnswer(c.outcome))) exit = await target.probe();
  return { violations: checkSurvivesUnusualInput(calls, exit), request: shown };
}

// ---- execution ----------------------------------------------------------------------------------------------

function executionProperty(judge: (record: ExecutionRecord) => Violation[] | Promise<Violation[]>): Binder {
  return (target, facts) => ({
    arbitrary: executionCaseArb(facts),
    check: async (c: ExecutionCase) => {
      const record = await memo(executionMemo, c, () => executeCase(target, c, 'generated: ExecuteStage'));
      const shown = record.shown ? { rpc: 'ExecuteStage', message: record.shown.request } : { rpc: record.plan.rpc, message: record.plan.request };
      return { violations: await judge(record), request: shown };
    },
  });
}

/** What ExecuteStage's callbacks were, when the stage was executed and answered. */
function callbacksOf(record: ExecutionRecord) {
  return record.outcome && answered(record.outcome) ? record.callbacks : [];
}

export const BINDERS: Record<string, Binder> = {
  'PLAN-010': pipelineProperty(checkNonRollbackIndexesMatchRequest),
  'PLAN-011': pipelineProperty((_, stages) => checkNoDuplicateIndexes(stages)),
  'PLAN-012': pipelineProperty(checkIndexesFromRequest),
  'PLAN-016': pipelineProperty((_, stages) => checkBuiltStageFields(stages, 'BuildPipelineSyncStages')),
  'PLAN-009': sameAnswer,
  'PLAN-022': samePlan,
  'API-007/planning': planningSurvives,
  'API-007/optional': optionalSurvives,
  // Only the ExecuteStage call is judged: a plan that crashed is API-007/planning's finding (and shrinking it here,
  // one restart per step, would only repeat that finding slowly).
  'API-007/execute': (target, facts) =>
    executionProperty(async (record) => (record.outcome ? (await survives(target, [{ label: 'ExecuteStage', outcome: record.outcome }], { rpc: '', message: null })).violations : []))(target, facts),
  'EXEC-001': executionProperty((r) => (r.outcome && answered(r.outcome) ? checkExecuteStatus(r.outcome) : [])),
  'EXEC-006': executionProperty((r) => checkCallbackScope(r.sent, callbacksOf(r))),
  'SVC-002': executionProperty((r) => checkCallbackRequestsValid(callbacksOf(r))),
  'SVC-003': executionProperty((r) => checkLogBlocks(callbacksOf(r), Math.floor(Date.now() / 1000))),
  'SVC-004': executionProperty((r) => checkLogIndexes(callbacksOf(r))),
  'SVC-005': executionProperty((r) => checkNothingAfterCompleted(callbacksOf(r))),
};

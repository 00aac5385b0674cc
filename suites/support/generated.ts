// The plugin that generated cases run against, and the calls they make. Generated cases get their own plugin
// process (when the harness owns it), restarted after a crash, so one crashing case neither ends the run nor is
// blamed on the scripted suites. Calls are watched: a transport failure waits briefly for the process to exit, so
// a crash is attributed to the case that caused it.
import type { TestContext } from 'vitest';
import { approvalCommands, approveCommand, executions, planFacts, stageExamples } from './facts.js';
import { ownsProcess, runSpec, sessionOptions, sharedSession, sharedSessionStarted } from './shared.js';
import {
  PLACEHOLDER_CHECKOUT, pipelineRequestOf, plannedExecution, type CheckoutOf, type ExecutionCase, type GenFacts, type PlannedExecution,
} from '../../src/generate/arbitraries.js';
import { DEFAULT_PROPERTY_RUNS, DEFAULT_PROPERTY_TIME_LIMIT_MS, randomSeed, type PropertySettings } from '../../src/generate/properties.js';
import { noAnswer } from '../../src/contract/checks/index.js';
import type { JournalEntry } from '../../src/host/types.js';
import type { ServiceKey } from '../../src/protocol/load.js';
import type { CallOutcome } from '../../src/session-types.js';
import { Session } from '../../src/session.js';
import type { ExitInfo } from '../../src/launch/types.js';

/** A call's outcome plus the plugin's exit, when the process died while (or right after) answering it. */
export type WatchedOutcome = CallOutcome & { exit?: ExitInfo };

/** The least time a generated call may take before it counts as hung. */
export const MIN_HANG_MS = 2_000;
/** How much slower than its scripted run a generated call may be before it counts as hung. */
export const HANG_FACTOR = 3;
/** Budget for calls no scripted run timed (live state, plan preview, stages never executed by the scripted suites). */
const UNTIMED_BUDGET_MS = 10_000;
/** How long a failed transport waits for the process to exit before the crash is ruled out. */
const EXIT_GRACE_MS = 500;
const TRANSPORT_CODES = new Set([1, 2, 14]); // CANCELLED, UNKNOWN, UNAVAILABLE: what a dying server leaves behind

/** The run's property settings; defaults when the CLI predates them (e.g. a programmatic run). */
export function propertySettings(): PropertySettings {
  return (runSpec() as { properties?: PropertySettings }).properties ?? { seed: randomSeed(), runs: DEFAULT_PROPERTY_RUNS, timeLimitMs: DEFAULT_PROPERTY_TIME_LIMIT_MS, commandLine: [] };
}

export class GeneratedTarget {
  private current?: Promise<Session>;
  private facts?: Promise<GenFacts>;
  private budgets?: Promise<Budgets>;
  private readonly usedDeploymentIds = new Map<string, number>();
  /** Set when the plugin could not be (re)started: every later case would fail the same way. */
  private unavailable?: PluginUnavailable;
  /** True once a test has failed with `unavailable`; later tests skip instead. */
  unavailableReported = false;
  /** Restarts after the plugin exited during a generated case. */
  restarts = 0;
  /** Calls the harness cancelled because no answer came within their budget. */
  hangs = 0;
  /** Deployments whose ExecuteStage the harness cancelled (no answer in time): their late callbacks are theirs. */
  readonly cancelledDeployments = new Set<string>();

  /** The session for the next case: started on first use, restarted when the plugin died. */
  async session(): Promise<Session> {
    if (!ownsProcess()) return sharedSession();
    if (this.unavailable) throw this.unavailable;
    const current = this.current;
    const session = current ? await current.catch(() => undefined) : undefined;
    if (session && !session.plugin.exitInfo()) return session;
    if (this.current !== current) return this.session(); // another caller is restarting it already
    this.current = this.start(session);
    return this.current;
  }

  private async start(dead: Session | undefined): Promise<Session> {
    if (dead) {
      this.restarts += 1;
      await dead.stop(1_000).catch(() => undefined);
    }
    try {
      return await Session.start(sessionOptions());
    } catch (error) {
      const when = dead ? 'again after it exited during a generated case' : 'for the generated cases';
      this.unavailable = new PluginUnavailable(`the plugin could not be started ${when}: ${(error as Error).message}`);
      throw this.unavailable;
    }
  }

  /** Facts the arbitraries are built from, gathered once (a restart must not change what is generated). */
  genFacts(): Promise<GenFacts> {
    this.facts ??= this.session().then(async (session) => {
      const plan = await planFacts(session);
      const examples = Object.fromEntries(
        plan.forwardNames.map((name) => [name, stageExamples(plan, name).map((e) => e.with).filter((w): w is Record<string, unknown> => typeof w === 'object' && w !== null && !Array.isArray(w))]),
      );
      return { pluginName: session.config.name, stageNames: plan.forwardNames, kind: plan.kind, deployTargets: (session.config.deployTargets ?? []).map((t) => t.name), examples };
    });
    return this.facts;
  }

  /** Per-call budgets, from how long the scripted runs of the same calls took. */
  callBudgets(): Promise<Budgets> {
    this.budgets ??= this.measureBudgets();
    return this.budgets;
  }

  /** Calls the plugin; never throws for gRPC errors; notices a process that died meanwhile. */
  async call(service: ServiceKey, method: string, request: unknown, options: { budgetMs: number; caseId: string }): Promise<WatchedOutcome> {
    const session = await this.session();
    const outcome = await session.call(service, method, request, options);
    if (noAnswer(outcome)) this.hangs += 1;
    return { ...outcome, exit: await exitAfter(session, outcome) };
  }

  /** After an OK answer: is the process still alive and answering? (A crash right after answering counts.) */
  async probe(): Promise<ExitInfo | undefined> {
    const session = await this.session();
    const outcome = await session.call('deployment', 'FetchDefinedStages', {}, { deadlineMs: 2_000, caseId: 'generated: liveness probe' });
    return outcome.ok ? session.plugin.exitInfo() : waitForExit(session);
  }

  /** A deployment id not yet used in this process, so cases never share state in the plugin or the fake piped. */
  uniqueDeploymentId(id: string): string {
    const seen = this.usedDeploymentIds.get(id) ?? 0;
    this.usedDeploymentIds.set(id, seen + 1);
    return seen === 0 ? id : `${id}~${seen + 1}`;
  }

  async stop(): Promise<void> {
    const session = this.current;
    this.current = undefined;
    if (session) await (await session.catch(() => undefined))?.stop(runSpec().graceMs);
  }

  private async measureBudgets(): Promise<Budgets> {
    const session = await this.session();
    const plan = await planFacts(session);
    const planning = [plan.defined, plan.quickSync.rollback, plan.quickSync.noRollback, plan.pipeline.rollback.outcome, plan.pipeline.noRollback.outcome];
    // The scripted executions already ran on the shared plugin in a full run; otherwise run them here.
    const runs = await executions(sharedSessionStarted() || !ownsProcess() ? await sharedSession() : session);
    const byStage = new Map<string, number>();
    for (const run of runs) {
      const name = String(run.request?.input?.stage?.name ?? '');
      if (run.outcome.ok) byStage.set(name, Math.max(byStage.get(name) ?? 0, run.outcome.durationMs));
    }
    return {
      planningMs: budgetFrom(Math.max(...planning.map((o) => o.durationMs))),
      stageMs: (name) => (byStage.has(name) ? budgetFrom(byStage.get(name)!) : UNTIMED_BUDGET_MS),
      untimedMs: UNTIMED_BUDGET_MS,
    };
  }
}

/** The plugin cannot be (re)started for generated cases; the first test to meet it reports it, later ones skip. */
export class PluginUnavailable extends Error {
  override name = 'PluginUnavailable';
}

/** Rethrows `error`; a PluginUnavailable fails only the first test that meets it, later tests are skipped. */
export function reportUnavailableOnce(ctx: TestContext, error: unknown): never {
  const target = generatedTarget();
  if (error instanceof PluginUnavailable) {
    if (target.unavailableReported) ctx.skip(`not run: ${error.message.split('\n')[0]}`);
    target.unavailableReported = true;
  }
  throw error;
}

export interface Budgets {
  planningMs: number;
  stageMs: (stageName: string) => number;
  untimedMs: number;
}

function budgetFrom(scriptedMs: number): number {
  return Math.max(MIN_HANG_MS, Math.ceil(HANG_FACTOR * scriptedMs));
}

/** The exit of a plugin that failed a call at the transport level (the exit trails the failure a little). */
function exitAfter(session: Session, outcome: CallOutcome): Promise<ExitInfo | undefined> {
  if (outcome.ok || !TRANSPORT_CODES.has(outcome.status.code)) return Promise.resolve(session.plugin.exitInfo());
  return waitForExit(session);
}

function waitForExit(session: Session): Promise<ExitInfo | undefined> {
  const known = session.plugin.exitInfo();
  if (known) return Promise.resolve(known);
  return Promise.race([session.plugin.exited, new Promise<undefined>((resolve) => setTimeout(resolve, EXIT_GRACE_MS))]);
}

let target: GeneratedTarget | undefined;

/** The run's one target for generated cases (suites share it: one worker, isolate=false). */
export function generatedTarget(): GeneratedTarget {
  target ??= new GeneratedTarget();
  return target;
}

// ---- one generated execution, as piped's planner and scheduler would make it ---------------------------------

export interface ExecutionRecord {
  /** The plan call (BuildPipelineSyncStages or BuildQuickSyncStages) and what was sent. */
  plan: { rpc: string; request: any; outcome: WatchedOutcome };
  /** The execution as the case describes it (stable ids, placeholder paths): what a failure prints. */
  shown?: PlannedExecution;
  /** The request actually sent (fresh checkout, a deployment id unique in this process). */
  sent?: any;
  outcome?: WatchedOutcome;
  /**
   * Callbacks made while ExecuteStage ran, less late ones of earlier executions the harness cancelled (those are
   * EXEC-004's business: judging them here would blame this execution).
   */
  callbacks: JournalEntry[];
}

/**
 * Plans the case's pipeline with the plugin, then executes the picked stage of that plan (approving it when it
 * waits for approval), inside the deployment's metadata window. Stops after the plan when there is nothing piped
 * would execute.
 */
export async function executeCase(target: GeneratedTarget, c: ExecutionCase, caseId: string): Promise<ExecutionRecord> {
  const facts = await target.genFacts();
  const budgets = await target.callBudgets();
  const rpc = c.strategy === 'PIPELINE' ? 'BuildPipelineSyncStages' : 'BuildQuickSyncStages';
  const planRequest = c.strategy === 'PIPELINE' ? pipelineRequestOf(c.pipeline) : { rollback: c.pipeline.rollback };
  const planOutcome = await target.call('deployment', rpc, planRequest, { budgetMs: budgets.planningMs, caseId });
  const record: ExecutionRecord = { plan: { rpc, request: planRequest, outcome: planOutcome }, callbacks: [] };
  if (!planOutcome.ok) return record;
  const plan: any[] = planOutcome.response.stages ?? [];
  record.shown = plannedExecution(c, plan, facts.pluginName, PLACEHOLDER_CHECKOUT);
  if (!record.shown) return record;

  const session = await target.session();
  const checkout: CheckoutOf = (app, commit) => session.workspace.checkout(app, commit);
  const live = plannedExecution({ ...c, deployment: { ...c.deployment, id: target.uniqueDeploymentId(c.deployment.id) } }, plan, facts.pluginName, checkout)!;
  const dep = live.request.input.deployment;
  record.sent = live.request;
  session.host.openDeployment(dep, caseId);
  if (live.stage.available_operation === 'MANUAL_OPERATION_APPROVE') session.host.setStageCommands(dep.id, live.stage.id, approvalCommands(dep, live.stage));
  try {
    record.outcome = await target.call('deployment', 'ExecuteStage', live.request, { budgetMs: budgets.stageMs(String(live.stage.name)), caseId });
    const stale = (entry: JournalEntry) => entry.request?.deployment_id !== dep.id && target.cancelledDeployments.has(entry.request?.deployment_id);
    record.callbacks = record.outcome.callbacks.filter((entry) => !stale(entry));
    if (noAnswer(record.outcome)) target.cancelledDeployments.add(dep.id);
  } finally {
    session.host.clearStageCommands(dep.id, live.stage.id);
    session.host.closeDeployment(dep.id);
  }
  return record;
}

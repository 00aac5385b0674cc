// PREV: GetPlanPreview as piped's plan-preview builder calls it, always with a deadline. The calls are independent
// (one fresh application each) and run side by side; every rule is unsupported when PlanPreviewService is not served.
import { describe, it, type TestContext } from 'vitest';
import {
  checkPreviewDeadline, checkPreviewEmptyTargets, checkPreviewReadOnly, checkPreviewResults, checkPreviewTargets, checkPreviewWithoutRunningSource,
  type DeadlineTrial,
} from '../src/contract/checks/index.js';
import * as req from '../src/generate/requests.js';
import type { CallOutcome } from '../src/session-types.js';
import type { Session } from '../src/session.js';
import { capabilities, deployTargetsFor, planFacts } from './support/facts.js';
import { expectNoViolations, unsupported, useSession } from './support/shared.js';
import { callbacksOfCall, syncedApplication } from './support/stage-runs.js';

/** piped's command timeout is minutes; a call that is not about deadlines gets a generous one. */
const NORMAL_DEADLINE_MS = 60_000;
/** PREV-005: a deadline any real preview would miss, and how long after it the harness watches for more work. */
const SHORT_DEADLINE_MS = 200;
const WATCH_AFTER_DEADLINE_MS = 600;

interface PreviewCall {
  label: string;
  request: any;
  outcome: CallOutcome;
  /** Callbacks the call itself made. */
  callbacks: CallOutcome['callbacks'];
}

interface PreviewFacts {
  targets: string[];
  /** A new application's preview with a running source (the common case). */
  withRunning: PreviewCall;
  /** A new application's first preview: no running source. */
  withoutRunning: PreviewCall;
  /** Preview of exactly what the deploy targets already run, after a successful quick sync (absent when none ran). */
  unchanged?: PreviewCall;
  deadline: DeadlineTrial;
  emptyTargets: CallOutcome;
}

const cache = new WeakMap<Session, Promise<PreviewFacts>>();

function previewFacts(session: Session): Promise<PreviewFacts> {
  let facts = cache.get(session);
  if (!facts) {
    facts = gatherPreviews(session);
    cache.set(session, facts);
  }
  return facts;
}

async function gatherPreviews(session: Session): Promise<PreviewFacts> {
  const plan = await planFacts(session);
  const targets = deployTargetsFor(session, 'deployment') ?? [];
  const synced = await syncedApplication(session);
  const preview = async (label: string, applicationId: string, sources: req.Sources): Promise<PreviewCall> => {
    const request = req.planPreviewRequest({ applicationId }, plan.app, targets, sources);
    const outcome = await session.call('planPreview', 'GetPlanPreview', request, { caseId: label, deadlineMs: NORMAL_DEADLINE_MS });
    return { label, request, outcome, callbacks: callbacksOfCall(session, outcome, applicationId) };
  };
  const unchangedSources = () => ({ target: session.workspace.source(plan.app, req.TARGET_COMMIT), running: session.workspace.source(plan.app, req.TARGET_COMMIT) });
  const [withRunning, withoutRunning, unchanged, deadline, emptyTargets] = await Promise.all([
    preview('GetPlanPreview of a new application', req.freshIds().applicationId, session.workspace.sources(plan.app, true)),
    preview('GetPlanPreview without running_deployment_source', req.freshIds().applicationId, session.workspace.sources(plan.app, false)),
    synced?.synced ? preview('GetPlanPreview of what the targets already run', synced.applicationId, unchangedSources()) : undefined,
    deadlineTrial(session, targets),
    session.call('planPreview', 'GetPlanPreview', req.planPreviewRequest(req.freshIds(), plan.app, [], session.workspace.sources(plan.app, true)), {
      caseId: 'GetPlanPreview with empty deploy_targets', deadlineMs: NORMAL_DEADLINE_MS,
    }),
  ]);
  return { targets, withRunning, withoutRunning, unchanged, deadline, emptyTargets };
}

/** A preview with a short deadline, then a watch for callbacks it still makes for its application. */
async function deadlineTrial(session: Session, targets: string[]): Promise<DeadlineTrial> {
  const plan = await planFacts(session);
  const { applicationId } = req.freshIds();
  const request = req.planPreviewRequest({ applicationId }, plan.app, targets, session.workspace.sources(plan.app, true));
  const seqBefore = session.host.lastSeq();
  const startedAt = Date.now();
  const outcome = await session.call('planPreview', 'GetPlanPreview', request, { caseId: 'PREV-005 short deadline', deadlineMs: SHORT_DEADLINE_MS });
  const watchUntil = startedAt + SHORT_DEADLINE_MS + WATCH_AFTER_DEADLINE_MS;
  const ownCall = (e: { request?: any }) => e.request?.application_id === applicationId;
  // Ends at the first late callback (already a finding) or when the watch is over.
  await session.host.waitFor((e) => ownCall(e) && e.time > startedAt + SHORT_DEADLINE_MS, Math.max(0, watchUntil - Date.now()));
  return { outcome, startedAt, deadlineMs: SHORT_DEADLINE_MS, callbacks: session.host.journalSince(seqBefore).filter(ownCall) };
}

async function served(ctx: TestContext): Promise<{ session: Session; facts: PreviewFacts }> {
  const session = await useSession(ctx);
  if (!(await capabilities(session)).capabilities.planPreview) unsupported(ctx, 'the plugin does not serve PlanPreviewService (UNIMPLEMENTED)');
  const facts = await previewFacts(session);
  if (!facts.targets.length) unsupported(ctx, 'the plugin config has no deploy target to preview');
  return { session, facts };
}

function previewCalls(facts: PreviewFacts): PreviewCall[] {
  return [facts.withRunning, facts.withoutRunning, ...(facts.unchanged ? [facts.unchanged] : [])];
}

describe('PREV PlanPreviewService.GetPlanPreview', () => {
  it('PREV-001 results name requested deploy targets and fit in a message', async (ctx) => {
    const { facts } = await served(ctx);
    expectNoViolations(previewCalls(facts).flatMap((c) => checkPreviewTargets(c.request, c.outcome).map((v) => ({ ...v, message: `${c.label}: ${v.message}` }))));
  });

  it('PREV-002 one result per target with a summary, a renderer name, and no_change=true for what already runs', async (ctx) => {
    const { facts } = await served(ctx);
    const found = [
      ...checkPreviewResults(facts.withRunning.request, facts.withRunning.outcome).map((v) => ({ ...v, message: `${facts.withRunning.label}: ${v.message}` })),
      ...(facts.unchanged ? checkPreviewResults(facts.unchanged.request, facts.unchanged.outcome, true).map((v) => ({ ...v, message: `${facts.unchanged!.label}: ${v.message}` })) : []),
    ];
    expectNoViolations(found);
  });

  it('PREV-003 accepts an absent running_deployment_source (a new application)', async (ctx) => {
    const { facts } = await served(ctx);
    expectNoViolations(checkPreviewWithoutRunningSource(facts.withoutRunning.outcome));
  });

  it('PREV-004 a preview is a dry run: no PluginService writes', async (ctx) => {
    const { facts } = await served(ctx);
    expectNoViolations(previewCalls(facts).flatMap((c) => checkPreviewReadOnly(c.label, c.callbacks)));
  });

  it('PREV-005 honours a short deadline and stops working when it passes', async (ctx) => {
    const { facts } = await served(ctx);
    expectNoViolations(checkPreviewDeadline(facts.deadline));
  });

  it('PREV-006 empty deploy_targets → INVALID_ARGUMENT', async (ctx) => {
    const { facts } = await served(ctx);
    expectNoViolations(checkPreviewEmptyTargets(facts.emptyTargets));
  });
});

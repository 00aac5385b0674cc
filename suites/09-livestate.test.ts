// LIVE: GetLivestate as piped's live-state reporter calls it every minute, for an application the plugin deployed
// and for one it never saw. Every rule is unsupported when the plugin does not serve LivestateService.
import { describe, it, type TestContext } from 'vitest';
import {
  checkApplicationHealth, checkLivestateReadOnly, checkLivestateSyncState, checkLivestateTargetErrors, checkResourceOwnership, checkResourceStates,
  checkSyncState,
} from '../src/contract/checks/index.js';
import type { Violation } from '../src/contract/violation.js';
import * as req from '../src/generate/requests.js';
import type { CallOutcome } from '../src/session-types.js';
import type { Session } from '../src/session.js';
import { capabilities, deployTargetsFor, planFacts } from './support/facts.js';
import { expectNoViolations, unsupported, useSession } from './support/shared.js';
import { callbacksOfCall, syncedApplication } from './support/stage-runs.js';

interface LivestateCall {
  label: string;
  request: any;
  outcome: CallOutcome;
  /** Callbacks the call itself made. */
  callbacks: CallOutcome['callbacks'];
}

interface LivestateFacts {
  targets: string[];
  /** Valid requests: a deployed application (when the plugin can deploy one) and a fresh one. */
  calls: LivestateCall[];
  emptyTargets: CallOutcome;
  unknownTarget: CallOutcome;
}

const UNKNOWN_TARGET = 'conformance-unknown-target';
const cache = new WeakMap<Session, Promise<LivestateFacts>>();

function livestateFacts(session: Session): Promise<LivestateFacts> {
  let facts = cache.get(session);
  if (!facts) {
    facts = gatherLivestate(session);
    cache.set(session, facts);
  }
  return facts;
}

async function gatherLivestate(session: Session): Promise<LivestateFacts> {
  const plan = await planFacts(session);
  const targets = deployTargetsFor(session, 'deployment') ?? [];
  const synced = await syncedApplication(session);
  const apps = [
    ...(synced ? [{ label: 'GetLivestate of an application the plugin deployed', applicationId: synced.applicationId }] : []),
    { label: 'GetLivestate of an application the plugin never deployed', applicationId: req.freshIds().applicationId },
  ];
  const calls: LivestateCall[] = [];
  for (const { label, applicationId } of apps) {
    const request = req.livestateRequest({ applicationId }, plan.app, targets, session.workspace.source(plan.app));
    const outcome = await session.call('livestate', 'GetLivestate', request, { caseId: label });
    calls.push({ label, request, outcome, callbacks: callbacksOfCall(session, outcome, applicationId) });
  }
  const call = (deployTargets: string[], label: string) =>
    session.call('livestate', 'GetLivestate', req.livestateRequest(req.freshIds(), plan.app, deployTargets, session.workspace.source(plan.app)), { caseId: label });
  return {
    targets,
    calls,
    emptyTargets: await call([], 'GetLivestate with empty deploy_targets'),
    unknownTarget: await call([UNKNOWN_TARGET], 'GetLivestate with an unknown deploy target'),
  };
}

/** The facts, or unsupported when the plugin does not serve GetLivestate or has no deploy target to ask about. */
async function served(ctx: TestContext): Promise<{ session: Session; facts: LivestateFacts }> {
  const session = await useSession(ctx);
  if (!(await capabilities(session)).capabilities.livestate) unsupported(ctx, 'the plugin does not serve LivestateService (UNIMPLEMENTED)');
  const facts = await livestateFacts(session);
  if (!facts.targets.length) unsupported(ctx, 'the plugin config has no deploy target to ask live state for');
  return { session, facts };
}

/** `check` over every OK answer to a valid request, each violation prefixed with the call. */
function overAnswers(facts: LivestateFacts, check: (call: LivestateCall) => Violation[]): Violation[] {
  return facts.calls.filter((c) => c.outcome.ok).flatMap((c) => check(c).map((v) => ({ ...v, message: `${c.label}: ${v.message}` })));
}

describe('LIVE LivestateService.GetLivestate', () => {
  it('LIVE-001 a valid request is answered OK with sync_state', async (ctx) => {
    const { facts } = await served(ctx);
    expectNoViolations(facts.calls.flatMap((c) => checkLivestateSyncState(c.outcome).map((v) => ({ ...v, message: `${c.label}: ${v.message}` }))));
  });

  it('LIVE-002 every ResourceState has id, name, a defined health and created_at/updated_at > 0', async (ctx) => {
    const { facts } = await served(ctx);
    expectNoViolations(overAnswers(facts, (c) => checkResourceStates(c.outcome.ok ? c.outcome.response : undefined)));
  });

  it('LIVE-003 sync_state has a defined status a plugin may report and a timestamp', async (ctx) => {
    const { facts } = await served(ctx);
    expectNoViolations(overAnswers(facts, (c) => checkSyncState(c.outcome.ok ? c.outcome.response : undefined)));
  });

  it('LIVE-004 resources carry the own plugin name, a requested deploy target and resolvable parents', async (ctx) => {
    const { session, facts } = await served(ctx);
    expectNoViolations(overAnswers(facts, (c) => checkResourceOwnership(c.outcome.ok ? c.outcome.response : undefined, c.request.deploy_targets, session.config.name)));
  });

  it('LIVE-005 application health is derived from the resources as the SDK does', async (ctx) => {
    const { facts } = await served(ctx);
    expectNoViolations(overAnswers(facts, (c) => checkApplicationHealth(c.outcome.ok ? c.outcome.response : undefined)));
  });

  it('LIVE-006 empty deploy_targets → INVALID_ARGUMENT; an unknown deploy target → non-OK', async (ctx) => {
    const { facts } = await served(ctx);
    expectNoViolations(checkLivestateTargetErrors(facts.emptyTargets, facts.unknownTarget));
  });

  it('LIVE-007 answers well within the polling period and writes nothing', async (ctx) => {
    const { facts } = await served(ctx);
    expectNoViolations(facts.calls.flatMap((c) => checkLivestateReadOnly(c.label, c.outcome, c.callbacks)));
  });
});

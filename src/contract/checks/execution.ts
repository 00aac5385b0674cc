// EXEC-*: what ExecuteStage returns and which ids its callbacks carry.
import type { JournalEntry } from '../../host/types.js';
import type { CallOutcome } from '../../session-types.js';
import type { ExitInfo } from '../../launch/types.js';
import type { Violation } from '../violation.js';
import { entryLabel, enumText, noAnswer, outcomeText, violation } from './common.js';

/** The only statuses after which piped's scheduler moves on (EXEC-001). */
export const LEGAL_FINAL_STATUSES: readonly string[] = ['STAGE_SUCCESS', 'STAGE_FAILURE', 'STAGE_SKIPPED', 'STAGE_EXITED'];

/** Callbacks scoped to the stage being executed. */
export const STAGE_SCOPED: ReadonlySet<string> = new Set([
  'ReportStageLogs',
  'ReportStageLogsFromLastCheckpoint',
  'GetStageMetadata',
  'PutStageMetadata',
  'PutStageMetadataMulti',
  'ListStageCommands',
]);

/** Callbacks scoped to the deployment being executed. */
const DEPLOYMENT_SCOPED = new Set([
  'GetDeploymentPluginMetadata',
  'PutDeploymentPluginMetadata',
  'PutDeploymentPluginMetadataMulti',
  'GetDeploymentSharedMetadata',
]);

/** Why an OK ExecuteStage status is not final, or undefined when it is. */
function illegalStatus(response: any): string | undefined {
  const status = response?.status;
  if (LEGAL_FINAL_STATUSES.includes(status)) return undefined;
  const hint = status === 'STAGE_NOT_STARTED_YET' ? ' (what an empty response decodes to)' : '';
  return `status must be one of ${LEGAL_FINAL_STATUSES.join(', ')}; got ${enumText(status)}${hint}`;
}

/** EXEC-001: an OK ExecuteStage carries a final status; anything else stalls piped's scheduler. */
export function checkExecuteStatus(outcome: CallOutcome): Violation[] {
  if (!outcome.ok) return [];
  const problem = illegalStatus(outcome.response);
  return problem ? [violation('EXEC-001', `ExecuteStage returned OK but ${problem}`, outcome.response)] : [];
}

/** EXEC-006: callbacks made during ExecuteStage carry the deployment and stage ids of that call. */
export function checkCallbackScope(request: any, callbacks: JournalEntry[]): Violation[] {
  const deploymentId = request?.input?.deployment?.id ?? '';
  const stageId = request?.input?.stage?.id ?? '';
  const expected = `deployment_id ${JSON.stringify(deploymentId)}, stage_id ${JSON.stringify(stageId)}`;
  return callbacks.flatMap((entry) => {
    const stageScoped = STAGE_SCOPED.has(entry.rpc);
    if (!stageScoped && !DEPLOYMENT_SCOPED.has(entry.rpc)) return [];
    const got = entry.request ?? {};
    const wrongDeployment = got.deployment_id !== deploymentId;
    const wrongStage = stageScoped && got.stage_id !== stageId;
    if (!wrongDeployment && !wrongStage) return [];
    const seen = stageScoped
      ? `deployment_id ${JSON.stringify(got.deployment_id)}, stage_id ${JSON.stringify(got.stage_id)}`
      : `deployment_id ${JSON.stringify(got.deployment_id)}`;
    const wanted = stageScoped ? expected : `deployment_id ${JSON.stringify(deploymentId)}`;
    return [
      violation(
        'EXEC-006',
        `${entryLabel(entry)} must carry the ids of the ExecuteStage in flight (${wanted}); got ${seen}`,
        { seq: entry.seq, rpc: entry.rpc, request: entry.request },
      ),
    ];
  });
}

/** EXEC-008: a stage plugin executes without any deploy-target entry of its own. */
export function checkStagePluginRunsWithoutTargets(kind: 'stage' | 'deployment', outcome: CallOutcome): Violation[] {
  if (kind === 'deployment') return [];
  return requireFinal('EXEC-008', 'a stage plugin must execute without deploy targets', outcome);
}

/** EXEC-009: ExecuteStage accepts an absent running_deployment_source (a first deployment). */
export function checkAcceptsAbsentRunningSource(outcome: CallOutcome): Violation[] {
  return requireFinal('EXEC-009', 'ExecuteStage without running_deployment_source (a first deployment) must succeed', outcome);
}

/** EXEC-013: a stage name the plugin does not define never ends in STAGE_SUCCESS. */
export function checkUnknownStageNotSuccess(outcome: CallOutcome): Violation[] {
  if (!outcome.ok || outcome.response?.status !== 'STAGE_SUCCESS') return [];
  const message = 'ExecuteStage of a stage name the plugin does not define must answer non-OK or STAGE_FAILURE; got STAGE_SUCCESS';
  return [violation('EXEC-013', message, outcome.response)];
}

/** A violation of `rule` unless the call answered OK with a final status. */
function requireFinal(rule: string, expectation: string, outcome: CallOutcome): Violation[] {
  if (!outcome.ok) return [violation(rule, `${expectation} with OK and a final status; got ${outcomeText(outcome)}`, outcome.status)];
  const problem = illegalStatus(outcome.response);
  return problem ? [violation(rule, `${expectation}: the OK answer's ${problem}`, outcome.response)] : [];
}

/** One ExecuteStage call the harness made, and what came of it. */
export interface StageRun {
  /** Where the call came from, in words: `PIPELINE stage REF_SYNC (index 1)`. */
  label: string;
  request: any;
  outcome: CallOutcome;
  /** True when the harness cancelled the call itself, as piped does on a cancel command, a timeout or shutdown. */
  cancelled?: boolean;
}

/** EXEC-002: STAGE_CANCELLED only answers a call the caller cancelled; piped reads it as a user's cancel. */
export function checkNoUnpromptedCancel(runs: StageRun[]): Violation[] {
  return runs
    .filter((run) => !run.cancelled && run.outcome.ok && run.outcome.response?.status === 'STAGE_CANCELLED')
    .map((run) =>
      violation(
        'EXEC-002',
        `${run.label}: answered STAGE_CANCELLED although the harness did not cancel the call; piped would report the deployment ` +
          'as cancelled by a user and start rollback. Answer STAGE_FAILURE for a stage that failed',
        run.outcome.ok ? run.outcome.response : undefined,
      ),
    );
}

/** The deploy-target cases of EXEC-007, for a deployment plugin. */
export interface DeployTargetFacts {
  /** `deploy_targets_by_plugin` has no entry for the plugin. */
  missing: CallOutcome;
  /** The plugin's entry lists no targets. */
  empty: CallOutcome;
  /** The entry names a target the plugin config does not define. */
  unknown: { name: string; outcome: CallOutcome };
  /** The entry names one configured target. */
  valid: { name: string; outcome: CallOutcome };
  /** GetLivestate of another configured target, before and after the valid run (when the plugin serves live state). */
  untouched?: { name: string; before: CallOutcome; after: CallOutcome };
}

/**
 * EXEC-007: a deployment plugin acts on the targets named for it, and refuses to run without usable ones. piped
 * treats a non-OK status and STAGE_FAILURE alike (stage FAILURE), so either counts as refusing.
 */
export function checkDeployTargetResolution(facts: DeployTargetFacts): Violation[] {
  const found = [
    ...refused(facts.missing, 'without an entry for the plugin in deploy_targets_by_plugin', 'INVALID_ARGUMENT'),
    ...refused(facts.unknown.outcome, `naming deploy target ${JSON.stringify(facts.unknown.name)}, which the plugin config does not define`, 'INTERNAL'),
    ...requireFinal('EXEC-007', `ExecuteStage naming the configured deploy target ${JSON.stringify(facts.valid.name)} must run`, facts.valid.outcome),
  ];
  return facts.untouched ? [...found, ...untouchedTarget(facts.untouched, facts.valid.name)] : found;
}

/**
 * EXEC-007 and an empty list (CATALOGUE §8 item 14): an entry with no targets is not a missing entry, and refusing it is
 * only a SHOULD (the SDK adds the guard after v0.4.0; piped builds the list from the app's own targets). Suites report
 * what this finds as a warning, never as a failure of the MUST rule.
 */
export function checkEmptyTargetListRefused(facts: Pick<DeployTargetFacts, 'empty'>): Violation[] {
  return refused(facts.empty, 'with an empty deploy-target list for the plugin', 'INVALID_ARGUMENT');
}

function refused(outcome: CallOutcome, what: string, sdkCode: string): Violation[] {
  if (!outcome.ok || outcome.response?.status === 'STAGE_FAILURE') return [];
  const message =
    `ExecuteStage ${what} must refuse to run (non-OK, as the SDK answers ${sdkCode}, or STAGE_FAILURE); ` +
    `got OK with ${enumText(outcome.response?.status)}: the stage ran without deploy targets it may act on`;
  return [violation('EXEC-007', message, outcome.response)];
}

function untouchedTarget(facts: NonNullable<DeployTargetFacts['untouched']>, validName: string): Violation[] {
  const before = comparableLivestate(facts.before);
  const after = comparableLivestate(facts.after);
  if (before === after) return [];
  const message =
    `after ExecuteStage named only deploy target ${JSON.stringify(validName)}, the live state of target ` +
    `${JSON.stringify(facts.name)} changed: the plugin acted on a target it was not given`;
  return [violation('EXEC-007', message, { before: JSON.parse(before), after: JSON.parse(after) })];
}

/** What GetLivestate says about the deployed state, without the fields that change with time alone. */
export function comparableLivestate(outcome: CallOutcome): string {
  if (!outcome.ok) return JSON.stringify({ status: outcome.status.codeName });
  const resources: any[] = outcome.response?.application_live_state?.resources ?? [];
  const stable = resources
    .map((r) => ({
      id: r?.id, name: r?.name, resource_type: r?.resource_type, resource_metadata: r?.resource_metadata ?? {},
      health_status: r?.health_status, health_description: r?.health_description, deploy_target: r?.deploy_target,
    }))
    .sort((a, b) => String(a.id).localeCompare(String(b.id)));
  return JSON.stringify({ resources: stable, sync: outcome.response?.sync_state?.status ?? null });
}

/** EXEC-010: one stage executed with a zero-byte stage_config (what quick sync sends) and with `{}`. */
export interface EmptyConfigPair {
  label: string;
  empty: StageRun;
  braces: StageRun;
}

/**
 * EXEC-010 (CATALOGUE §8 item 13): a zero-byte stage_config must be handled exactly like `{}`. "Handled" is a defined
 * answer: OK with a final status, or a non-OK status with a message (a stage whose options are required may refuse
 * `{}`); never a hang, a crash or a bare error. The two answers must agree: both OK with the same status, or both
 * refused.
 */
export function checkEmptyStageConfigHandled(pairs: EmptyConfigPair[], exit?: ExitInfo): Violation[] {
  const found = pairs.flatMap((pair) => {
    const problems = [pair.empty, pair.braces].flatMap((run) => undefinedAnswer(run));
    if (problems.length) return problems;
    const [empty, braces] = [answerKind(pair.empty.outcome), answerKind(pair.braces.outcome)];
    if (empty === braces) return [];
    const message = `${pair.label}: a zero-byte stage_config must be handled exactly like {}; with {} the stage answered ${braces}, with empty bytes ${empty}`;
    return [violation('EXEC-010', message, pair.empty.outcome.ok ? pair.empty.outcome.response : pair.empty.outcome.status)];
  });
  return exit ? [...found, exitedViolation('EXEC-010', exit, 'while executing stages with an empty stage_config')] : found;
}

/** A hang, a crash, a non-OK status without a message, or an OK answer without a final status. */
function undefinedAnswer(run: StageRun): Violation[] {
  const expectation = `${run.label}: ExecuteStage with stage_config ${stageConfigText(run.request)} must give a defined answer (OK with a final status, or a non-OK status with a message)`;
  const { outcome } = run;
  if (!outcome.ok) {
    const refusal = !noAnswer(outcome) && outcome.status.codeName !== 'UNAVAILABLE' && outcome.status.details.trim() !== '';
    return refusal ? [] : [violation('EXEC-010', `${expectation}; got ${outcomeText(outcome)}`, outcome.status)];
  }
  const problem = illegalStatus(outcome.response);
  return problem ? [violation('EXEC-010', `${expectation}: the OK answer's ${problem}`, outcome.response)] : [];
}

/** `OK STAGE_SUCCESS`, `OK STAGE_FAILURE`, … or `a refusal (non-OK)`: what must agree between empty bytes and `{}`. */
function answerKind(outcome: CallOutcome): string {
  return outcome.ok ? `OK ${enumText(outcome.response?.status)}` : 'a refusal (non-OK)';
}

/** `empty` or the JSON text of a request's stage_config. */
function stageConfigText(request: any): string {
  const bytes = request?.input?.stage_config;
  const text = bytes === undefined || bytes === null ? '' : Buffer.from(bytes).toString('utf8');
  return text === '' ? 'empty' : text;
}

/** Rollback stages may end SKIPPED too: "nothing to roll back" is a sensible answer. */
const ROLLBACK_OUTCOMES = ['STAGE_SUCCESS', 'STAGE_FAILURE', 'STAGE_SKIPPED'];

/**
 * EXEC-012: a rollback stage run on a fresh deployment where nothing ran answers OK with SUCCESS, FAILURE or
 * SKIPPED, logs at least one line saying what it did, and the process survives.
 */
export function checkRollbackAlone(runs: StageRun[], journal: JournalEntry[], exit?: ExitInfo): Violation[] {
  const found = runs.flatMap((run) => {
    const { outcome } = run;
    const expectation = `${run.label}: a rollback stage run where nothing was deployed must answer OK with ${ROLLBACK_OUTCOMES.join(', ')}`;
    if (!outcome.ok) return [violation('EXEC-012', `${expectation}; got ${outcomeText(outcome)}`, outcome.status)];
    if (!ROLLBACK_OUTCOMES.includes(outcome.response?.status)) {
      return [violation('EXEC-012', `${expectation}; got ${enumText(outcome.response?.status)}`, outcome.response)];
    }
    if (stageLogBlockCount(journal, run.request) > 0) return [];
    return [violation('EXEC-012', `${run.label}: the rollback stage logged nothing; say what was (or was not) rolled back`)];
  });
  return exit ? [...found, exitedViolation('EXEC-012', exit, 'while executing rollback stages alone')] : found;
}

/** EXEC-018: every ExecuteStage that answered logs at least one block for its stage. */
export function checkStageLogged(runs: StageRun[], journal: JournalEntry[]): Violation[] {
  return runs
    .filter((run) => run.outcome.ok && !run.cancelled && stageLogBlockCount(journal, run.request) === 0)
    .map((run) => {
      const { deployment, stage } = run.request?.input ?? {};
      const ids = `deployment ${JSON.stringify(deployment?.id ?? '')} stage ${JSON.stringify(stage?.id ?? '')}`;
      return violation('EXEC-018', `${run.label}: no log block reached piped for ${ids}; report at least a start and an end line`);
    });
}

/** Distinct log block indexes piped stored for the stage of an ExecuteStage request (both log RPCs, any retry). */
export function stageLogBlockCount(journal: JournalEntry[], request: any): number {
  const deploymentId = request?.input?.deployment?.id;
  const stageId = request?.input?.stage?.id;
  const indexes = new Set<string>();
  for (const entry of journal) {
    if (entry.rpc !== 'ReportStageLogs' && entry.rpc !== 'ReportStageLogsFromLastCheckpoint') continue;
    if (entry.request?.deployment_id !== deploymentId || entry.request?.stage_id !== stageId) continue;
    for (const block of entry.request?.blocks ?? []) indexes.add(String(block?.index));
  }
  return indexes.size;
}

/** The plugin process ended while the harness still used it. */
export function exitedViolation(rule: string, exit: ExitInfo, when: string): Violation {
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  return violation(rule, `the plugin process ${how} ${when}; piped never restarts a plugin`, exit);
}

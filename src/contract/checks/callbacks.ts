// SVC-*: the PluginService callbacks a plugin makes, judged in arrival order.
import type { DeploymentWindow, InstalledTool, JournalEntry } from '../../host/types.js';
import type { CallOutcome } from '../../session-types.js';
import type { ExitInfo } from '../../launch/types.js';
import type { Violation } from '../violation.js';
import { entryLabel, enumText, logKey, logKeyText, toBigInt, violation } from './common.js';
import { LEGAL_FINAL_STATUSES } from './execution.js';

/** The two stage-log RPCs; both carry LogBlocks and share one index space per stage. */
export const LOG_RPCS: readonly string[] = ['ReportStageLogs', 'ReportStageLogsFromLastCheckpoint'];

const SEVERITIES = new Set(['INFO', 'SUCCESS', 'ERROR']);
const DAY_SECONDS = 86_400n;

function isLogEntry(entry: JournalEntry): boolean {
  return LOG_RPCS.includes(entry.rpc);
}

function blocksOf(entry: JournalEntry): any[] {
  return Array.isArray(entry.request?.blocks) ? entry.request.blocks : [];
}

/** Where a block sits: `callback #4 ReportStageLogs (deployment "d1" stage "s1" retried_count 0) blocks[2]`. */
function blockLabel(entry: JournalEntry, position: number): string {
  return `${entryLabel(entry)} (${logKeyText(entry.request)}) blocks[${position}]`;
}

/** SVC-002: every callback request satisfies the `(validate.rules)` annotations. */
export function checkCallbackRequestsValid(entries: JournalEntry[]): Violation[] {
  return entries
    .filter((entry) => entry.violations.length > 0)
    .map((entry) => {
      const broken = entry.violations.map((v) => `${v.path} (${v.rule})`).join(', ');
      return violation('SVC-002', `${entryLabel(entry)} must satisfy its validate rules; broke ${broken}`, {
        seq: entry.seq,
        rpc: entry.rpc,
        violations: entry.violations,
      });
    });
}

/** SVC-003: each LogBlock has text, a defined severity and a created_at in Unix seconds near `nowSeconds`. */
export function checkLogBlocks(entries: JournalEntry[], nowSeconds: number): Violation[] {
  const now = BigInt(Math.trunc(nowSeconds));
  return entries.filter(isLogEntry).flatMap((entry) =>
    blocksOf(entry).flatMap((block, i) =>
      blockProblems(block, now).map((problem) => violation('SVC-003', `${blockLabel(entry, i)}: ${problem}`, block)),
    ),
  );
}

/** What is wrong with one LogBlock, one sentence per field. */
function blockProblems(block: any, now: bigint): string[] {
  const problems: string[] = [];
  if (typeof block?.log !== 'string' || block.log === '') problems.push('log must be non-empty');
  if (!SEVERITIES.has(block?.severity)) problems.push(`severity must be INFO, SUCCESS or ERROR; got ${enumText(block?.severity)}`);
  const created = toBigInt(block?.created_at);
  const shown = JSON.stringify(block?.created_at ?? null);
  if (created === undefined || created <= 0n) problems.push(`created_at must be > 0; got ${shown}`);
  else if (created < now - DAY_SECONDS || created > now + DAY_SECONDS) {
    problems.push(`created_at must be Unix seconds within 1 day of now (${now}); got ${shown}`);
  }
  return problems;
}

/** What a block says, to tell a resend of the same block from a different block under a reused index. */
function blockSignature(block: any): string {
  return JSON.stringify([block?.log ?? '', block?.severity ?? null, String(toBigInt(block?.created_at) ?? block?.created_at)]);
}

interface IndexState {
  seen: Map<bigint, string>;
  max?: bigint;
}

/**
 * SVC-004: per (deployment, stage, retried_count), indexes strictly increase within a request; across requests an
 * index already seen carries the same block (checkpoints resend), and a new index exceeds every earlier one.
 */
export function checkLogIndexes(entries: JournalEntry[]): Violation[] {
  const states = new Map<string, IndexState>();
  return entries.filter(isLogEntry).flatMap((entry) => {
    const key = logKey(entry.request);
    const state = states.get(key) ?? { seen: new Map<bigint, string>() };
    states.set(key, state);
    const indexed = blocksOf(entry)
      .map((block, position) => ({ block, position, index: toBigInt(block?.index) }))
      .filter((b): b is { block: any; position: number; index: bigint } => b.index !== undefined);
    const found = [...withinRequest(entry, indexed), ...againstEarlier(entry, indexed, state)];
    for (const { block, index } of indexed) {
      if (!state.seen.has(index)) state.seen.set(index, blockSignature(block));
      if (state.max === undefined || index > state.max) state.max = index;
    }
    return found;
  });
}

type IndexedBlock = { block: any; position: number; index: bigint };

/** SVC-004 within one request: each index is greater than the one before it. */
function withinRequest(entry: JournalEntry, indexed: IndexedBlock[]): Violation[] {
  return indexed.slice(1).flatMap((b, i) => {
    const prev = indexed[i];
    if (b.index > prev.index) return [];
    const message = `${blockLabel(entry, b.position)}: index must be greater than the previous block's; got ${b.index} after ${prev.index}`;
    return [violation('SVC-004', message, [prev.block, b.block])];
  });
}

/** SVC-004 across requests: compared with what earlier requests for the same key sent. */
function againstEarlier(entry: JournalEntry, indexed: IndexedBlock[], state: IndexState): Violation[] {
  return indexed.flatMap(({ block, position, index }) => {
    const earlier = state.seen.get(index);
    if (earlier !== undefined) {
      if (earlier === blockSignature(block)) return [];
      const message = `${blockLabel(entry, position)}: index ${index} was already sent with a different block (reused index)`;
      return [violation('SVC-004', message, { earlier: JSON.parse(earlier), now: block })];
    }
    if (state.max === undefined || index > state.max) return [];
    const message = `${blockLabel(entry, position)}: new index ${index} must be greater than every index sent before (max ${state.max})`;
    return [violation('SVC-004', message, block)];
  });
}

/**
 * SVC-005: once a ReportStageLogsFromLastCheckpoint with completed=true was accepted for a stage log, no further log
 * RPC targets it (piped would answer FAILED_PRECONDITION). A rejected completion seals nothing, so its retry is fine.
 */
export function checkNothingAfterCompleted(entries: JournalEntry[]): Violation[] {
  const sealedBy = new Map<string, JournalEntry>();
  return entries.filter(isLogEntry).flatMap((entry) => {
    const key = logKey(entry.request);
    const seal = sealedBy.get(key);
    if (seal) {
      const message = `${entryLabel(entry)} sent logs for ${logKeyText(entry.request)} after ${entryLabel(seal)} completed it`;
      return [violation('SVC-005', message, { seq: entry.seq, rpc: entry.rpc, request: entry.request, completedBy: seal.seq })];
    }
    const accepted = entry.status === undefined || entry.status.code === 0;
    if (entry.rpc === 'ReportStageLogsFromLastCheckpoint' && entry.request?.completed === true && accepted) sealedBy.set(key, entry);
    return [];
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Journal-wide and per-execution SVC checks. Every message names the callback and the case it is attributed to.

/** One ExecuteStage the harness made, with what came back: the facts per-execution SVC checks judge. */
export interface ExecutionRecord {
  label: string;
  request: any;
  outcome: CallOutcome;
}

/** A callback with its case: `callback #7 PutStageMetadata (case "facts: execute PIPELINE plan")`. */
function where(entry: JournalEntry): string {
  return entry.caseId === undefined ? entryLabel(entry) : `${entryLabel(entry)} (case ${JSON.stringify(entry.caseId)})`;
}

function accepted(entry: JournalEntry): boolean {
  return entry.status === undefined || entry.status.code === 0;
}

/** The ids an ExecuteStage request is about. */
function executionIds(request: any): { deploymentId: string; applicationId: string; stageId: string; retriedCount: number } {
  const input = request?.input ?? {};
  return {
    deploymentId: input.deployment?.id ?? '',
    applicationId: input.deployment?.application_id ?? '',
    stageId: input.stage?.id ?? '',
    retriedCount: Number(input.stage?.retried_count ?? 0),
  };
}

/** Metadata names that carry credentials: piped's PluginService has no authentication at all. */
const CREDENTIAL_KEY = /^(authorization|proxy-authorization|cookie)$|auth|token|api[-_]?key|secret|passw|credential/i;

/**
 * SVC-001: the plugin reached the fake piped, which serves plaintext gRPC only, so every journaled callback came in
 * plaintext; what remains to judge is that no callback carried credentials in its metadata. One violation per
 * offending metadata key, with how many callbacks sent it.
 */
export function checkNoAuthMetadata(entries: JournalEntry[]): Violation[] {
  const byKey = new Map<string, JournalEntry[]>();
  for (const entry of entries) {
    for (const key of entry.metadataKeys ?? []) {
      // Pseudo-headers (`:authority`) and grpc-* transport headers are the transport's, not the plugin's.
      if (!key.startsWith(':') && !key.startsWith('grpc-') && CREDENTIAL_KEY.test(key)) byKey.set(key, [...(byKey.get(key) ?? []), entry]);
    }
  }
  return [...byKey].map(([key, carriers]) => violation(
    'SVC-001',
    `${carriers.length} callback(s) sent metadata "${key}", first ${where(carriers[0])}; piped's PluginService is plaintext without authentication, so send no credentials`,
    { key, seqs: carriers.map((e) => e.seq).slice(0, 20) },
  ));
}

/**
 * Log entries piped would have processed: a request the PGV interceptor rejected, or gRPC refused as over 4 MiB
 * (PROC-018 judges that), never reached the log store.
 */
function processedLogEntries(entries: JournalEntry[]): JournalEntry[] {
  return entries.filter((e) => isLogEntry(e) && e.status?.codeName !== 'INVALID_ARGUMENT' && e.status?.codeName !== 'RESOURCE_EXHAUSTED');
}

function indexesOf(entry: JournalEntry): bigint[] {
  return blocksOf(entry).map((b) => toBigInt(b?.index)).filter((i): i is bigint => i !== undefined);
}

/**
 * SVC-006 (checkpoint payloads): for every stage log sealed by an accepted completed=true checkpoint, the accepted
 * checkpoints together carry every block the plugin sent for it before the seal, since only checkpoints reach
 * durable storage. Also: an accepted ReportStageLogs carries only blocks not yet accepted (new blocks).
 */
export function checkCheckpointPayloads(entries: JournalEntry[]): Violation[] {
  const byKey = new Map<string, JournalEntry[]>();
  for (const entry of processedLogEntries(entries)) byKey.set(logKey(entry.request), [...(byKey.get(logKey(entry.request)) ?? []), entry]);
  return [...byKey.values()].flatMap((log) => [...uncheckpointedBlocks(log), ...resentBlocks(log)]);
}

function isSeal(entry: JournalEntry): boolean {
  return entry.rpc === 'ReportStageLogsFromLastCheckpoint' && entry.request?.completed === true && accepted(entry);
}

function uncheckpointedBlocks(log: JournalEntry[]): Violation[] {
  const sealAt = log.findIndex(isSeal);
  if (sealAt < 0) return [];
  const beforeSeal = log.slice(0, sealAt + 1);
  const checkpointed = new Set(beforeSeal.filter((e) => e.rpc === 'ReportStageLogsFromLastCheckpoint' && accepted(e)).flatMap(indexesOf));
  const missing = [...new Set(beforeSeal.flatMap(indexesOf))].filter((i) => !checkpointed.has(i));
  if (!missing.length) return [];
  const seal = log[sealAt];
  const shown = missing.slice(0, 10).join(', ') + (missing.length > 10 ? ', …' : '');
  return [violation(
    'SVC-006',
    `${where(seal)} sealed ${logKeyText(seal.request)}, but ${missing.length} block(s) sent for it never reached an accepted checkpoint (indexes ${shown}); a checkpoint must carry every block since the previous successful one`,
    { sealedBy: seal.seq, missingIndexes: missing.map(String) },
  )];
}

function resentBlocks(log: JournalEntry[]): Violation[] {
  const delivered = new Set<bigint>();
  return log.flatMap((entry) => {
    const indexes = indexesOf(entry);
    const again = entry.rpc === 'ReportStageLogs' && accepted(entry) ? indexes.filter((i) => delivered.has(i)) : [];
    if (accepted(entry)) indexes.forEach((i) => delivered.add(i));
    if (!again.length) return [];
    return [violation('SVC-006', `${where(entry)} resent block(s) ${again.join(', ')} already accepted for ${logKeyText(entry.request)}; ReportStageLogs carries only new blocks`, { seq: entry.seq })];
  });
}

const FINAL_STATUSES: ReadonlySet<string> = new Set(LEGAL_FINAL_STATUSES);

function finishedNormally(outcome: CallOutcome): boolean {
  return outcome.ok && FINAL_STATUSES.has(outcome.response?.status);
}

/**
 * SVC-006 (completion order): a stage that finished normally and logged anything has its log sealed by an accepted
 * completed=true checkpoint before the ExecuteStage response (the callbacks journaled by the time the answer came).
 * As in the SDK, no final report is needed when nothing was logged since the last accepted checkpoint.
 */
export function checkCompletedBeforeResponse(runs: ExecutionRecord[]): Violation[] {
  return runs.flatMap(({ label, request, outcome }) => {
    if (!outcome.ok || !finishedNormally(outcome)) return [];
    const ids = executionIds(request);
    const logRequest = { deployment_id: ids.deploymentId, stage_id: ids.stageId, retried_count: ids.retriedCount };
    const key = logKey(logRequest);
    const logs = outcome.callbacks.filter((e) => isLogEntry(e) && logKey(e.request) === key && e.status?.codeName !== 'INVALID_ARGUMENT');
    if (!logs.length || logs.some(isSeal)) return [];
    const checkpoints = logs.map((e, i) => (e.rpc === 'ReportStageLogsFromLastCheckpoint' && accepted(e) ? i : -1));
    const lastCheckpoint = Math.max(...checkpoints);
    if (lastCheckpoint >= 0 && logs.slice(lastCheckpoint + 1).every((e) => indexesOf(e).length === 0)) return [];
    return [violation(
      'SVC-006',
      `${label}: answered ${outcome.response.status} before an accepted ReportStageLogsFromLastCheckpoint with completed=true for ${logKeyText(logRequest)}; send the final checkpoint before returning the response`,
      { logCallbacks: logs.map((e) => ({ seq: e.seq, rpc: e.rpc, completed: e.request?.completed, status: e.status?.codeName ?? 'OK' })) },
    )];
  });
}

/** SVC-007: every log callback for the executing stage carries the request's stage.retried_count. */
export function checkLogRetriedCount(runs: ExecutionRecord[]): Violation[] {
  return runs.flatMap(({ label, request, outcome }) => {
    const ids = executionIds(request);
    return outcome.callbacks
      .filter((e) => isLogEntry(e) && e.request?.deployment_id === ids.deploymentId && e.request?.stage_id === ids.stageId)
      .filter((e) => Number(e.request?.retried_count ?? 0) !== ids.retriedCount)
      .map((e) => violation('SVC-007', `${label}: ${where(e)} sent retried_count ${Number(e.request?.retried_count ?? 0)}; the request's stage.retried_count is ${ids.retriedCount}`, { seq: e.seq }));
  });
}

/** The deployment-scoped metadata RPCs, answerable only while piped handles the deployment (CATALOGUE §3.3–§3.5). */
export const METADATA_RPCS: readonly string[] = [
  'GetStageMetadata', 'PutStageMetadata', 'PutStageMetadataMulti',
  'GetDeploymentPluginMetadata', 'PutDeploymentPluginMetadata', 'PutDeploymentPluginMetadataMulti', 'GetDeploymentSharedMetadata',
];

/** A metadata call outside every window of its deployment; `afterMs` since the last close (absent: before the first open). */
interface OutOfWindow {
  entry: JournalEntry;
  afterMs?: number;
}

/** Where a metadata call sits against its deployment's windows: undefined when inside one. */
function outsideWindows(entry: JournalEntry, windows: DeploymentWindow[]): OutOfWindow | undefined {
  const own = windows.filter((w) => w.deploymentId === entry.request?.deployment_id);
  if (own.some((w) => entry.time >= w.openedAt && (w.closedAt === undefined || entry.time <= w.closedAt))) return undefined;
  const closes = own.map((w) => w.closedAt).filter((t): t is number => t !== undefined && t <= entry.time);
  return closes.length ? { entry, afterMs: entry.time - Math.max(...closes) } : { entry };
}

/**
 * Metadata calls outside their deployment's window (piped answers UNKNOWN "metadata store not found"). Deployments the
 * harness never opened are not judged (a planning call sent without a window would be the harness's doing), nor are
 * calls an injected fault answered.
 */
function outOfWindow(entries: JournalEntry[], windows: DeploymentWindow[]): OutOfWindow[] {
  const opened = new Set(windows.map((w) => w.deploymentId));
  return entries
    .filter((e) => METADATA_RPCS.includes(e.rpc) && e.fault === undefined && opened.has(e.request?.deployment_id))
    .flatMap((entry) => outsideWindows(entry, windows) ?? []);
}

function windowMessage(entry: JournalEntry, afterMs: number | undefined): string {
  const when = afterMs === undefined ? 'before piped opened the deployment' : `${afterMs} ms after piped stopped handling the deployment`;
  return `${where(entry)} for deployment ${JSON.stringify(entry.request?.deployment_id)} arrived ${when}; real piped answers UNKNOWN "metadata store not found" outside planning and ExecuteStage`;
}

/** SVC-008: no metadata call arrives outside its deployment's window, except within `graceMs` after it closed (see the warnings). */
export function checkMetadataWithinWindow(entries: JournalEntry[], windows: DeploymentWindow[], graceMs = 1_000): Violation[] {
  return outOfWindow(entries, windows)
    .filter(({ afterMs }) => afterMs === undefined || afterMs > graceMs)
    .map(({ entry, afterMs }) => violation('SVC-008', windowMessage(entry, afterMs), { seq: entry.seq, request: entry.request }));
}

/** SVC-008 warnings: metadata calls up to `graceMs` after the window closed (a race with piped, worth a look). */
export function metadataJustAfterWindow(entries: JournalEntry[], windows: DeploymentWindow[], graceMs = 1_000): Violation[] {
  return outOfWindow(entries, windows)
    .filter(({ afterMs }) => afterMs !== undefined && afterMs <= graceMs)
    .map(({ entry, afterMs }) => violation('SVC-008', windowMessage(entry, afterMs), { seq: entry.seq }));
}

const STAGE_METADATA_WRITES = ['PutStageMetadata', 'PutStageMetadataMulti'];

/** SVC-010: stage-metadata writes made during an ExecuteStage target that stage (of that deployment) only. */
export function checkStageMetadataWritesOwnStage(runs: ExecutionRecord[]): Violation[] {
  return runs.flatMap(({ label, request, outcome }) => {
    const ids = executionIds(request);
    return outcome.callbacks
      .filter((e) => STAGE_METADATA_WRITES.includes(e.rpc) && e.request?.deployment_id === ids.deploymentId && e.request?.stage_id !== ids.stageId)
      .map((e) => violation('SVC-010', `${label}: ${where(e)} wrote metadata of stage ${JSON.stringify(e.request?.stage_id)}; write only the executing stage's (${JSON.stringify(ids.stageId)})`, { seq: e.seq, request: e.request }));
  });
}

/** SVC-011: deployment plugin metadata is written only in the plugin's own namespace (its config name). */
export function checkPluginMetadataNamespace(entries: JournalEntry[], pluginName: string): Violation[] {
  return entries
    .filter((e) => e.rpc === 'PutDeploymentPluginMetadata' || e.rpc === 'PutDeploymentPluginMetadataMulti')
    .filter((e) => e.request?.plugin_name !== pluginName)
    .map((e) => violation('SVC-011', `${where(e)} wrote plugin metadata under plugin_name ${JSON.stringify(e.request?.plugin_name ?? '')}; use the plugin's own name ${JSON.stringify(pluginName)}`, { seq: e.seq, request: e.request }));
}

/** The pipecd key piped reads approvers from (CATALOGUE §3.3). */
export const APPROVED_USERS_KEY = 'pipecd/stage-approved-users';

/** What the SVC-013 scenario did: empty polls first, then the same commands (with noise) on every call. */
export interface CommandScenario {
  /** The approval stage's ExecuteStage. */
  run: ExecutionRecord;
  /** ListStageCommands answers with an empty list before the commands appeared. */
  emptyPolls: number;
  /** Commanders of the APPROVE_STAGE commands the fake listed (each listed twice, under one id). */
  approvers: string[];
  /** Commanders of commands of other types the fake mixed in, which must have no effect. */
  noiseCommanders: string[];
}

/**
 * SVC-013: after empty ListStageCommands answers, the same approval (listed twice under one id, with commands of
 * other types) on every call ends the stage once, as approved: STAGE_SUCCESS, and any approved-users metadata
 * names each approver once and no noise commander.
 */
export function checkCommandsHandled(scenario: CommandScenario): Violation[] {
  const { run, emptyPolls } = scenario;
  const ids = executionIds(run.request);
  const context = `after ${emptyPolls} empty ListStageCommands answer(s) and then one APPROVE_STAGE repeated on every call (twice per list, one id, mixed with other command types)`;
  if (!run.outcome.ok || run.outcome.response?.status !== 'STAGE_SUCCESS') {
    const got = run.outcome.ok ? `status ${enumText(run.outcome.response?.status)}` : `${run.outcome.status.codeName}: ${run.outcome.status.details}`;
    return [violation('SVC-013', `${run.label}: ${context}, the stage must succeed; got ${got}`)];
  }
  return run.outcome.callbacks
    .filter((e) => STAGE_METADATA_WRITES.includes(e.rpc) && e.request?.stage_id === ids.stageId)
    .flatMap((e) => approvedUsersIn(e).map((users) => ({ e, users })))
    .flatMap(({ e, users }) => approverProblems(users, scenario).map((problem) => violation('SVC-013', `${run.label}: ${where(e)} ${problem} (${context})`, { seq: e.seq, value: users.join(',') })));
}

function approvedUsersIn(entry: JournalEntry): string[][] {
  const value = entry.rpc === 'PutStageMetadata' ? (entry.request?.key === APPROVED_USERS_KEY ? entry.request?.value : undefined) : entry.request?.metadata?.[APPROVED_USERS_KEY];
  return typeof value === 'string' ? [value.split(',').map((u) => u.trim()).filter(Boolean)] : [];
}

function approverProblems(users: string[], scenario: CommandScenario): string[] {
  const repeated = users.filter((u, i) => users.indexOf(u) !== i);
  const noise = users.filter((u) => scenario.noiseCommanders.includes(u));
  return [
    ...(repeated.length ? [`lists approver(s) ${[...new Set(repeated)].join(', ')} more than once in ${APPROVED_USERS_KEY}: dedup commands by Command.id`] : []),
    ...(noise.length ? [`lists ${noise.join(', ')} in ${APPROVED_USERS_KEY}, who sent only commands of other types: filter by Command.type`] : []),
  ];
}

/** ListStageCommands calls a minute above which polling is no longer "modest" (the SDK polls every 5 s). */
export const MAX_COMMAND_POLLS_PER_MINUTE = 60;
/** Slack over the limit for timer jitter: a 1 s poll measured over a few seconds must not fail. */
const POLL_RATE_TOLERANCE = 1.1;

/**
 * SVC-014: the ListStageCommands rate for one waiting stage, extrapolated from the mean interval between its calls
 * (arrival times in ms). Fewer than two calls cannot exceed the limit.
 */
export function checkCommandPollRate(label: string, callTimes: number[], limitPerMinute = MAX_COMMAND_POLLS_PER_MINUTE): Violation[] {
  if (callTimes.length < 2) return [];
  const sorted = [...callTimes].sort((a, b) => a - b);
  const spanMs = Math.max(1, sorted.at(-1)! - sorted[0]);
  const perMinute = ((sorted.length - 1) * 60_000) / spanMs;
  if (perMinute <= limitPerMinute * POLL_RATE_TOLERANCE) return [];
  return [violation('SVC-014', `${label}: ${sorted.length} ListStageCommands calls in ${spanMs} ms, about ${Math.round(perMinute)} a minute; poll at most about ${limitPerMinute} times a minute (the SDK polls every 5 s)`, { callTimes: sorted })];
}

/**
 * SVC-015: InstallTool requests have a name, version and script; the script is a template the fake could render
 * (only the six fields) and that left a file at {{.OutPath}}; and each handed-out tool was then run or read at the
 * returned installed_path. A script that merely failed (no network, say) is not judged.
 */
export function checkInstallTool(entries: JournalEntry[], tools: InstalledTool[]): Violation[] {
  const calls = entries.filter((e) => e.rpc === 'InstallTool');
  return [...calls.flatMap(installRequestProblems), ...tools.filter((t) => t.used === false).map(unusedTool)];
}

function installRequestProblems(entry: JournalEntry): Violation[] {
  const empty = ['name', 'version', 'install_script'].filter((f) => typeof entry.request?.[f] !== 'string' || entry.request[f] === '');
  const found = empty.length ? [violation('SVC-015', `${where(entry)}: ${empty.join(', ')} must be non-empty`, { seq: entry.seq })] : [];
  const details = entry.status?.details ?? '';
  if (/bad install script/.test(details)) {
    found.push(violation('SVC-015', `${where(entry)}: the install script is not a Go template piped can render with only {{.Name}} {{.Version}} {{.OutPath}} {{.TmpDir}} {{.Arch}} {{.Os}}: ${details}`, { seq: entry.seq, script: entry.request?.install_script }));
  } else if (/left nothing at \{\{\.OutPath\}\}/.test(details)) {
    found.push(violation('SVC-015', `${where(entry)}: the install script must leave an executable at {{.OutPath}}: ${details}`, { seq: entry.seq, script: entry.request?.install_script }));
  }
  return found;
}

function unusedTool(tool: InstalledTool): Violation {
  return violation('SVC-015', `InstallTool answered installed_path ${tool.installedPath} for ${tool.name} ${tool.version}, but nothing ran or read that file afterwards; use the returned installed_path`, tool);
}

/** SVC-016: one name-version is always requested with the same install script (piped caches by name-version only). */
export function checkToolScriptsStable(entries: JournalEntry[]): Violation[] {
  const scripts = new Map<string, { first: JournalEntry; distinct: Set<string> }>();
  for (const entry of entries.filter((e) => e.rpc === 'InstallTool')) {
    const key = `${entry.request?.name ?? ''} ${entry.request?.version ?? ''}`;
    const seen = scripts.get(key) ?? { first: entry, distinct: new Set<string>() };
    seen.distinct.add(String(entry.request?.install_script ?? ''));
    scripts.set(key, seen);
  }
  return [...scripts]
    .filter(([, s]) => s.distinct.size > 1)
    .map(([key, s]) => violation('SVC-016', `InstallTool ${key} was requested with ${s.distinct.size} different install scripts (first ${where(s.first)}); piped runs only the first for a name-version, so change the version when the script changes`, { scripts: [...s.distinct] }));
}

const SHARED_OBJECT_RPCS = ['GetApplicationSharedObject', 'PutApplicationSharedObject'];

/** SVC-017 (requests): shared-object calls made during an ExecuteStage name its application, the plugin's own name and a key. */
export function checkSharedObjectRequests(runs: ExecutionRecord[], pluginName: string): Violation[] {
  return runs.flatMap(({ label, request, outcome }) => {
    const { applicationId } = executionIds(request);
    return outcome.callbacks.filter((e) => SHARED_OBJECT_RPCS.includes(e.rpc)).flatMap((e) => {
      const problems: string[] = [];
      if (e.request?.application_id !== applicationId) problems.push(`application_id ${JSON.stringify(e.request?.application_id ?? '')} must be the deployment's application_id ${JSON.stringify(applicationId)}`);
      if (e.request?.plugin_name !== pluginName) problems.push(`plugin_name ${JSON.stringify(e.request?.plugin_name ?? '')} should be the plugin's own name ${JSON.stringify(pluginName)}`);
      if (typeof e.request?.key !== 'string' || e.request.key === '') problems.push('key must be non-empty');
      return problems.map((p) => violation('SVC-017', `${label}: ${where(e)}: ${p}`, { seq: e.seq }));
    });
  });
}

/** A stage whose shared-object Get was answered NOT_FOUND, and the same stage re-run with those objects present. */
export interface AbsentObjectTrial {
  label: string;
  absent: CallOutcome;
  present: CallOutcome;
}

function succeeded(outcome: CallOutcome): boolean {
  return finishedNormally(outcome) && outcome.ok && outcome.response.status !== 'STAGE_FAILURE';
}

/**
 * SVC-017 (NOT_FOUND): a stage that failed after a shared-object Get answered NOT_FOUND, yet succeeds when the object
 * exists, treated NOT_FOUND as an error instead of "absent".
 */
export function checkNotFoundMeansAbsent(trials: AbsentObjectTrial[]): Violation[] {
  return trials
    .filter((t) => !succeeded(t.absent) && succeeded(t.present))
    .map((t) => {
      const got = t.absent.ok ? enumText(t.absent.response?.status) : `${t.absent.status.codeName}: ${t.absent.status.details}`;
      return violation('SVC-017', `${t.label}: failed (${got}) when GetApplicationSharedObject answered NOT_FOUND, but succeeded once the object existed; NOT_FOUND means "absent", not an error`);
    });
}

/** One stage executed while a fault plan was active, for SVC-019. */
export interface FaultedExecution {
  plan: string;
  label: string;
  outcome: CallOutcome;
}

/**
 * SVC-019: under injected PluginService errors and latency, every ExecuteStage still ends (a legal final status or
 * any non-OK gRPC status) within the harness budget, the process stays up, and it answers afterwards (`probe`).
 */
export function checkSurvivesHostFaults(runs: FaultedExecution[], exit: ExitInfo | undefined, probe: CallOutcome | undefined): Violation[] {
  const found = runs.flatMap(({ plan, label, outcome }) => {
    if (!outcome.ok && outcome.status.codeName === 'HARNESS_TIMEOUT') {
      return [violation('SVC-019', `fault plan ${plan}: ${label} did not answer (${outcome.status.details}); a failing PluginService call may fail the stage but must not hang it`)];
    }
    if (outcome.ok && !FINAL_STATUSES.has(outcome.response?.status)) {
      return [violation('SVC-019', `fault plan ${plan}: ${label} answered OK with status ${enumText(outcome.response?.status)}; answer a final status (or a non-OK gRPC status)`, outcome.response)];
    }
    return [];
  });
  if (exit) {
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    found.push(violation('SVC-019', `the plugin ${how} while PluginService calls were failing (plans ${[...new Set(runs.map((r) => r.plan))].join(', ')}); a failed callback must not crash the plugin`));
  } else if (probe && !probe.ok) {
    found.push(violation('SVC-019', `after the fault plans, FetchDefinedStages answered ${probe.status.codeName}: ${probe.status.details}; the plugin must keep serving`));
  }
  return found;
}

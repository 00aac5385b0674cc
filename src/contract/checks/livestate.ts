// LIVE-*: GetLivestate answers as piped's live-state reporter and the control plane consume them (CATALOGUE §2.7).
import type { JournalEntry } from '../../host/types.js';
import type { CallOutcome } from '../../session-types.js';
import type { Violation } from '../violation.js';
import { entryLabel, enumText, outcomeText, toBigInt, violation } from './common.js';

const RESOURCE_HEALTH = ['UNKNOWN', 'HEALTHY', 'UNHEALTHY'];
const SYNC_STATUSES = ['UNKNOWN', 'SYNCED', 'DEPLOYING', 'OUT_OF_SYNC', 'INVALID_CONFIG'];

function resourcesOf(response: any): any[] {
  return Array.isArray(response?.application_live_state?.resources) ? response.application_live_state.resources : [];
}

function resourceLabel(resource: any, position: number): string {
  return `resources[${position}] ${JSON.stringify(resource?.id ?? '')}`;
}

/** LIVE-001: a served GetLivestate answers a valid request OK, with sync_state (piped dereferences it when merging). */
export function checkLivestateSyncState(outcome: CallOutcome): Violation[] {
  if (!outcome.ok) {
    if (outcome.status.codeName === 'UNIMPLEMENTED') return [];
    return [violation('LIVE-001', `a valid GetLivestate request must be answered OK with sync_state; got ${outcomeText(outcome)}`)];
  }
  if (outcome.response?.sync_state) return [];
  return [violation('LIVE-001', 'an OK GetLivestate answer must include sync_state; piped dereferences it when merging sync states and panics on a missing one', outcome.response)];
}

/** LIVE-002: every ResourceState passes the control plane's validation, or the whole snapshot is rejected. */
export function checkResourceStates(response: any): Violation[] {
  return resourcesOf(response).flatMap((resource, i) => resourceProblems(resource).map((problem) => violation('LIVE-002', `${resourceLabel(resource, i)}: ${problem}`, resource)));
}

function resourceProblems(resource: any): string[] {
  const problems: string[] = [];
  if (typeof resource?.id !== 'string' || resource.id === '') problems.push('id must be non-empty');
  if (typeof resource?.name !== 'string' || resource.name === '') problems.push('name must be non-empty');
  if (!RESOURCE_HEALTH.includes(resource?.health_status)) problems.push(`health_status must be UNKNOWN, HEALTHY or UNHEALTHY; got ${enumText(resource?.health_status)}`);
  for (const field of ['created_at', 'updated_at']) {
    const value = toBigInt(resource?.[field]);
    if (value === undefined || value <= 0n) problems.push(`${field} must be > 0 (Unix seconds); got ${JSON.stringify(resource?.[field] ?? null)}`);
  }
  return problems;
}

/** LIVE-003: sync_state.status is a defined status a plugin may report (DEPLOYING is piped's), and timestamp > 0. */
export function checkSyncState(response: any): Violation[] {
  const state = response?.sync_state;
  if (!state) return [];
  const found: Violation[] = [];
  if (!SYNC_STATUSES.includes(state.status)) {
    found.push(violation('LIVE-003', `sync_state.status must be a defined ApplicationSyncStatus (piped treats an undefined one like SYNCED); got ${enumText(state.status)}`, state));
  } else if (state.status === 'DEPLOYING') {
    found.push(violation('LIVE-003', 'sync_state.status DEPLOYING is piped\'s to set; report SYNCED, OUT_OF_SYNC, INVALID_CONFIG or UNKNOWN', state));
  }
  const timestamp = toBigInt(state.timestamp);
  if (timestamp === undefined || timestamp <= 0n) found.push(violation('LIVE-003', `sync_state.timestamp must be > 0; got ${JSON.stringify(state.timestamp ?? null)}`, state));
  return found;
}

/** LIVE-004: resources carry the plugin's own name, one of the requested deploy targets, and parents in the same answer. */
export function checkResourceOwnership(response: any, requestTargets: readonly string[], pluginName: string): Violation[] {
  const resources = resourcesOf(response);
  const ids = new Set(resources.map((r) => r?.id));
  return resources.flatMap((resource, i) => {
    const problems: string[] = [];
    if (resource?.plugin_name !== pluginName) problems.push(`plugin_name must be the plugin's own name ${JSON.stringify(pluginName)}; got ${JSON.stringify(resource?.plugin_name ?? '')}`);
    if (!requestTargets.includes(resource?.deploy_target)) problems.push(`deploy_target ${JSON.stringify(resource?.deploy_target ?? '')} is not one of the requested ${JSON.stringify(requestTargets)}`);
    const orphans = ((resource?.parent_ids ?? []) as string[]).filter((p) => !ids.has(p));
    if (orphans.length) problems.push(`parent_ids ${JSON.stringify(orphans)} name no resource in the same answer`);
    return problems.map((problem) => violation('LIVE-004', `${resourceLabel(resource, i)}: ${problem}`, resource));
  });
}

/** The application health the SDK derives: UNKNOWN if any resource is, else OTHER if any is unhealthy, else HEALTHY. */
export function derivedApplicationHealth(resources: any[]): 'UNKNOWN' | 'OTHER' | 'HEALTHY' {
  const health = resources.map((r) => r?.health_status ?? 'UNKNOWN');
  if (health.some((h) => h === 'UNKNOWN' || !RESOURCE_HEALTH.includes(h))) return 'UNKNOWN';
  if (health.includes('UNHEALTHY')) return 'OTHER';
  return 'HEALTHY';
}

/** LIVE-005: application_live_state.health_status matches the health derived from its resources. */
export function checkApplicationHealth(response: any): Violation[] {
  const state = response?.application_live_state;
  if (!state) return [];
  const expected = derivedApplicationHealth(resourcesOf(response));
  const got = state.health_status ?? 'UNKNOWN';
  if (got === expected) return [];
  const health = resourcesOf(response).map((r) => enumText(r?.health_status ?? 'UNKNOWN'));
  return [violation('LIVE-005', `application_live_state.health_status must be ${expected} for resources with health [${health.join(', ')}]; got ${enumText(got)}`, { health_status: got, resources: health })];
}

/** LIVE-006: empty deploy_targets → INVALID_ARGUMENT (piped may send an empty list); an unknown target → non-OK. */
export function checkLivestateTargetErrors(emptyTargets: CallOutcome, unknownTarget: CallOutcome): Violation[] {
  const found: Violation[] = [];
  if (emptyTargets.ok || emptyTargets.status.codeName !== 'INVALID_ARGUMENT') {
    found.push(violation('LIVE-006', `GetLivestate with empty deploy_targets must answer INVALID_ARGUMENT; got ${outcomeText(emptyTargets)}`));
  }
  if (unknownTarget.ok) found.push(violation('LIVE-006', 'GetLivestate for a deploy target the plugin config does not have must answer a non-OK status; got OK', unknownTarget.response));
  return found;
}

/** piped polls live state every minute; an answer must come well within that. */
export const LIVESTATE_MAX_MS = 60_000;

/** PluginService calls that change piped's state (InstallTool only fills a local cache, so it is not one). */
export const WRITE_RPC = /^(Put|ReportStageLogs)/;

/** LIVE-007: the answer came within the polling period, and the call made no PluginService writes (`callbacks` are the call's own). */
export function checkLivestateReadOnly(label: string, outcome: CallOutcome, callbacks: JournalEntry[], maxMs = LIVESTATE_MAX_MS): Violation[] {
  const found = callbacks
    .filter((e) => WRITE_RPC.test(e.rpc))
    .map((e) => violation('LIVE-007', `${label}: made ${entryLabel(e)}; GetLivestate must be read-only`, { seq: e.seq, request: e.request }));
  if (outcome.durationMs >= maxMs) found.push(violation('LIVE-007', `${label}: took ${outcome.durationMs} ms; answer well within piped's ${maxMs / 1000} s polling period`));
  return found;
}

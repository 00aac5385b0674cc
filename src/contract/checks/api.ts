// API-*: which services a plugin must answer, and how it declines the optional ones.
import type { CallOutcome } from '../../session-types.js';
import type { ExitInfo } from '../../launch/types.js';
import type { Violation } from '../violation.js';
import { noAnswer, outcomeText, violation } from './common.js';

const UNIMPLEMENTED = 12;

/** API-001: FetchDefinedStages must answer OK, or real piped refuses to start. */
export function checkFetchDefinedStagesAnswered(outcome: CallOutcome): Violation[] {
  if (outcome.ok) return [];
  return [
    violation(
      'API-001',
      `FetchDefinedStages must return OK (piped aborts start-up otherwise); got ${outcomeText(outcome)}`,
      outcome.status,
    ),
  ];
}

/** API-002: an optional service (Livestate, PlanPreview) answers OK, or UNIMPLEMENTED when not supported. */
export function checkOptionalServiceAnswer(serviceName: string, outcome: CallOutcome): Violation[] {
  if (outcome.ok || outcome.status.code === UNIMPLEMENTED) return [];
  return [
    violation(
      'API-002',
      `${serviceName} must answer OK, or UNIMPLEMENTED (12) when not supported; got ${outcomeText(outcome)}`,
      outcome.status,
    ),
  ];
}

const INVALID_ARGUMENT = 3;
const PERMISSION_DENIED = 7;
const UNAUTHENTICATED = 16;

/** API-003: a request that breaks the `(validate.rules)` annotations is refused with INVALID_ARGUMENT. */
export function checkRejectsInvalidRequest(label: string, outcome: CallOutcome): Violation[] {
  if (!outcome.ok && outcome.status.code === INVALID_ARGUMENT) return [];
  return [violation('API-003', `${label} breaks the validate rules, so it must be refused with INVALID_ARGUMENT (3); got ${outcomeText(outcome)}`, outcome.ok ? outcome.response : outcome.status)];
}

/** The planning RPCs that read the application config from the deployment source. */
export type ConfigReadingMethod = 'DetermineVersions' | 'DetermineStrategy';

/**
 * API-004: an application config the plugin cannot parse gives a non-OK status (the SDK answers INTERNAL), not an
 * answer made up without the config. The SDK's stage plugins never read the config: their fixed answers (no
 * versions; unsupported=true) do not pretend to have read it, so they are fine.
 */
export function checkUnparseableConfigRefused(kind: 'stage' | 'deployment', method: ConfigReadingMethod, label: string, outcome: CallOutcome): Violation[] {
  if (!outcome.ok) {
    if (!noAnswer(outcome)) return [];
    return [violation('API-004', `${method} with ${label} must answer with an error status; it did not answer at all (${outcomeText(outcome)})`, outcome.status)];
  }
  if (kind === 'stage' && answersWithoutConfig(method, outcome.response)) return [];
  const message = `${method} with ${label} must fail with a non-OK status (the SDK answers INTERNAL "failed to parse deployment source"); it answered OK as if it had read the config`;
  return [violation('API-004', message, outcome.response)];
}

/** A stage plugin's config-independent answers: no versions, or unsupported=true. */
function answersWithoutConfig(method: ConfigReadingMethod, response: any): boolean {
  if (method === 'DetermineVersions') return !Array.isArray(response?.versions) || response.versions.length === 0;
  return response?.unsupported === true;
}

/** API-006: piped sends no metadata, so an answer asking for credentials means the plugin needs what it never gets. */
export function checkNoMetadataNeeded(label: string, outcome: CallOutcome): Violation[] {
  if (outcome.ok || (outcome.status.code !== UNAUTHENTICATED && outcome.status.code !== PERMISSION_DENIED)) return [];
  return [violation('API-006', `${label}, sent with no gRPC metadata as piped sends it, was refused with ${outcomeText(outcome)}; a plugin must not need metadata or auth`, outcome.status)];
}

/** One call of an unusual-but-valid request and its outcome. */
export interface LabelledOutcome {
  label: string;
  outcome: CallOutcome;
}

/** API-007: every valid-but-unusual request gets an answer (any status), and the process is still alive afterwards. */
export function checkSurvivesUnusualInput(calls: LabelledOutcome[], exit: ExitInfo | undefined): Violation[] {
  const hangs = calls
    .filter((c) => noAnswer(c.outcome))
    .map((c) => violation('API-007', `${c.label}: no answer (${outcomeText(c.outcome)}); a valid request must get an answer, an error status is fine`, c.outcome.ok ? undefined : c.outcome.status));
  if (!exit || exit.requested) return hangs;
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  const answered = calls.map((c) => `${c.label}: ${outcomeText(c.outcome)}`);
  return [...hangs, violation('API-007', `the plugin ${how} while answering valid-but-unusual requests; piped never restarts a plugin`, answered)];
}

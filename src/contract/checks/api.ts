// API-*: which services a plugin must answer, and how it declines the optional ones.
import type { CallOutcome } from '../../session-types.js';
import type { Violation } from '../violation.js';
import { outcomeText, violation } from './common.js';

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

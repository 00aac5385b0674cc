// What every pure check returns: the rule broken, why, and the evidence a person needs to see.
export interface Violation {
  rule: string;
  message: string;
  evidence?: unknown;
}

/** Formats violations for an assertion message: one per line, rule first. */
export function formatViolations(violations: Violation[]): string {
  return violations
    .map((v) => `${v.rule}: ${v.message}${v.evidence === undefined ? '' : `\n    evidence: ${JSON.stringify(v.evidence)}`}`)
    .join('\n');
}

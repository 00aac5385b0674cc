// What every pure check returns: the rule broken, why, and the evidence a person needs to see.
export interface Violation {
  rule: string;
  message: string;
  evidence?: unknown;
}

/** Formats violations for an assertion message: one per line, rule first. */
export function formatViolations(violations: Violation[]): string {
  return violations
    .map((v) => `${v.rule}: ${v.message}${v.evidence === undefined ? '' : `\n    evidence: ${evidenceText(v.evidence)}`}`)
    .join('\n');
}

/** Evidence as compact JSON, cut at a readable length (the JSON report keeps the full messages). */
function evidenceText(evidence: unknown, max = 1_500): string {
  const text = JSON.stringify(evidence, (_key, value) => (value?.type === 'Buffer' && Array.isArray(value.data) ? Buffer.from(value.data).toString('utf8') : value));
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}

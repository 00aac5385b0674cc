// JUnit XML from the harness's outcomes (the same data as results.json), so every outcome keeps its meaning in CI
// tools: a failure is <failure>, and a rule skipped, not applicable or not exercised is <skipped> with its reason, as
// is a failure the --baseline excuses (`expected failure: <reason>`).
import type { OutcomeState, TestOutcome } from './outcome.js';

/** How each outcome that is neither passed nor failed reads in a <skipped message="…">. */
const SKIP_PREFIX: Partial<Record<OutcomeState, string>> = {
  unsupported: 'does not apply',
  'not-exercised': 'not exercised',
  skipped: 'skipped',
};

/** XML 1.0 text: the five entities escaped, characters XML cannot carry dropped (plugin output may hold any byte). */
export function xmlText(text: string): string {
  return text
    .replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function testcase(o: TestOutcome): string {
  const head = `    <testcase classname="${xmlText(o.file)}" name="${xmlText(o.name)}" time="${(o.durationMs / 1000).toFixed(3)}"`;
  const message = o.messages.join('\n\n');
  if (o.state === 'passed') return `${head}/>`;
  if (o.state === 'failed' || o.state === 'setup-error' || o.state === 'harness-error') {
    const kind = o.state === 'failed' ? 'failure' : 'error';
    const first = (o.messages[0] ?? '').split('\n')[0];
    const type = { failed: 'RuleViolation', 'setup-error': 'SetupError', 'harness-error': 'HarnessError' }[o.state];
    const body = o.stack ? `${message}\n\n${o.stack}` : message;
    return `${head}>\n      <${kind} message="${xmlText(first)}" type="${type}">${xmlText(body)}</${kind}>\n    </testcase>`;
  }
  // Excused by the --baseline: skipped (CI stays green) with the entry's reason; the failure itself as the text.
  if (o.state === 'expected-failure') return `${head}>\n      <skipped message="${xmlText(`expected failure: ${o.baseline?.reason ?? ''}`)}">${xmlText(message)}</skipped>\n    </testcase>`;
  return `${head}>\n      <skipped message="${xmlText(`${SKIP_PREFIX[o.state] ?? o.state}: ${message}`)}"/>\n    </testcase>`;
}

/** One <testsuite> per suite file, in the order the outcomes came. */
export function renderJunit(outcomes: TestOutcome[], suiteName = 'plugin-conformance'): string {
  const files = new Map<string, TestOutcome[]>();
  for (const o of outcomes) files.set(o.file, [...(files.get(o.file) ?? []), o]);
  const count = (list: TestOutcome[], states: OutcomeState[]) => list.filter((o) => states.includes(o.state)).length;
  const attrs = (list: TestOutcome[]) =>
    `tests="${list.length}" failures="${count(list, ['failed'])}" errors="${count(list, ['setup-error', 'harness-error'])}" ` +
    `skipped="${count(list, ['unsupported', 'not-exercised', 'skipped', 'expected-failure'])}" time="${(list.reduce((t, o) => t + o.durationMs, 0) / 1000).toFixed(3)}"`;
  const suites = [...files].map(([file, list]) => `  <testsuite name="${xmlText(file)}" ${attrs(list)}>\n${list.map(testcase).join('\n')}\n  </testsuite>`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${xmlText(suiteName)}" ${attrs(outcomes)}>\n${suites.join('\n')}\n</testsuites>\n`;
}

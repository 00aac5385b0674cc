// `plugin-conformance github-summary [results.json] [--exit-code N]`: what the GitHub Action (action.yml) shows of a
// run: a Markdown job summary (verdict, counts by rule group and level, each failure with its rule, message and a
// replay command) appended to $GITHUB_STEP_SUMMARY, the step outputs `verdict`, `exit-code` and `release` appended to
// $GITHUB_OUTPUT, and one workflow command per failure (`::error title=RULE::message`; `::warning` when the failure
// does not gate). Pure functions over results.json, plus a thin command; outside Actions the summary goes to stdout.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';

/** The `verdict` output: one word a workflow can test (`if: steps.gate.outputs.verdict == 'conforms'`). */
export type VerdictWord = 'conforms' | 'fails' | 'incomplete' | 'setup-error' | 'harness-error' | 'nothing-ran' | 'interrupted' | 'no-results';

export interface GithubReport {
  markdown: string;
  /** Workflow commands, one a line, for stdout. */
  annotations: string[];
  outputs: { verdict: VerdictWord; 'exit-code': string; release: 'true' | 'false' };
}

/** Longest message shown per failure in the summary, and per annotation (GitHub truncates annotations itself). */
const SUMMARY_MESSAGE_CHARS = 2_000;
const ANNOTATION_MESSAGE_CHARS = 1_000;

/** The verdict as one word, from the exit code and the counts. */
export function verdictWord(results: any, exitCode: number): VerdictWord {
  const counts = results?.counts ?? {};
  if (exitCode === 0) return 'conforms';
  if (exitCode === 1) return 'fails';
  if (exitCode === 130) return 'interrupted';
  if (counts['harness-error'] > 0) return 'harness-error';
  if (counts['setup-error'] > 0 || !results) return 'setup-error';
  if ((counts.passed ?? 0) + (counts.failed ?? 0) === 0 && !counts['not-exercised']) return 'nothing-ran';
  return 'incomplete';
}

/** Escapes a workflow command's message (data). */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a workflow command's property value (title). */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters in results.json)` : text;
}

/** Single-quotes a shell word when it needs quoting. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command that runs one rule again against the same plugin with the same seed (credentials are never included). */
export function replayCommand(results: any, ruleId: string | undefined): string {
  const o = results?.provenance?.options ?? {};
  const args: string[] = [];
  if (o.container) args.push('--container', o.container);
  else if (o.address) args.push('--address', o.address);
  else if (o.target) args.push(o.target);
  if (o.configFile) args.push('--config', o.configFile);
  for (const app of o.apps ?? []) args.push('--app', app);
  if (o.name) args.push('--name', o.name);
  for (const tool of o.tools ?? []) args.push('--tool', `${tool.name}${tool.version ? `@${tool.version}` : ''}=${tool.path}`);
  if (o.caCertFile) args.push('--ca-cert', o.caCertFile);
  if (o.protoRoot) args.push('--proto-root', o.protoRoot);
  if (o.pull) args.push('--pull');
  if (ruleId) args.push('--only', ruleId);
  const seed = results?.provenance?.seed ?? results?.seed;
  if (seed !== undefined && seed !== null) args.push('--seed', String(seed));
  return ['npx', 'plugin-conformance', ...args].map(shellWord).join(' ');
}

/** Whether a failed outcome gates: results.json says so; older files: MUST or unknown level. */
function gates(o: any): boolean {
  return typeof o.gating === 'boolean' ? o.gating : o.level === 'MUST' || o.level === undefined;
}

const STATE_COLUMNS = ['passed', 'failed', 'expected-failure', 'not-exercised', 'unsupported', 'skipped', 'setup-error', 'harness-error'];

/** Rows `group | level | count per state` for every (group, level) that has outcomes, groups in first-seen order. */
export function countsByGroupAndLevel(outcomes: any[]): { columns: string[]; rows: { group: string; level: string; counts: Record<string, number> }[] } {
  const rows = new Map<string, { group: string; level: string; counts: Record<string, number> }>();
  const levelOrder = ['MUST', 'SHOULD', 'INFO', '?'];
  for (const o of outcomes) {
    const group = o.ruleId ? String(o.ruleId).split('-')[0] : '(no rule)';
    const level = o.level ?? '?';
    const key = `${group}\t${level}`;
    const row = rows.get(key) ?? { group, level, counts: {} as Record<string, number> };
    row.counts[o.state] = (row.counts[o.state] ?? 0) + 1;
    rows.set(key, row);
  }
  const groups = [...new Set([...rows.values()].map((r) => r.group))];
  const sorted = [...rows.values()].sort((a, b) => groups.indexOf(a.group) - groups.indexOf(b.group) || levelOrder.indexOf(a.level) - levelOrder.indexOf(b.level));
  const seen = new Set(outcomes.map((o) => o.state));
  const columns = [...STATE_COLUMNS.filter((s) => seen.has(s)), ...[...seen].filter((s) => !STATE_COLUMNS.includes(s))];
  return { columns, rows: sorted };
}

const HEADLINE: Record<VerdictWord, string> = {
  conforms: '✅ conforms',
  fails: '❌ does not conform',
  incomplete: '⚠️ incomplete',
  'setup-error': '🛑 setup error',
  'harness-error': '🐞 harness error',
  'nothing-ran': '⚠️ nothing ran',
  interrupted: '⏹️ interrupted',
  'no-results': '🛑 no results',
};

/** The summary, annotations and outputs for one results.json (`results` undefined: the run wrote none). */
export function githubReport(results: any, options: { exitCode?: number; source?: string } = {}): GithubReport {
  if (!results) {
    const exitCode = options.exitCode ?? 2;
    const markdown = `## plugin-conformance: ${HEADLINE['no-results']}\n\nThe harness exited with code ${exitCode} before it wrote ${options.source ?? 'results.json'} (bad usage, or the plugin could not be prepared); its log above says why.\n`;
    return { markdown, annotations: [`::error title=plugin-conformance::${escapeData(`no results: the harness exited with code ${exitCode} before writing ${options.source ?? 'results.json'}; see the step log`)}`], outputs: { verdict: 'no-results', 'exit-code': String(exitCode), release: 'false' } };
  }
  const exitCode = options.exitCode ?? results.verdict?.exitCode ?? 2;
  const word = verdictWord(results, exitCode);
  const outcomes: any[] = results.outcomes ?? [];
  const provenance = results.provenance ?? {};
  const lines: string[] = [`## plugin-conformance: ${HEADLINE[word]}`, '', `**${results.verdict?.summary ?? ''}**`, ''];
  const facts = [
    `plugin \`${results.pluginName}\` (${results.target})`,
    provenance.harness ? `harness ${provenance.harness.version}` : undefined,
    provenance.options?.rulesEdition ? `rules edition ${provenance.options.rulesEdition} of ${provenance.catalogueEdition}` : undefined,
    results.seed !== undefined ? `seed ${results.seed}` : undefined,
    `exit code ${exitCode}`,
    `release verdict: ${results.verdict?.release ? 'yes' : 'no'}`,
  ].filter(Boolean);
  lines.push(facts.join(' · '), '');
  const table = countsByGroupAndLevel(outcomes);
  if (table.rows.length) {
    lines.push(`| group | level | ${table.columns.join(' | ')} |`, `| --- | --- | ${table.columns.map(() => '---:').join(' | ')} |`);
    for (const row of table.rows) lines.push(`| ${row.group} | ${row.level} | ${table.columns.map((c) => row.counts[c] ?? 0).join(' | ')} |`);
    lines.push('');
  }
  const problems = outcomes.filter((o) => o.state === 'failed' || o.state === 'setup-error' || o.state === 'harness-error');
  const gating = problems.filter((o) => o.state !== 'failed' || gates(o));
  const advisory = problems.filter((o) => o.state === 'failed' && !gates(o));
  const annotations: string[] = [];
  const section = (title: string, list: any[], command: 'error' | 'warning') => {
    if (!list.length) return;
    lines.push(`### ${title}`, '');
    for (const o of list) {
      const message = (o.messages ?? []).join('\n\n') || o.state;
      const why = o.state === 'failed' ? '' : ` (${o.state})`;
      const edition = o.state === 'failed' && !gates(o) && o.edition && provenance.options?.rulesEdition && o.edition > provenance.options.rulesEdition ? `, gating from rules edition ${o.edition}` : '';
      lines.push(`#### ${o.ruleId ?? o.name} [${o.level ?? '?'}${edition}]${why}`, '', o.name, '', '```text', cut(message, SUMMARY_MESSAGE_CHARS).replace(/```/g, '`\u200b``'), '```', '');
      if (o.state === 'failed') lines.push(`Replay: \`${replayCommand(results, o.ruleId)}\``, '');
      const title = o.state === 'failed' ? o.ruleId ?? o.name : `${o.ruleId ?? o.name} ${o.state}`;
      annotations.push(`::${command} title=${escapeProperty(title)}::${escapeData(cut(`${o.name}\n${message}`, ANNOTATION_MESSAGE_CHARS))}`);
    }
  };
  section('Failures', gating, 'error');
  section('Warnings (failures that do not gate: SHOULD rules without --strict, rules newer than --rules-edition)', advisory, 'warning');
  if (!problems.length) lines.push('No rule failed.', '');
  return { markdown: lines.join('\n'), annotations, outputs: { verdict: word, 'exit-code': String(exitCode), release: results.verdict?.release === true ? 'true' : 'false' } };
}

export interface GithubSummaryOptions {
  resultsFile: string;
  exitCode?: number;
}

const USAGE = 'Usage: plugin-conformance github-summary [RESULTS_JSON (default: reports/results.json)] [--exit-code N]';

/** Parses the arguments after `github-summary`. */
export function parseGithubSummaryCli(argv: string[]): GithubSummaryOptions {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { 'exit-code': { type: 'string' } } });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. ${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new UsageError(`github-summary takes one results.json, got ${positionals.length}. ${USAGE}`);
  const code = values['exit-code'];
  if (code !== undefined && code !== '' && !/^\d+$/.test(code)) throw new UsageError(`--exit-code takes the harness's exit status, got "${code}". ${USAGE}`);
  return { resultsFile: positionals[0] ?? path.join('reports', 'results.json'), ...(code ? { exitCode: Number(code) } : {}) };
}

/**
 * Writes the summary to $GITHUB_STEP_SUMMARY (stdout when unset), the outputs to $GITHUB_OUTPUT (when set) and the
 * annotations to stdout. Returns 0: the gate is the harness's own exit code, not this step.
 */
export function githubSummaryCommand(options: GithubSummaryOptions, env: NodeJS.ProcessEnv = process.env, write: (text: string) => void = (t) => process.stdout.write(t)): number {
  let results: any;
  if (existsSync(options.resultsFile)) {
    try {
      results = JSON.parse(readFileSync(options.resultsFile, 'utf8'));
    } catch (error) {
      write(`::warning title=plugin-conformance::${escapeData(`${options.resultsFile} is not valid JSON: ${(error as Error).message}`)}\n`);
    }
  }
  const report = githubReport(results, { exitCode: options.exitCode, source: options.resultsFile });
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, `${report.markdown}\n`);
  else write(`${report.markdown}\n`);
  if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, Object.entries(report.outputs).map(([k, v]) => `${k}=${v}\n`).join(''));
  for (const line of report.annotations) write(`${line}\n`);
  return 0;
}

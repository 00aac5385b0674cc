// The rule catalogue as data: every rule of src/contract/rules.tsv (the machine-readable form of
// ../shared/contract/CATALOGUE.md §4) with its level, edition, title, upstream reference and statement.
// Test names, filters and reports key on these IDs; an ID never changes meaning.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../protocol/load.js';

export type RuleLevel = 'MUST' | 'SHOULD' | 'INFO';

export const RULE_LEVELS: readonly RuleLevel[] = ['MUST', 'SHOULD', 'INFO'];

/**
 * The edition of ../shared/contract/CATALOGUE.md these rules implement: the second, whose §8 errata changed the
 * meaning of some rules. `--rules-edition N` gates on the rules of editions up to N; this is the default.
 */
export const CATALOGUE_EDITION = 2;

export interface Rule {
  id: string;
  level: RuleLevel;
  /**
   * The catalogue edition that introduced the rule or last changed its meaning (1 ≤ edition ≤ CATALOGUE_EDITION).
   * A run pinned to an older edition (`--rules-edition`) reports the rule's failures as warnings.
   */
  edition: number;
  /** One line in our own words (≤ 70 characters), for tables and reports. */
  title: string;
  /** Where upstream pipecd shows the rule: `path:lines` references, `;`-separated, as in the catalogue. */
  reference: string;
  /** The rule as the catalogue states it. */
  statement: string;
}

/** The TSV header, in column order. */
export const RULES_TSV_COLUMNS = ['id', 'level', 'edition', 'title', 'reference', 'statement'] as const;

let catalogue: Map<string, Rule> | undefined;

/** All catalogue rules, in catalogue order. */
export function rules(): Rule[] {
  return [...ruleMap().values()];
}

/** One rule by ID; throws for an unknown ID so a typo in a suite cannot invent a rule. */
export function rule(id: string): Rule {
  const found = ruleMap().get(id);
  if (!found) throw new Error(`unknown rule ID ${id}: not in src/contract/rules.tsv`);
  return found;
}

/** The edition of a rule (see Rule.edition), or undefined for an ID that is not in the catalogue. */
export function ruleEdition(id: string): number | undefined {
  return ruleMap().get(id)?.edition;
}

/** The path of the rule registry file in this package. */
export function rulesTsvPath(): string {
  return path.join(packageRoot(), 'src', 'contract', 'rules.tsv');
}

function ruleMap(): Map<string, Rule> {
  if (catalogue) return catalogue;
  const file = rulesTsvPath();
  const parsed = parseRulesTsv(readFileSync(file, 'utf8'), file);
  catalogue = new Map(parsed.map((r) => [r.id, r]));
  return catalogue;
}

/**
 * Parses the rule registry text (header line, then one tab-separated rule per line). Throws an error naming
 * the file and line for a wrong header, a wrong column count, an unknown level or edition, a malformed or duplicate ID.
 */
export function parseRulesTsv(text: string, source = 'rules.tsv'): Rule[] {
  const lines = text.replace(/\r\n/g, '\n').trimEnd().split('\n');
  const header = lines[0] ?? '';
  if (header !== RULES_TSV_COLUMNS.join('\t')) {
    throw new Error(`${source}:1: header must be "${RULES_TSV_COLUMNS.join('\\t')}", got "${header}"`);
  }
  const seen = new Set<string>();
  const parsed: Rule[] = [];
  lines.slice(1).forEach((line, i) => {
    const where = `${source}:${i + 2}`;
    const cells = line.split('\t');
    if (cells.length !== RULES_TSV_COLUMNS.length) {
      throw new Error(`${where}: expected ${RULES_TSV_COLUMNS.length} tab-separated columns (${RULES_TSV_COLUMNS.join(', ')}), got ${cells.length}`);
    }
    const [id, level, editionText, title, reference, statement] = cells.map((c) => c.trim());
    if (!/^[A-Z]+-\d{3}$/.test(id)) throw new Error(`${where}: "${id}" is not a rule ID like PLAN-010`);
    if (seen.has(id)) throw new Error(`${where}: duplicate rule ID ${id}`);
    if (!(RULE_LEVELS as readonly string[]).includes(level)) {
      throw new Error(`${where}: ${id} has unknown level "${level}"; expected one of ${RULE_LEVELS.join(', ')}`);
    }
    const edition = Number(editionText);
    if (!/^[1-9]\d*$/.test(editionText) || edition > CATALOGUE_EDITION) {
      throw new Error(`${where}: ${id} has edition "${editionText}"; expected a catalogue edition from 1 to ${CATALOGUE_EDITION}`);
    }
    if (!title || !statement) throw new Error(`${where}: ${id} needs a non-empty title and statement`);
    seen.add(id);
    parsed.push({ id, level: level as RuleLevel, edition, title, reference, statement });
  });
  return parsed;
}

/** The rule ID a test name starts with (`PLAN-010 non-rollback …` → `PLAN-010`), or undefined. */
export function ruleIdOf(testName: string): string | undefined {
  return /\b([A-Z]+-\d{3})\b/.exec(testName)?.[1];
}

/** Converts rule ID globs (`PLAN-01*`, `EXEC-00?`) into one RegExp source matching any of them as a whole ID. */
export function globsToPattern(globs: string[]): string {
  const parts = globs.map((g) => g.trim()).filter(Boolean).map((g) => g.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[A-Z0-9-]*').replace(/\?/g, '[A-Z0-9]'));
  return `(?:${parts.join('|')})`;
}

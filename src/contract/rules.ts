// The rule catalogue as data: every rule of ../shared/contract/rules.tsv with its level and statement.
// Test names, filters and reports key on these IDs; an ID never changes meaning.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../protocol/load.js';

export type RuleLevel = 'MUST' | 'SHOULD' | 'INFO';

export interface Rule {
  id: string;
  level: RuleLevel;
  statement: string;
}

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

function ruleMap(): Map<string, Rule> {
  if (catalogue) return catalogue;
  const text = readFileSync(path.join(packageRoot(), 'src', 'contract', 'rules.tsv'), 'utf8');
  const [, ...lines] = text.trimEnd().split('\n');
  catalogue = new Map(
    lines.map((line) => {
      const [id, level, statement] = line.split('\t');
      return [id, { id, level: level as RuleLevel, statement }];
    }),
  );
  return catalogue;
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

// Reads `--config FILE`: the plugin's entry as in piped's `spec.plugins[]` (name, config, deployTargets), YAML or JSON.
// Errors name the file and line and say how to fix it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, isMap, type Document } from 'yaml';
import type { StageExample } from '../piped/inputs.js';
import { UsageError } from '../errors.js';
import type { PipedPluginConfig } from './types.js';

export interface PluginEntry {
  name?: string;
  config?: unknown;
  deployTargets?: NonNullable<PipedPluginConfig['deployTargets']>;
  /** The harness-only section `conformance:` (never sent to the plugin). */
  conformance?: ConformanceSection;
}

/** `conformance:` in the --config file: inputs for plugins that need configuration. */
export interface ConformanceSection {
  /** Example application folders, absolute (written relative to the config file). */
  apps: string[];
  /** Stage name → example `with:` blocks. */
  stages: Record<string, StageExample[]>;
}

const KNOWN_KEYS = ['name', 'url', 'port', 'config', 'deployTargets', 'conformance'];
const CONFORMANCE_KEYS = ['apps', 'stages'];

/** Parses the file at `file`; throws UsageError with `file:line` on any problem. */
export function readPluginEntry(file: string): PluginEntry {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--config ${file}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? error}).`);
  }
  return parsePluginEntry(text, file);
}

/** Parses the text of a plugin entry; `file` is only used in messages. */
export function parsePluginEntry(text: string, file: string): PluginEntry {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (offset: number | undefined) => (offset === undefined ? file : `${file}:${lines.linePos(offset).line}`);
  if (doc.errors.length) {
    const first = doc.errors[0];
    throw new UsageError(`${at(first.pos[0])}: not valid YAML or JSON: ${first.message.split('\n')[0]}`);
  }
  if (!isMap(doc.contents)) throw new UsageError(`${at((doc.contents as { range?: number[] } | null)?.range?.[0])}: expected a mapping with name, config and deployTargets (piped's spec.plugins[] entry).`);
  const value = doc.toJS() as Record<string, unknown>;
  for (const key of Object.keys(value)) {
    if (!KNOWN_KEYS.includes(key)) throw new UsageError(`${at(keyOffset(doc, [key]))}: unknown key "${key}"; allowed: ${KNOWN_KEYS.join(', ')}.`);
  }
  const entry: PluginEntry = {};
  if (value.name !== undefined) {
    if (typeof value.name !== 'string' || !value.name) throw new UsageError(`${at(keyOffset(doc, ['name']))}: name must be a non-empty string.`);
    entry.name = value.name;
  }
  if (value.config !== undefined) entry.config = value.config;
  if (value.deployTargets !== undefined) entry.deployTargets = readDeployTargets(doc, value.deployTargets, at);
  if (value.conformance !== undefined && value.conformance !== null) entry.conformance = readConformance(doc, value.conformance, at, file);
  return entry;
}

function readConformance(doc: Document, raw: unknown, at: (offset: number | undefined) => string, file: string): ConformanceSection {
  const baseDir = path.dirname(path.resolve(file));
  const where = (keys: (string | number)[]) => at(keyOffset(doc, ['conformance', ...keys]));
  if (typeof raw !== 'object' || Array.isArray(raw) || raw === null) throw new UsageError(`${at(keyOffset(doc, ['conformance']))}: conformance must be a mapping with apps and/or stages.`);
  const section = raw as Record<string, unknown>;
  for (const key of Object.keys(section)) {
    if (!CONFORMANCE_KEYS.includes(key)) throw new UsageError(`${where([key])}: unknown key "conformance.${key}"; allowed: ${CONFORMANCE_KEYS.join(', ')}.`);
  }
  const apps = section.apps ?? [];
  if (!Array.isArray(apps) || apps.some((a) => typeof a !== 'string' || !a)) throw new UsageError(`${where(['apps'])}: conformance.apps must be a list of folders (relative to this file) holding an app.pipecd.yaml.`);
  const stagesRaw = section.stages ?? {};
  if (typeof stagesRaw !== 'object' || Array.isArray(stagesRaw) || stagesRaw === null) throw new UsageError(`${where(['stages'])}: conformance.stages must map stage names to lists of example with: blocks.`);
  const stages: Record<string, StageExample[]> = {};
  for (const [name, examples] of Object.entries(stagesRaw as Record<string, unknown>)) {
    if (!Array.isArray(examples) || examples.some((e) => typeof e !== 'object' || e === null || Array.isArray(e))) {
      throw new UsageError(`${where(['stages', name])}: conformance.stages.${name} must be a list of with: blocks (mappings), e.g. [{approvers: [alice]}].`);
    }
    stages[name] = examples.map((example, i) => ({ with: example, source: `conformance.stages.${name}[${i}] in ${file}` }));
  }
  return { apps: (apps as string[]).map((dir) => path.resolve(baseDir, dir)), stages };
}

function readDeployTargets(doc: Document, raw: unknown, at: (offset: number | undefined) => string): PluginEntry['deployTargets'] {
  if (!Array.isArray(raw)) throw new UsageError(`${at(keyOffset(doc, ['deployTargets']))}: deployTargets must be a list of {name, labels?, config}.`);
  return raw.map((target, i) => {
    const where = at(keyOffset(doc, ['deployTargets', i]));
    if (typeof target !== 'object' || target === null) throw new UsageError(`${where}: deployTargets[${i}] must be a mapping with a name.`);
    const { name, labels, config, ...rest } = target as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length) throw new UsageError(`${where}: deployTargets[${i}] has unknown key "${extra[0]}"; allowed: name, labels, config.`);
    if (typeof name !== 'string' || !name) throw new UsageError(`${where}: deployTargets[${i}].name must be a non-empty string.`);
    if (labels !== undefined && (typeof labels !== 'object' || labels === null || Object.values(labels).some((v) => typeof v !== 'string'))) {
      throw new UsageError(`${where}: deployTargets[${i}].labels must map strings to strings.`);
    }
    return { name, ...(labels ? { labels: labels as Record<string, string> } : {}), config: config ?? null };
  });
}

/** Source offset of the key (or list item) at `path`, for line numbers in messages. */
function keyOffset(doc: Document, path: (string | number)[]): number | undefined {
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
  const last = path[path.length - 1];
  const items = (parent as { items?: any[] } | null)?.items ?? [];
  const item = typeof last === 'number' ? items[last] : items.find((pair) => pair?.key?.value === last)?.key;
  const node = item && typeof last === 'number' && item.range === undefined ? item.value : item;
  return (node as { range?: number[] } | undefined)?.range?.[0];
}

// `--tool NAME[@VERSION]=PATH`: tools the user already has, for the fake piped's InstallTool to hand out instead of
// running the plugin's install script (which usually downloads, and so fails offline or in a sandboxed CI).
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { SeededTool } from './types.js';

const FORMAT = 'NAME[@VERSION]=PATH, e.g. --tool helm@3.14.0=/usr/local/bin/helm (or --tool helm=/usr/local/bin/helm for any version)';
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Why `text` cannot be a tool name or version (piped caches it as the file `<name>-<version>`), or undefined. */
function notPlain(text: string): string | undefined {
  if (text === '') return 'is empty';
  if (CONTROL.test(text)) return 'contains a control character';
  if (/\s/.test(text)) return 'contains whitespace';
  if (/[/\\]/.test(text)) return 'contains a path separator';
  if (text.includes('..')) return 'contains ".."';
  return undefined;
}

/** One `--tool` value, checked: a plain name, an optional plain version, and an executable file (made absolute). */
export function parseToolFlag(value: string, cwd = process.cwd()): SeededTool {
  const bad = (why: string) => new UsageError(`--tool ${JSON.stringify(value)}: ${why}`);
  const equals = value.indexOf('=');
  if (equals < 0) throw bad(`expected ${FORMAT}`);
  const spec = value.slice(0, equals);
  const file = value.slice(equals + 1);
  const at = spec.indexOf('@');
  const name = at < 0 ? spec : spec.slice(0, at);
  const version = at < 0 ? undefined : spec.slice(at + 1);
  const nameProblem = notPlain(name) ?? (name.startsWith('.') ? 'starts with "."' : undefined);
  if (nameProblem) throw bad(`the tool name ${JSON.stringify(name)} ${nameProblem}; give the plain name the plugin passes to InstallTool (such as helm), as ${FORMAT}`);
  if (version !== undefined) {
    const versionProblem = notPlain(version) ?? (version.includes('@') ? 'contains "@"' : undefined);
    if (versionProblem) throw bad(`the version ${JSON.stringify(version)} ${versionProblem}; give the version the plugin passes to InstallTool (such as 3.14.0), or leave out @VERSION to match any version`);
  }
  if (file === '') throw bad(`no PATH after "="; give the path of the ${name} executable you have, as ${FORMAT}`);
  const absolute = path.resolve(cwd, file);
  let stats;
  try {
    stats = statSync(absolute);
  } catch {
    throw bad(`${absolute} does not exist; give the path of a ${name} executable you have (for one on your PATH: --tool ${spec}=$(command -v ${name}))`);
  }
  if (!stats.isFile()) throw bad(`${absolute} is not a file${stats.isDirectory() ? ' but a folder' : ''}; give the path of the ${name} executable itself`);
  try {
    accessSync(absolute, constants.X_OK);
  } catch {
    throw bad(`${absolute} is not executable; make it executable (chmod +x ${absolute}) or give another ${name} executable`);
  }
  return version === undefined ? { name, path: absolute } : { name, version, path: absolute };
}

/** Every `--tool` value, checked; the same NAME@VERSION (or NAME for any version) given twice is a UsageError. */
export function parseToolFlags(values: string[] | undefined, cwd = process.cwd()): SeededTool[] {
  const seen = new Map<string, string>();
  return (values ?? []).map((value) => {
    const tool = parseToolFlag(value, cwd);
    const key = tool.version === undefined ? `${tool.name} (any version)` : `${tool.name}@${tool.version}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) throw new UsageError(`--tool ${key} is given twice (${JSON.stringify(earlier)} and ${JSON.stringify(value)}); keep one`);
    seen.set(key, value);
    return tool;
  });
}

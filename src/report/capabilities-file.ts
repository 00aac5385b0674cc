// How the suites' worker hands the plugin's capabilities to the CLI process for results.json: the worker writes
// `capabilities.json` into the reports folder the moment it has decided them, and the CLI reads it back after the
// suites end. A file, because vitest's `provide` only flows from the CLI to the worker; it also survives a
// run whose later tests fail or crash. The CLI deletes any earlier file before the suites start.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Capabilities } from '../contract/capabilities.js';

export const CAPABILITIES_FILE = 'capabilities.json';

export function writeCapabilities(reportsDir: string, capabilities: Capabilities): void {
  writeFileSync(path.join(reportsDir, CAPABILITIES_FILE), JSON.stringify(capabilities, null, 2) + '\n');
}

/** The capabilities this run recorded, or null when no test needed them (e.g. `--only PROC-*`). */
export function readCapabilities(reportsDir: string): Capabilities | null {
  const file = path.join(reportsDir, CAPABILITIES_FILE);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Capabilities;
  } catch {
    return null;
  }
}

export function clearCapabilities(reportsDir: string): void {
  rmSync(path.join(reportsDir, CAPABILITIES_FILE), { force: true });
}

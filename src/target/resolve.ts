// Turns the user's target argument into a Launcher, failing early with a message that says what to fix.
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SetupError } from '../errors.js';
import { BinaryLauncher } from './binary.js';
import type { Launcher } from './types.js';

/** A launcher for a plugin executable, a `file://` URL, or a folder whose `bin/` holds exactly one executable. */
export function resolveTarget(target: string, cwd = process.cwd()): Launcher {
  if (target.startsWith('file://')) return new BinaryLauncher(checkExecutable(fileURLToPath(target), target));
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('/')) {
    throw new SetupError(`target ${target}: this version runs local executables, file:// URLs and folders; other schemes are not supported yet`);
  }
  const absolute = path.resolve(cwd, target);
  return new BinaryLauncher(checkExecutable(absolute, target));
}

function checkExecutable(file: string, shown: string): string {
  let stat;
  try {
    stat = statSync(file);
  } catch {
    throw new SetupError(`plugin not found: ${shown} (looked at ${file}). Pass the path of the plugin executable.`);
  }
  if (stat.isDirectory()) return executableInFolder(file, shown);
  try {
    accessSync(file, constants.X_OK);
  } catch {
    throw new SetupError(`plugin is not executable: ${file}. Run \`chmod +x ${file}\` (piped makes downloaded plugins 0755).`);
  }
  return file;
}

/** A folder target: the single executable in `<dir>/bin/`. */
function executableInFolder(dir: string, shown: string): string {
  const binDir = path.join(dir, 'bin');
  let names: string[] = [];
  try {
    names = readdirSync(binDir).filter((name) => isExecutableFile(path.join(binDir, name)));
  } catch {
    // no bin/ folder: reported below
  }
  if (names.length === 1) return path.join(binDir, names[0]);
  const found = names.length === 0 ? 'none' : names.join(', ');
  throw new SetupError(`${shown} is a folder; expected exactly one executable in ${binDir} (found: ${found}). Pass the executable's path instead.`);
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

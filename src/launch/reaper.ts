// Makes sure no plugin process outlives a run, even when a vitest worker is killed (Ctrl-C) and a plugin ignores
// SIGTERM: workers record every plugin pid in a file the CLI owns; the CLI SIGKILLs survivors when the run ends. The
// file's path reaches the workers in the run spec (vitest's provide), never through the environment, which plugin
// processes inherit.
import { appendFileSync, readFileSync, rmSync } from 'node:fs';

/** Records a plugin process in the run's pid file (no-op without one: outside a CLI run). */
export function recordChild(file: string | undefined, pid: number | undefined): void {
  if (file && pid) appendFileSync(file, `${pid}\n`);
}

/** Whether `pid` is still one of our plugin processes (guards against pid reuse by checking its argv). */
function isOurPlugin(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('\0--piped-plugin-service\0');
  } catch {
    return false;
  }
}

/** SIGKILLs every recorded plugin process still alive; returns how many it had to kill. Removes the pid file. */
export function reapChildren(file: string): number {
  let pids: number[] = [];
  try {
    pids = readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return 0;
  }
  let killed = 0;
  for (const pid of new Set(pids)) {
    if (!isOurPlugin(pid)) continue;
    try {
      process.kill(pid, 'SIGKILL');
      killed += 1;
    } catch {
      // already gone
    }
  }
  rmSync(file, { force: true });
  return killed;
}

import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const BUILD_DIR = /\.tmp-(\d+)$/;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the `*.tmp-<pid>` build directories in `parent` whose builder process is gone. A build
 * writes into such a directory and renames it into place when done; one cut short (Ctrl-C, a
 * killed CI job) leaves it behind, about 80 MB each. A directory of a build still running, in
 * this process or another, is kept. Returns the names removed.
 */
export function removeAbandonedBuilds(parent: string): string[] {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = Number(BUILD_DIR.exec(name)?.[1]);
    if (!pid || alive(pid)) continue;
    rmSync(join(parent, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

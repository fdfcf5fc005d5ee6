import { renameSync, rmSync } from 'node:fs';

/**
 * The directory a build of the cache entry `dir` writes into until it is complete:
 * `<dir>.tmp-<pid>`, the name removeAbandonedBuilds knows a builder's process by.
 */
export function buildDirectory(dir: string): string {
  return `${dir}.tmp-${process.pid}`;
}

/**
 * Puts the finished build in `out` in place as the cache entry `dir`, in one rename. When another
 * provision run (a second terminal, a parallel CI job) has completed `dir` meanwhile, its build
 * stays and `out` is discarded: replacing it would leave no binary for a moment, under a process
 * that may be starting it.
 *
 * @param complete - whether a cache entry holds every file of a build.
 * @returns whether `out` became the cache entry.
 */
export function installBuild(out: string, dir: string, complete: (dir: string) => boolean): boolean {
  if (complete(dir)) {
    rmSync(out, { recursive: true, force: true });
    return false;
  }
  // An incomplete entry (from an older layout, or emptied by hand) is replaced.
  rmSync(dir, { recursive: true, force: true });
  try {
    renameSync(out, dir);
    return true;
  } catch (error) {
    // ENOTEMPTY: the other run renamed its build in between.
    if (!complete(dir)) throw error;
    rmSync(out, { recursive: true, force: true });
    return false;
  }
}

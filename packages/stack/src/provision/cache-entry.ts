import { renameSync, rmSync } from 'node:fs';

/**
 * The directory a build of the cache entry `dir` writes into until it is complete:
 * `<dir>.tmp-<pid>`, the name removeAbandonedBuilds knows a builder's process by.
 */
export function buildDirectory(dir: string): string {
  return `${dir}.tmp-${process.pid}`;
}

/**
 * Puts the finished build in `out` in place as the cache entry `dir`, by renames only, so that no
 * moment leaves `dir` without a binary under a process that may be starting it. When another
 * provision run (a second terminal, a parallel CI job) has completed `dir` meanwhile, its build
 * stays and `out` is discarded.
 *
 * @param complete - whether a cache entry holds every file of a build.
 * @returns whether `out` became the cache entry.
 */
export function installBuild(out: string, dir: string, complete: (dir: string) => boolean): boolean {
  // The usual case, no entry yet: one rename, which fails if another run's build is there first.
  if (renamedInto(out, dir)) return true;
  if (complete(dir)) {
    rmSync(out, { recursive: true, force: true });
    return false;
  }
  // An incomplete entry (from an older layout, or emptied by hand) goes aside in one rename, so
  // that deleting it can never delete a build another run puts in place meanwhile.
  const stale = buildDirectory(`${dir}.stale`);
  try {
    renameSync(dir, stale);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const installed = renamedInto(out, dir);
  if (!installed) {
    if (!complete(dir)) throw new Error(`${dir} holds an incomplete build that is not this run's`);
    rmSync(out, { recursive: true, force: true });
  }
  rmSync(stale, { recursive: true, force: true });
  return installed;
}

/** Renames `from` to `to`; false when `to` is a directory with files (another run's). */
function renamedInto(from: string, to: string): boolean {
  try {
    renameSync(from, to);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return false;
    throw error;
  }
}

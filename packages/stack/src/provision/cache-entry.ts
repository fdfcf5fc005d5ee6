import { renameSync, rmSync } from 'node:fs';

/**
 * The directory a build of the cache entry `dir` writes into until it is complete:
 * `<dir>.tmp-<pid>`, the name removeAbandonedBuilds knows a builder's process by.
 */
export function buildDirectory(dir: string): string {
  return `${dir}.tmp-${process.pid}`;
}

/**
 * Puts the finished build in `out` in place as the cache entry `dir`, by renames, so that a
 * complete build is never deleted. When another provision run (a second terminal, a parallel CI
 * job) has completed `dir` meanwhile, its build stays and `out` is discarded.
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
  // An incomplete entry (from an older layout, or emptied by hand) goes aside in one rename, and
  // is deleted only once it is known not to be a build another run has put in place meanwhile.
  // A stale name of this pid may be left by an earlier process that had the same pid.
  const stale = buildDirectory(`${dir}.stale`);
  rmSync(stale, { recursive: true, force: true });
  try {
    renameSync(dir, stale);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (complete(stale)) {
    // Another run's build, installed between the check above and the rename: it goes back.
    renamedInto(stale, dir);
    rmSync(out, { recursive: true, force: true });
    rmSync(stale, { recursive: true, force: true });
    return false;
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

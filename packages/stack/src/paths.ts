import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The otelkit checkout this package runs from: the nearest ancestor holding
 * `collector/builder-config.yaml`. `OTELKIT_REPO_ROOT` overrides it.
 */
export function repoRoot(): string {
  const fromEnv = process.env.OTELKIT_REPO_ROOT;
  if (fromEnv) return resolve(fromEnv);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'collector', 'builder-config.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(
        'cannot find the otelkit checkout (collector/builder-config.yaml) above ' +
          `${fileURLToPath(import.meta.url)}; set OTELKIT_REPO_ROOT to the repository root.`,
      );
    }
    dir = parent;
  }
}

/**
 * Where builds are cached across runs and checkouts: `OTELKIT_CACHE_DIR`, else
 * `$XDG_CACHE_HOME/otelkit`, else `~/.cache/otelkit`. Kept outside the repository so a fresh
 * clone reuses them.
 */
export function cacheDir(): string {
  const explicit = process.env.OTELKIT_CACHE_DIR;
  if (explicit) return resolve(explicit);
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'otelkit');
}

/** Default state directory of `otelkit up`: `$XDG_STATE_HOME/otelkit` or `~/.local/state/otelkit`. */
export function defaultStateDir(): string {
  const explicit = process.env.OTELKIT_STATE_DIR;
  if (explicit) return resolve(explicit);
  return join(process.env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'otelkit');
}

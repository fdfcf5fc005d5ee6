import { execFileSync } from 'node:child_process';
import { chownSync, existsSync } from 'node:fs';

/**
 * Throws, naming the first missing file and the Debian package to install, unless every one of
 * `paths` exists; scripts/bootstrap.sh installs the test servers' packages.
 */
export function assertInstalled(paths: readonly string[], debianPackage: string, what: string): void {
  const missing = paths.find((path) => !existsSync(path));
  if (missing) {
    throw new Error(
      `no ${missing} (${what}): run 'npm test' once (scripts/bootstrap.sh installs it) or 'sudo apt-get install -y ${debianPackage}'`,
    );
  }
}

/**
 * Gives `paths` to the system `user` (Debian's `postgres` or `mysql`), for a server that refuses to
 * run as root and must reach its files in the test's temporary directory.
 */
export function chownTo(user: string, paths: readonly string[]): void {
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
  for (const path of paths) chownSync(path, uid, gid);
}

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, ManagedProcess } from '@otelkit/stack';
import { chownTo } from './debian-server.js';

/** A throwaway PostgreSQL server a test started. */
export interface RunningPostgres {
  /** `postgres://…` URL of its `postgres` database, as an application's `DATABASE_URL`. */
  url: string;
  /** Its port on 127.0.0.1. */
  port: number;
  /** Stops the server; its data directory goes with the test's temporary directory. */
  stop: () => Promise<void>;
}

// Debian installs the server outside PATH, one directory per major version.
const DEBIAN_ROOT = '/usr/lib/postgresql';

/** The newest Debian PostgreSQL's bin directory; scripts/bootstrap.sh installs the package. */
function postgresBinDir(): string {
  const majors = existsSync(DEBIAN_ROOT)
    ? readdirSync(DEBIAN_ROOT)
        .filter((name) => existsSync(join(DEBIAN_ROOT, name, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = majors[0];
  if (!newest) {
    throw new Error(
      `no PostgreSQL server under ${DEBIAN_ROOT}: run 'npm test' once (scripts/bootstrap.sh installs it) or 'sudo apt-get install -y postgresql'`,
    );
  }
  return join(DEBIAN_ROOT, newest, 'bin');
}

/**
 * Creates a PostgreSQL cluster in `dir` and starts it on a free loopback port, trusting local
 * connections (a test database with nothing in it). PostgreSQL refuses to run as root, so as
 * root the cluster belongs to Debian's `postgres` user and both commands run as that user.
 */
export async function startPostgres(dir: string, logFile: string): Promise<RunningPostgres> {
  const bin = postgresBinDir();
  const dataDir = join(dir, 'pgdata');
  const socketDir = join(dir, 'pgsocket');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(socketDir, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  const runAs = (command: string, args: string[]) =>
    asRoot
      ? {
          command: '/usr/bin/setpriv',
          args: ['--reuid=postgres', '--regid=postgres', '--init-groups', command, ...args],
        }
      : { command, args };
  if (asRoot) chownTo('postgres', [dir, dataDir, socketDir]);
  const initdb = runAs(join(bin, 'initdb'), [
    '--pgdata',
    dataDir,
    '--username',
    'postgres',
    '--auth',
    'trust',
    '--encoding',
    'UTF8',
    '--no-sync',
  ]);
  execFileSync(initdb.command, initdb.args, { stdio: 'pipe', timeout: 60_000 });
  const port = await freePort();
  const server = runAs(join(bin, 'postgres'), [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${socketDir}`,
    '-c',
    'fsync=off',
  ]);
  const process_ = new ManagedProcess({
    name: 'postgres',
    command: server.command,
    args: server.args,
    logFile,
    ready: { tcp: port },
  });
  await process_.start(60_000);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop: () => process_.stop(),
  };
}

import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, ManagedProcess } from '@otelkit/stack';
import { assertInstalled, chownTo } from './debian-server.js';

/** A throwaway MariaDB server a test started. */
export interface RunningMariaDb {
  /** `mysql://…` URL of its `mysql` database, as an application's `MYSQL_URL`. */
  url: string;
  /** Its port on 127.0.0.1. */
  port: number;
  /** Stops the server; its data directory goes with the test's temporary directory. */
  stop: () => Promise<void>;
}

// Debian's mariadb-server package; scripts/bootstrap.sh installs it for the tests.
const SERVER = '/usr/sbin/mariadbd';
const INSTALL_DB = '/usr/bin/mariadb-install-db';

/**
 * Creates a MariaDB data directory in `dir` and starts the server on a free loopback port,
 * without grant tables (a test database with nothing in it, like the PostgreSQL helper's trust
 * authentication). MariaDB refuses to run as root unless told to, so as root the data belongs to
 * Debian's `mysql` user and the server runs as that user.
 */
export async function startMariaDb(dir: string, logFile: string): Promise<RunningMariaDb> {
  assertInstalled([SERVER, INSTALL_DB], 'mariadb-server', 'MariaDB');
  const dataDir = join(dir, 'mariadb-data');
  mkdirSync(dataDir, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? ['--user=mysql'] : [];
  if (asRoot) chownTo('mysql', [dir, dataDir]);
  execFileSync(
    INSTALL_DB,
    [`--datadir=${dataDir}`, ...user, '--skip-test-db', '--auth-root-authentication-method=normal'],
    { stdio: 'pipe', timeout: 120_000 },
  );
  const port = await freePort();
  const server = new ManagedProcess({
    name: 'mariadb',
    command: SERVER,
    args: [
      '--no-defaults',
      `--datadir=${dataDir}`,
      ...user,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--socket=${join(dataDir, 'mariadb.sock')}`,
      `--pid-file=${join(dataDir, 'mariadb.pid')}`,
      '--skip-grant-tables',
      '--innodb-buffer-pool-size=16M',
      '--innodb-flush-log-at-trx-commit=0',
    ],
    logFile,
    ready: { tcp: port },
  });
  await server.start(60_000);
  return { url: `mysql://root@127.0.0.1:${port}/mysql`, port, stop: () => server.stop() };
}

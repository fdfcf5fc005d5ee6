import { run } from '../exec.js';
import type { Provisioned } from './collector.js';
import { MissingPrerequisiteError, type Reporter } from './report.js';

/** Debian's package and the binary names it may install under. */
const PACKAGE = 'prometheus-alertmanager';
const BINARIES = ['prometheus-alertmanager', 'alertmanager'] as const;

/** Finds Alertmanager on PATH or in /usr/bin, installing Debian's package when running as root. */
export async function ensureAlertmanager(report: Reporter): Promise<Provisioned> {
  const found = await findAlertmanager();
  if (found) {
    report(`alertmanager: using ${found}`);
    return { binary: found, built: false };
  }
  const isRoot = process.getuid?.() === 0;
  const hasApt = await findOnPath('apt-get');
  if (!isRoot || !hasApt) {
    throw new MissingPrerequisiteError(
      'alertmanager',
      `not installed; run "sudo apt-get install -y ${PACKAGE}" (Debian/Ubuntu) or use docker compose up`,
    );
  }
  report(`alertmanager: installing Debian package ${PACKAGE}`);
  await run('apt-get', ['update'], { env: { DEBIAN_FRONTEND: 'noninteractive' } });
  await run('apt-get', ['install', '-y', '--no-install-recommends', PACKAGE], {
    env: { DEBIAN_FRONTEND: 'noninteractive' },
  });
  const installed = await findAlertmanager();
  if (!installed)
    throw new MissingPrerequisiteError('alertmanager', `${PACKAGE} installed but no binary found`);
  return { binary: installed, built: true };
}

async function findAlertmanager(): Promise<string | undefined> {
  for (const name of BINARIES) {
    const path = await findOnPath(name);
    if (path) return path;
  }
  return undefined;
}

async function findOnPath(name: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('sh', ['-c', `command -v ${name} || ls /usr/bin/${name}`]);
    return stdout.trim().split('\n')[0] || undefined;
  } catch {
    return undefined;
  }
}

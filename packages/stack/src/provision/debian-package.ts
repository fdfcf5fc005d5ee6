import { run } from '../exec.js';
import type { Provisioned } from './collector.js';
import { MissingPrerequisiteError, type Reporter } from './report.js';

/** A backend that comes from Debian's archive rather than from a build. */
export interface DebianBackend {
  /** Short name used in messages, e.g. `alertmanager`. */
  name: string;
  /** Debian package, e.g. `prometheus-alertmanager`. */
  package: string;
  /** Binary names it may install under, first match wins. */
  binaries: readonly string[];
}

/** Alertmanager (with amtool) from Debian. */
export const ALERTMANAGER: DebianBackend = {
  name: 'alertmanager',
  package: 'prometheus-alertmanager',
  binaries: ['prometheus-alertmanager', 'alertmanager'],
};

/** The blackbox exporter from Debian; its package ships /etc/prometheus/blackbox.yml (http_2xx). */
export const BLACKBOX_EXPORTER: DebianBackend = {
  name: 'blackbox-exporter',
  package: 'prometheus-blackbox-exporter',
  binaries: ['prometheus-blackbox-exporter', 'blackbox_exporter'],
};

/** Finds `backend` on PATH or in /usr/bin, installing its Debian package when running as root. */
export async function ensureDebianBackend(backend: DebianBackend, report: Reporter): Promise<Provisioned> {
  const found = await findBinary(backend.binaries);
  if (found) {
    report(`${backend.name}: using ${found}`);
    return { binary: found, built: false };
  }
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !(await findBinary(['apt-get']))) {
    throw new MissingPrerequisiteError(
      backend.name,
      `not installed; run "sudo apt-get install -y ${backend.package}" (Debian/Ubuntu) or use docker compose up`,
    );
  }
  report(`${backend.name}: installing Debian package ${backend.package}`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['install', '-y', '--no-install-recommends', backend.package], { env }).catch(
    async () => {
      // A fresh machine has no package lists yet.
      await run('apt-get', ['update'], { env });
      await run('apt-get', ['install', '-y', '--no-install-recommends', backend.package], { env });
    },
  );
  const installed = await findBinary(backend.binaries);
  if (!installed)
    throw new MissingPrerequisiteError(backend.name, `${backend.package} installed but no binary found`);
  return { binary: installed, built: true };
}

/** Whether one of `names` is on PATH or in /usr/bin, and where. */
export async function findBinary(names: readonly string[]): Promise<string | undefined> {
  for (const name of names) {
    try {
      const { stdout } = await run('sh', ['-c', `command -v ${name} || ls /usr/bin/${name}`]);
      const path = stdout.trim().split('\n')[0];
      if (path) return path;
    } catch {
      // not this one
    }
  }
  return undefined;
}

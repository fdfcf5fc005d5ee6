import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './exec.js';
import { cacheDir, repoRoot } from './paths.js';
import { busyPorts } from './ports.js';
import {
  ALERTMANAGER,
  BLACKBOX_EXPORTER,
  COLLECTOR_BINARY,
  findBinary,
  manifestHash,
  requireGo,
} from './provision/index.js';
import { DEFAULT_PORTS } from './stack.js';
import { pinnedVersions } from './versions.js';

/** One line of `otelkit doctor`. */
export interface Finding {
  /** `ok`, `missing` (blocks `otelkit up`) or `note` (worth knowing, not blocking). */
  status: 'ok' | 'missing' | 'note';
  /** What was checked. */
  name: string;
  /** What was found, and for `missing` how to get it. */
  detail: string;
}

/** Checks every prerequisite of the native stack; one finding per prerequisite. */
export async function doctor(): Promise<Finding[]> {
  const findings: Finding[] = [];
  const [major, minor] = process.versions.node.split('.').map(Number);
  findings.push(
    (major ?? 0) > 20 || ((major ?? 0) === 20 && (minor ?? 0) >= 6)
      ? { status: 'ok', name: 'node', detail: process.versions.node }
      : { status: 'missing', name: 'node', detail: `${process.versions.node}; need >= 20.6` },
  );

  const root = repoRoot();
  const versions = pinnedVersions(root);
  const manifest = readFileSync(join(root, 'collector', 'builder-config.yaml'), 'utf8');
  const collector = join(
    cacheDir(),
    'collector',
    `${versions.collector}-${manifestHash(manifest)}`,
    COLLECTOR_BINARY,
  );
  const prometheus = join(cacheDir(), 'prometheus', `v${versions.prometheus}`, 'prometheus');
  const needGo = !existsSync(collector) || !existsSync(prometheus);
  try {
    findings.push({ status: 'ok', name: 'go', detail: await requireGo() });
  } catch (error) {
    findings.push({
      status: needGo ? 'missing' : 'note',
      name: 'go',
      detail: `${(error as Error).message}${needGo ? '' : ' (not needed: builds are cached)'}`,
    });
  }
  findings.push(
    existsSync(collector)
      ? { status: 'ok', name: 'collector', detail: `${versions.collector}, cached at ${collector}` }
      : {
          status: 'missing',
          name: 'collector',
          detail: `${versions.collector} not built yet; "otelkit provision" builds it with ocb (needs Go, ~5 min)`,
        },
  );
  findings.push(
    existsSync(prometheus)
      ? { status: 'ok', name: 'prometheus', detail: `${versions.prometheus}, cached at ${prometheus}` }
      : {
          status: 'missing',
          name: 'prometheus',
          detail: `${versions.prometheus} not built yet; "otelkit provision" builds it from its Go module (~8 min)`,
        },
  );
  const loki = join(cacheDir(), 'loki', `v${versions.loki}`, 'loki');
  findings.push({
    status: 'note',
    name: 'loki',
    detail: existsSync(loki)
      ? `${versions.loki}, cached at ${loki} (the tests' logs backend)`
      : `${versions.loki} not built yet; only the tests run it, and "otelkit provision" or the first test that needs it builds it from its Go module (~3 min)`,
  });
  for (const backend of [ALERTMANAGER, BLACKBOX_EXPORTER]) {
    const found = await findBinary(backend.binaries);
    findings.push(
      found
        ? { status: 'ok', name: backend.name, detail: found }
        : {
            status: 'missing',
            name: backend.name,
            detail: `not installed; "sudo apt-get install -y ${backend.package}" or "otelkit provision" as root`,
          },
    );
  }
  for (const [name, port] of await busyPorts(DEFAULT_PORTS)) {
    findings.push({
      status: 'note',
      name: `port ${port}`,
      detail: `in use (${name}); "pnpm otelkit status" tells whether it is ours, else stop what holds it`,
    });
  }
  let dockerEngine = false;
  try {
    await run('docker', ['info', '--format', '{{.ServerVersion}}']);
    dockerEngine = true;
  } catch {
    dockerEngine = false;
  }
  findings.push({
    status: 'note',
    name: 'docker',
    detail: dockerEngine
      ? 'engine available: "docker compose up" runs the full stack with Loki, Tempo and Grafana'
      : 'no engine: Loki, Tempo and Grafana need "docker compose up"; natively their data goes to the sink files',
  });
  return findings;
}

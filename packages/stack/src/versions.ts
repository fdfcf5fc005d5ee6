import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * Versions come from the files users run, so the native stack and docker compose cannot drift:
 * the Collector release from `collector/builder-config.yaml`, Prometheus from the image tag in
 * `docker-compose.yml`, Loki likewise.
 */
export interface PinnedVersions {
  /** Collector release, e.g. `0.158.0` (the ocb manifest's `dist.version`). */
  collector: string;
  /** Prometheus release, e.g. `3.15.0`. */
  prometheus: string;
  /** Go module version that carries that Prometheus release, e.g. `v0.315.0`. */
  prometheusModule: string;
  /** Loki release, e.g. `3.5.5`; its Go module `github.com/grafana/loki/v3` carries it as `v3.5.5`. */
  loki: string;
}

interface ComposeFile {
  services?: Record<string, { image?: string }>;
}

interface BuilderManifest {
  dist?: { version?: string };
}

/** Reads the pinned versions from the repository at `root`. */
export function pinnedVersions(root: string): PinnedVersions {
  const manifest = parse(
    readFileSync(join(root, 'collector', 'builder-config.yaml'), 'utf8'),
  ) as BuilderManifest;
  const collector = manifest.dist?.version;
  if (!collector) throw new Error('collector/builder-config.yaml: dist.version is missing');
  const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as ComposeFile;
  const image = compose.services?.prometheus?.image ?? '';
  const match = /^prom\/prometheus:v(3)\.(\d+)\.(\d+)$/.exec(image);
  if (!match) {
    throw new Error(
      `docker-compose.yml: services.prometheus.image is "${image}"; expected prom/prometheus:v3.<minor>.<patch>`,
    );
  }
  const [, major, minor, patch] = match;
  const lokiImage = compose.services?.loki?.image ?? '';
  const loki = /^grafana\/loki:(3\.\d+\.\d+)$/.exec(lokiImage)?.[1];
  if (!loki) {
    throw new Error(
      `docker-compose.yml: services.loki.image is "${lokiImage}"; expected grafana/loki:3.<minor>.<patch>`,
    );
  }
  return {
    collector,
    prometheus: `${major}.${minor}.${patch}`,
    prometheusModule: prometheusModuleVersion(Number(minor), Number(patch)),
    loki,
  };
}

/** Prometheus 3.x.y is published as Go module version v0.(300+x).y. */
export function prometheusModuleVersion(minor: number, patch: number): string {
  return `v0.${300 + minor}.${patch}`;
}

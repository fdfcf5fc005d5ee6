import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pinnedVersions, provision, repoRoot } from '@otelkit/stack';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = repoRoot();

const CORE_LINE =
  /^@opentelemetry\/(api-logs|core|resources|context-async-hooks|instrumentation|instrumentation-http|otlp-.*|sdk-.*|exporter-(trace|metrics|logs)-otlp-.*)$/;

interface Compose {
  services: Record<string, { image: string }>;
}

describe('one set of versions everywhere', () => {
  it('runs the Collector release of the ocb manifest in docker compose', () => {
    const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as Compose;
    const image = compose.services['otel-collector']?.image;
    expect(image).toBe(`otel/opentelemetry-collector-contrib:${pinnedVersions(root).collector}`);
  });

  it('builds natively the Prometheus release docker compose pins', async () => {
    const { prometheus } = await provision();
    const output = execFileSync(prometheus.binary, ['--version'], { encoding: 'utf8' });
    expect(output).toContain(`version ${pinnedVersions(root).prometheus}`);
  });

  it('builds natively the Loki release docker compose pins', async () => {
    const { loki } = await provision(() => {}, { loki: true });
    const output = execFileSync(loki?.binary ?? 'loki', ['-version'], { encoding: 'utf8' });
    const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as Compose;
    expect(compose.services.loki?.image).toBe(`grafana/loki:${pinnedVersions(root).loki}`);
    expect(output).toContain(`loki, version ${pinnedVersions(root).loki} `);
  });

  it('keeps every @opentelemetry JS package on the Node 20 line (sdk 2.x, experimental 0.22x), one version each', () => {
    const manifests = [
      join(root, 'package.json'),
      ...['packages', 'test', 'bench', 'examples'].flatMap((dir) => {
        if (dir !== 'packages') return [join(root, dir, 'package.json')];
        return readdirSync(join(root, dir)).map((name) => join(root, dir, name, 'package.json'));
      }),
    ];
    const seen = new Map<string, Set<string>>();
    for (const file of manifests) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as Record<
        string,
        Record<string, string> | undefined
      >;
      for (const deps of [pkg.dependencies, pkg.devDependencies, pkg.peerDependencies]) {
        for (const [name, range] of Object.entries(deps ?? {})) {
          if (!name.startsWith('@opentelemetry/')) continue;
          expect(range, `${file}: ${name} must be pinned exactly`).toMatch(/^\d+\.\d+\.\d+$/);
          if (!seen.has(name)) seen.set(name, new Set());
          seen.get(name)?.add(range);
        }
      }
    }
    expect(seen.size).toBeGreaterThan(5);
    for (const [name, versions] of seen) {
      expect(versions.size, `${name} has several versions: ${[...versions]}`).toBe(1);
      const [version = ''] = versions;
      // The core repository's packages move in lockstep (2.x stable, 0.22x experimental); the
      // contrib instrumentations and detectors have their own numbers and are only pinned.
      if (!CORE_LINE.test(name)) continue;
      expect(version, name).toMatch(/^(2\.\d+\.\d+|0\.22\d\.\d+)$/);
    }
  });
});

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { run } from '../exec.js';
import { removeAbandonedBuilds } from './abandoned-builds.js';
import { buildDirectory, installBuild } from './cache-entry.js';
import { requireGo } from './go-toolchain.js';
import type { Reporter } from './report.js';

/** Name of the distribution binary, as `dist.name` in the manifest. */
export const COLLECTOR_BINARY = 'otelcol-otelkit';

/** A provisioned binary and whether this call had to build it. */
export interface Provisioned {
  /** Absolute path of the binary. */
  binary: string;
  /** True when it was built now, false when a cached build was reused. */
  built: boolean;
}

interface Manifest {
  dist: { version: string; output_path?: string; name?: string };
}

/** The cache key of a manifest: the first 16 hex digits of its SHA-256. */
export function manifestHash(manifestText: string): string {
  return createHash('sha256').update(manifestText).digest('hex').slice(0, 16);
}

/**
 * Builds the Collector distribution from `collector/builder-config.yaml` with the official
 * builder (ocb) of the same release, or reuses the build cached under the manifest's hash.
 */
export async function ensureCollector(root: string, cache: string, report: Reporter): Promise<Provisioned> {
  const manifestPath = join(root, 'collector', 'builder-config.yaml');
  const text = readFileSync(manifestPath, 'utf8');
  const manifest = parse(text) as Manifest;
  const version = manifest.dist.version;
  const dir = join(cache, 'collector', `${version}-${manifestHash(text)}`);
  const binary = join(dir, COLLECTOR_BINARY);
  const complete = (entry: string) => existsSync(join(entry, COLLECTOR_BINARY));
  if (complete(dir)) {
    report(`collector: reusing cached build ${binary} (manifest unchanged, nothing rebuilt)`);
    return { binary, built: false };
  }
  await requireGo();
  const builder = await ensureBuilder(cache, version, report);
  for (const name of removeAbandonedBuilds(dirname(dir)))
    report(`collector: removed ${name}, left by a build cut short`);
  const work = buildDirectory(dir);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  manifest.dist.output_path = work;
  writeFileSync(join(work, 'manifest.yaml'), stringify(manifest));
  report(`collector: building ${COLLECTOR_BINARY} ${version} with ocb (first run only, several minutes)`);
  const started = Date.now();
  await run(builder, ['--config', join(work, 'manifest.yaml')], { cwd: work });
  report(
    installBuild(work, dir, complete)
      ? `collector: built ${binary} in ${Math.round((Date.now() - started) / 1000)} s`
      : `collector: another run built ${binary} first; kept that one`,
  );
  return { binary, built: true };
}

async function ensureBuilder(cache: string, version: string, report: Reporter): Promise<string> {
  const bin = join(cache, 'tools', `builder-v${version}`);
  const builder = join(bin, 'builder');
  if (existsSync(builder)) return builder;
  report(`collector: installing the OpenTelemetry Collector Builder v${version}`);
  mkdirSync(bin, { recursive: true });
  await run('go', ['install', `go.opentelemetry.io/collector/cmd/builder@v${version}`], {
    env: { GOBIN: bin },
  });
  return builder;
}

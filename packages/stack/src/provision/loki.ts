import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { run } from '../exec.js';
import type { PinnedVersions } from '../versions.js';
import { removeAbandonedBuilds } from './abandoned-builds.js';
import { buildDirectory, installBuild } from './cache-entry.js';
import type { Provisioned } from './collector.js';
import { goBuild, requireGo } from './go-toolchain.js';
import type { Reporter } from './report.js';

const LOKI_MODULE = 'github.com/grafana/loki/v3';
const PUSH_MODULE = 'github.com/grafana/loki/pkg/push';

/**
 * The Go environment of the Loki build. The checksum database, reached through the module proxy,
 * answers 404 for Loki's own modules (seen for v3.5.5), so those two are exempt from it; every
 * dependency is still checked against Loki's go.sum and the checksum database.
 */
const GO_ENV = { GONOSUMDB: 'github.com/grafana/loki', GOFLAGS: '-mod=mod -buildvcs=false' };

/**
 * Builds Loki from its Go module at the release docker-compose.yml pins, or reuses the cached
 * build of that version.
 *
 * `go install` refuses Loki's module because its go.mod has `replace` directives, so the build
 * runs in a copy of the module's source as the main module, where they apply. One of them points
 * at `./pkg/push`, a nested module that module zips leave out; it is pointed at that module's
 * published version instead, the one Loki's go.mod requires.
 */
export async function ensureLoki(
  cache: string,
  versions: PinnedVersions,
  report: Reporter,
): Promise<Provisioned> {
  const dir = join(cache, 'loki', `v${versions.loki}`);
  const binary = join(dir, 'loki');
  const complete = (entry: string) => existsSync(join(entry, 'loki'));
  if (complete(dir)) {
    report(`loki: reusing cached build ${binary} (v${versions.loki}, nothing rebuilt)`);
    return { binary, built: false };
  }
  await requireGo();
  report(`loki: building v${versions.loki} from ${LOKI_MODULE}@v${versions.loki}`);
  const started = Date.now();
  for (const name of removeAbandonedBuilds(dirname(dir)))
    report(`loki: removed ${name}, left by a build cut short`);
  const source = await downloadModule(`v${versions.loki}`);
  const work = `${dir}-source.tmp-${process.pid}`;
  const out = buildDirectory(dir);
  for (const path of [work, out]) rmSync(path, { recursive: true, force: true });
  try {
    // The module cache is read-only, and the build edits go.mod.
    cpSync(source, work, { recursive: true });
    await run('chmod', ['-R', 'u+w', work]);
    const pushVersion = requiredVersion(readFileSync(join(work, 'go.mod'), 'utf8'), PUSH_MODULE);
    await run('go', ['mod', 'edit', `-replace=${PUSH_MODULE}=${PUSH_MODULE}@${pushVersion}`], {
      cwd: work,
      env: GO_ENV,
    });
    mkdirSync(out, { recursive: true });
    await goBuild({
      cwd: work,
      packages: ['./cmd/loki'],
      out: join(out, 'loki'),
      version: { variable: `${LOKI_MODULE}/pkg/util/build.Version`, value: versions.loki },
      env: GO_ENV,
    });
    report(
      installBuild(out, dir, complete)
        ? `loki: built ${binary} in ${Math.round((Date.now() - started) / 1000)} s`
        : `loki: another run built ${binary} first; kept that one`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
  return { binary, built: true };
}

/** Downloads Loki's module source into the module cache and returns its directory. */
async function downloadModule(version: string): Promise<string> {
  const { stdout } = await run('go', ['mod', 'download', '-json', `${LOKI_MODULE}@${version}`], {
    env: GO_ENV,
  });
  const info = JSON.parse(stdout) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`go mod download ${LOKI_MODULE}@${version}: ${info.Error ?? 'no source'}`);
  return info.Dir;
}

/** The version `goMod` requires of `module`. */
export function requiredVersion(goMod: string, module: string): string {
  const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const version = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, 'm').exec(goMod)?.[1];
  if (!version) throw new Error(`Loki's go.mod requires no version of ${module}; cannot build it`);
  return version;
}

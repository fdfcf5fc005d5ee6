import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { run } from '../exec.js';
import type { PinnedVersions } from '../versions.js';
import { removeAbandonedBuilds } from './abandoned-builds.js';
import { buildDirectory, installBuild } from './cache-entry.js';
import type { Provisioned } from './collector.js';
import { goBuild, requireGo } from './go-toolchain.js';
import type { Reporter } from './report.js';

const PROMETHEUS_MODULE = 'github.com/prometheus/prometheus';

/** The Prometheus server and its promtool, built from the same module version. */
export interface ProvisionedPrometheus extends Provisioned {
  /** Absolute path of promtool. */
  promtool: string;
}

/**
 * Builds Prometheus and promtool from the Prometheus Go module at the release docker-compose.yml
 * pins, or reuses the cached build of that version.
 *
 * Recent Prometheus modules carry `replace`/`exclude` directives, which `go install pkg@version`
 * refuses. The build therefore happens in a one-file main module that requires Prometheus and
 * repeats those directives verbatim from upstream's go.mod, which is how upstream builds it.
 */
export async function ensurePrometheus(
  cache: string,
  versions: PinnedVersions,
  report: Reporter,
): Promise<ProvisionedPrometheus> {
  const dir = join(cache, 'prometheus', `v${versions.prometheus}`);
  const binary = join(dir, 'prometheus');
  const promtool = join(dir, 'promtool');
  if (complete(dir)) {
    report(`prometheus: reusing cached build ${binary} (v${versions.prometheus}, nothing rebuilt)`);
    return { binary, promtool, built: false };
  }
  await requireGo();
  const work = join(cache, 'prometheus', `build-${versions.prometheusModule}`);
  mkdirSync(work, { recursive: true });
  report(
    `prometheus: building v${versions.prometheus} from ${PROMETHEUS_MODULE}@${versions.prometheusModule}`,
  );
  const started = Date.now();
  const upstreamGoMod = await downloadGoMod(versions.prometheusModule);
  writeFileSync(join(work, 'go.mod'), wrapperGoMod(upstreamGoMod, versions.prometheusModule));
  writeFileSync(
    join(work, 'tools.go'),
    '//go:build tools\n\npackage tools\n\nimport (\n' +
      `\t_ "${PROMETHEUS_MODULE}/cmd/prometheus"\n\t_ "${PROMETHEUS_MODULE}/cmd/promtool"\n)\n`,
  );
  await run('go', ['mod', 'tidy'], { cwd: work });
  for (const name of removeAbandonedBuilds(dirname(dir)))
    report(`prometheus: removed ${name}, left by a build cut short`);
  const out = buildDirectory(dir);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  await goBuild({
    cwd: work,
    packages: [`${PROMETHEUS_MODULE}/cmd/prometheus`, `${PROMETHEUS_MODULE}/cmd/promtool`],
    out: `${out}/`,
    version: { variable: 'github.com/prometheus/common/version.Version', value: versions.prometheus },
  });
  report(
    installBuild(out, dir, complete)
      ? `prometheus: built ${binary} in ${Math.round((Date.now() - started) / 1000)} s`
      : `prometheus: another run built ${binary} first; kept that one`,
  );
  return { binary, promtool, built: true };
}

/** Whether a cache entry holds both binaries. */
function complete(dir: string): boolean {
  return existsSync(join(dir, 'prometheus')) && existsSync(join(dir, 'promtool'));
}

async function downloadGoMod(moduleVersion: string): Promise<string> {
  const { stdout } = await run('go', ['mod', 'download', '-json', `${PROMETHEUS_MODULE}@${moduleVersion}`]);
  const info = JSON.parse(stdout) as { GoMod?: string; Error?: string };
  if (!info.GoMod)
    throw new Error(`go mod download ${PROMETHEUS_MODULE}@${moduleVersion}: ${info.Error ?? 'no go.mod'}`);
  return readFileSync(info.GoMod, 'utf8');
}

/** A main module requiring Prometheus with upstream's `go`, `exclude` and `replace` directives. */
export function wrapperGoMod(upstream: string, moduleVersion: string): string {
  const goLine = /^go\s+\S+$/m.exec(upstream)?.[0] ?? 'go 1.25';
  const directives: string[] = [];
  const lines = upstream.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (!/^(exclude|replace)\b/.test(line)) continue;
    if (/\($/.test(line.trim())) {
      const block = [line];
      while (i + 1 < lines.length && !/^\)/.test(lines[i] ?? '')) block.push(lines[++i] ?? '');
      directives.push(block.join('\n'));
    } else {
      directives.push(line);
    }
  }
  return [
    'module otelkit.local/prometheus-build',
    '',
    goLine,
    '',
    `require ${PROMETHEUS_MODULE} ${moduleVersion}`,
    '',
    ...directives,
    '',
  ].join('\n');
}

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, manifestHash, repoRoot } from '@otelkit/stack';

/** The Go program (tools/compose-config) that loads a Compose file with compose-spec's own loader. */
const TOOL_DIR = join(repoRoot(), 'tools', 'compose-config');
const TOOL_SOURCES = ['go.mod', 'go.sum', 'main.go'] as const;

/** A port a service publishes, as `docker compose config` normalizes it. */
export interface ComposePort {
  target: number;
  published?: string;
  host_ip?: string;
  protocol?: string;
}

/** A mount, normalized: relative bind sources are absolute, named volumes keep their name. */
export interface ComposeMount {
  type: 'bind' | 'volume' | 'tmpfs' | string;
  source?: string;
  target: string;
  read_only?: boolean;
}

/** The subset of a normalized service the tests read. */
export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string };
  command?: string[] | null;
  entrypoint?: string[] | null;
  working_dir?: string;
  environment?: Record<string, string | null>;
  ports?: ComposePort[];
  volumes?: ComposeMount[];
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string; required?: boolean }>;
  restart?: string;
  profiles?: string[];
}

/** A Compose project after interpolation and normalization (what `docker compose config` prints). */
export interface ComposeProject {
  name: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** The compose-go release the tool is built from (its go.mod requirement). */
export function composeGoVersion(): string {
  const goMod = readFileSync(join(TOOL_DIR, 'go.mod'), 'utf8');
  const match = /github\.com\/compose-spec\/compose-go\/v2 (v\S+)/.exec(goMod);
  if (!match?.[1]) throw new Error('tools/compose-config/go.mod does not require compose-go/v2');
  return match[1];
}

/**
 * Builds tools/compose-config once per compose-go version and source hash into the otelkit cache
 * (like the Collector and Prometheus builds) and returns the binary. Needs Go, as the native
 * stack does; the module download comes from the Go module proxy with go.sum checking it.
 */
export function ensureComposeConfigTool(): string {
  const sources = TOOL_SOURCES.map((file) => readFileSync(join(TOOL_DIR, file), 'utf8')).join('\0');
  const dir = join(cacheDir(), 'tools', `compose-config-${composeGoVersion()}-${manifestHash(sources)}`);
  const binary = join(dir, 'compose-config');
  if (existsSync(binary)) return binary;
  const work = `${dir}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    execFileSync('go', ['build', '-trimpath', '-o', join(work, 'compose-config'), '.'], {
      cwd: TOOL_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`building tools/compose-config failed (Go >= 1.25 is required): ${stderr || error}`);
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(work, dir);
  return binary;
}

/** Result of loading a Compose file: the project, or the loader's error message. */
export type LoadResult = { ok: true; project: ComposeProject } | { ok: false; error: string };

/**
 * Loads `file` like `docker compose config` with exactly `env` as the environment (no .env file,
 * nothing inherited), every profile enabled unless `profiles` says otherwise.
 */
export function loadCompose(
  file: string,
  env: Record<string, string>,
  profiles: readonly string[] = ['*'],
): LoadResult {
  const args = [...profiles.flatMap((profile) => ['-profile', profile]), file];
  const result = spawnSync(ensureComposeConfigTool(), args, { env, encoding: 'utf8' });
  if (result.status !== 0) return { ok: false, error: result.stderr.trim() || String(result.error) };
  return { ok: true, project: JSON.parse(result.stdout) as ComposeProject };
}

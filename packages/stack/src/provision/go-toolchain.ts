import { run } from '../exec.js';
import { MissingPrerequisiteError } from './report.js';

/** Oldest Go the pinned Collector and Prometheus releases compile with. */
export const MIN_GO = { major: 1, minor: 25 } as const;

/** Returns the Go version (e.g. `1.26.8`) or throws a {@link MissingPrerequisiteError}. */
export async function requireGo(): Promise<string> {
  let output: string;
  try {
    output = (await run('go', ['version'])).stdout;
  } catch {
    throw new MissingPrerequisiteError(
      'go',
      `not found; install Go >= ${MIN_GO.major}.${MIN_GO.minor} (https://go.dev/doc/install) or use docker compose up`,
    );
  }
  const match = /go(\d+)\.(\d+)(?:\.(\d+))?/.exec(output);
  if (!match) throw new MissingPrerequisiteError('go', `cannot read a version from "${output.trim()}"`);
  const major = Number(match[1]);
  const minor = Number(match[2]);
  if (major < MIN_GO.major || (major === MIN_GO.major && minor < MIN_GO.minor)) {
    throw new MissingPrerequisiteError(
      'go',
      `found ${match[0]}, need >= ${MIN_GO.major}.${MIN_GO.minor}; upgrade Go or use docker compose up`,
    );
  }
  return `${match[1]}.${match[2]}${match[3] ? `.${match[3]}` : ''}`;
}

/** What {@link goBuild} builds, and where. */
export interface GoBuild {
  /** The main module's directory. */
  cwd: string;
  /** Package paths to build. */
  packages: string[];
  /** Output: a directory (ending in "/") for several packages, or the binary's path. */
  out: string;
  /** The Go variable that carries the release (`-X`), and the release, for `--version`. */
  version: { variable: string; value: string };
  /** Extra Go environment. */
  env?: Record<string, string>;
}

/** `go build -trimpath`, the way upstream builds its release binaries, with the release stamped in. */
export async function goBuild(build: GoBuild): Promise<void> {
  await run(
    'go',
    [
      'build',
      '-trimpath',
      '-ldflags',
      `-X ${build.version.variable}=${build.version.value}`,
      '-o',
      build.out,
      ...build.packages,
    ],
    { cwd: build.cwd, ...(build.env ? { env: build.env } : {}) },
  );
}

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

const packageDir = join(import.meta.dirname, '..', '..');

/**
 * The directory of the package `names` ends with, as the bundle resolves it: the first from
 * @otelkit/node, each next one from the package before it (a dependency otelkit reaches only
 * through another package).
 */
export function upstreamPackageDir(...names: string[]): string {
  return names.reduce(
    (dir, name) => dirname(createRequire(join(dir, 'package.json')).resolve(`${name}/package.json`)),
    packageDir,
  );
}

/**
 * Bundles upstream modules with esbuild, through the given rewrites (scripts/upstream-rewrites.mjs)
 * or none, and imports the result, so that a test can run upstream's code with and without a
 * rewrite side by side. Name the build files the bundle takes (an `esnext` build where it takes
 * that): the rewrites match files by path.
 */
export class BundledUpstream {
  private readonly outDir = mkdtempSync(join(tmpdir(), 'otelkit-upstream-'));

  /**
   * Bundles `source`, an ES module that re-exports what the test needs (paths resolve from
   * @otelkit/node's directory), and imports it. `name` keeps the bundles of one test apart.
   */
  async load<T>(name: string, source: string, plugins: readonly unknown[]): Promise<T> {
    const result = await build({
      stdin: { contents: source, resolveDir: packageDir, loader: 'js' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      logLevel: 'silent',
      plugins: plugins as Plugin[],
    });
    const file = join(this.outDir, `${name}.mjs`);
    writeFileSync(file, result.outputFiles[0].text);
    return (await import(pathToFileURL(file).href)) as T;
  }

  /** Deletes the bundles (call it from `afterAll`). */
  dispose(): void {
    rmSync(this.outDir, { recursive: true, force: true });
  }
}

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A fresh temporary application directory whose node_modules links the examples' Express, as an
 * application's own dependency would be installed. Tests write their entry files into it.
 *
 * @param prefix - start of the directory's name, to tell the tests' directories apart.
 */
export function expressAppDir(prefix: string): string {
  const app = mkdtempSync(join(tmpdir(), prefix));
  const examplesRequire = createRequire(join(import.meta.dirname, '../../examples/package.json'));
  mkdirSync(join(app, 'node_modules'));
  symlinkSync(
    realpathSync(dirname(examplesRequire.resolve('express/package.json'))),
    join(app, 'node_modules', 'express'),
  );
  return app;
}

/**
 * Runs `node <entryFlag> @otelkit/node/register <file>` as a user would, with every exporter
 * off (these tests check patching and propagation, and an app with nothing to export has nothing
 * to wait for at exit), and returns what it printed.
 */
export function runInstrumented(
  entryFlag: '--import' | '--require',
  file: string,
  env: Record<string, string> = {},
): string {
  return execFileSync(process.execPath, [entryFlag, '@otelkit/node/register', file], {
    cwd: join(import.meta.dirname, '..'),
    env: {
      PATH: process.env.PATH ?? '',
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
      ...env,
    },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

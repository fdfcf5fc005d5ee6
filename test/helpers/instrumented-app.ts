import { execFileSync, type SpawnSyncReturns, spawnSync } from 'node:child_process';
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

/** The entry flags `@otelkit/node/register` is loaded with. */
type EntryFlag = '--import' | '--require';

/** The application: its main module's path, or Node's arguments after the entry flag (`['-e', code]`). */
type Main = string | readonly string[];

/**
 * `node <entryFlag> @otelkit/node/register <file>` as a user would run it, with every exporter
 * off (these tests check patching and propagation, and an app with nothing to export has nothing
 * to wait for at exit).
 */
function instrumentedCommand(entryFlag: EntryFlag, main: Main, env: Record<string, string>) {
  return {
    args: [entryFlag, '@otelkit/node/register', ...(typeof main === 'string' ? [main] : main)],
    options: {
      cwd: join(import.meta.dirname, '..'),
      env: {
        PATH: process.env.PATH ?? '',
        OTEL_TRACES_EXPORTER: 'none',
        OTEL_METRICS_EXPORTER: 'none',
        OTEL_LOGS_EXPORTER: 'none',
        ...env,
      },
      encoding: 'utf8' as const,
      timeout: 30_000,
    },
  };
}

/** Runs the instrumented application (see instrumentedCommand) and returns what it printed; throws if it fails. */
export function runInstrumented(
  entryFlag: EntryFlag,
  file: string,
  env: Record<string, string> = {},
): string {
  const { args, options } = instrumentedCommand(entryFlag, file, env);
  return execFileSync(process.execPath, args, options);
}

/** Runs the instrumented application and returns its exit status, stdout and stderr, whatever they are. */
export function spawnInstrumented(
  entryFlag: EntryFlag,
  main: Main,
  env: Record<string, string> = {},
): SpawnSyncReturns<string> {
  const { args, options } = instrumentedCommand(entryFlag, main, env);
  return spawnSync(process.execPath, args, options);
}

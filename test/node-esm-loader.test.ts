/**
 * When `--import @otelkit/node/register` starts the ESM loader hook: always for an ES-module main
 * module, not for a certainly-CommonJS one (about 150 ms of start-up saved), and always again with
 * OTELKIT_ESM_LOADER=always, for a CommonJS application whose other modules `import()` an
 * instrumented package. Express is the instrumented package; its patched `application.use` shows
 * whether the instrumentation reached the module the ES import loaded.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const app = mkdtempSync(join(tmpdir(), 'otelkit-esm-loader-'));
// The examples' Express, linked in as an application's own dependency.
const examplesRequire = createRequire(join(import.meta.dirname, '../examples/package.json'));
mkdirSync(join(app, 'node_modules'));
symlinkSync(
  realpathSync(dirname(examplesRequire.resolve('express/package.json'))),
  join(app, 'node_modules', 'express'),
);
const report =
  "import express from 'express';\nprocess.stdout.write(String(Boolean(express.application.use.__wrapped)));\n";
writeFileSync(join(app, 'esm.mjs'), report);
writeFileSync(join(app, 'main.mjs'), report);
// CommonJS main module; another module imports the instrumented package with import().
writeFileSync(join(app, 'main.cjs'), "require('./boot.cjs');\n");
writeFileSync(join(app, 'boot.cjs'), "void import('./esm.mjs');\n");

function expressPatched(main: string, env: Record<string, string> = {}): boolean {
  const out = execFileSync(process.execPath, ['--import', '@otelkit/node/register', join(app, main)], {
    cwd: import.meta.dirname,
    // Only patching is checked: with nothing exported, the flush at exit has nothing to wait for.
    env: {
      PATH: process.env.PATH ?? '',
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
      ...env,
    },
    encoding: 'utf8',
  });
  return JSON.parse(out) as boolean;
}

describe('--import @otelkit/node/register and the ESM loader hook', () => {
  it('patches what an ES-module main module imports', () => {
    expect(expressPatched('main.mjs')).toBe(true);
  });

  it('starts no loader for a CommonJS main module, so an import() elsewhere goes unpatched', () => {
    expect(expressPatched('main.cjs')).toBe(false);
  });

  it('OTELKIT_ESM_LOADER=always starts it for that CommonJS application', () => {
    expect(expressPatched('main.cjs', { OTELKIT_ESM_LOADER: 'always' })).toBe(true);
  });
});

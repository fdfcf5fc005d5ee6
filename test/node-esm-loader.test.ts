/**
 * When `@otelkit/node/register` installs the ESM hooks: always for an ES-module main module,
 * whether the entry came with `--import` or `--require`; not for a certainly-CommonJS one
 * (start-up saved); and always again with OTELKIT_ESM_LOADER=always, for a CommonJS application
 * whose other modules `import()` an instrumented package. Express is the instrumented package; its
 * patched `application.use` shows whether the instrumentation reached the module the ES import
 * loaded. Where the hooks run depends on the Node version, so these tests also run on every Node
 * line of scripts/node-matrix.sh.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expressAppDir, runInstrumented, spawnInstrumented } from './helpers/instrumented-app.js';

const app = expressAppDir('otelkit-esm-loader-');
const report =
  "import express from 'express';\nprocess.stdout.write(String(Boolean(express.application.use.__wrapped)));\n";
writeFileSync(join(app, 'esm.mjs'), report);
writeFileSync(join(app, 'main.mjs'), report);
// CommonJS main module; another module imports the instrumented package with import().
writeFileSync(join(app, 'main.cjs'), "require('./boot.cjs');\n");
writeFileSync(join(app, 'boot.cjs'), "void import('./esm.mjs');\n");
// A worker thread, as pino's transports and worker pools start them: does an SDK run in each thread?
const started = "Boolean(globalThis[Symbol.for('opentelemetry.js.api.1')]?.trace)";
writeFileSync(
  join(app, 'with-worker.cjs'),
  `const { Worker } = require('node:worker_threads');
new Worker(require('node:path').join(__dirname, 'worker.cjs')).once('message', (worker) => {
  process.stdout.write(JSON.stringify({ main: ${started}, worker }));
});\n`,
);
writeFileSync(
  join(app, 'worker.cjs'),
  `require('node:worker_threads').parentPort.postMessage(${started});\n`,
);
// Some other tool's loader, off-thread: a resolve hook that changes nothing.
writeFileSync(
  join(app, 'other-loader.mjs'),
  "import { register } from 'node:module';\nregister('data:text/javascript,export function resolve(s, c, next) { return next(s, c); }');\n",
);

function expressPatched(
  main: string,
  env: Record<string, string> = {},
  entryFlag: '--import' | '--require' = '--import',
): boolean {
  const out = runInstrumented(entryFlag, join(app, main), env);
  return JSON.parse(out) as boolean;
}

describe('@otelkit/node/register and the ESM loader hook', () => {
  it('patches what an ES-module main module imports', () => {
    expect(expressPatched('main.mjs')).toBe(true);
  });

  /** Runs `main` with OTEL_LOG_LEVEL=debug: the application's output, and the diagnostics (stderr). */
  const runWithDiagnostics = (
    entryFlag: '--import' | '--require',
    main: string,
    env: Record<string, string> = {},
  ) => {
    const run = spawnInstrumented(entryFlag, join(app, main), { OTEL_LOG_LEVEL: 'debug', ...env });
    expect(run.status, run.stderr).toBe(0);
    return { out: run.stdout, diagnostics: run.stderr };
  };

  it('patches it under --require too', () => {
    expect(expressPatched('main.mjs', {}, '--require')).toBe(true);
  });

  it('starts no loader for a CommonJS main module, so an import() elsewhere goes unpatched', () => {
    expect(expressPatched('main.cjs')).toBe(false);
    // OTEL_LOG_LEVEL=debug says so, as it names the hooks' thread when there are hooks.
    const { diagnostics } = runWithDiagnostics('--import', 'main.cjs');
    expect(diagnostics).toContain('no ESM hooks: the main module is CommonJS');
  });

  it('OTELKIT_ESM_LOADER=always starts it for that CommonJS application', () => {
    expect(expressPatched('main.cjs', { OTELKIT_ESM_LOADER: 'always' })).toBe(true);
  });

  it('runs the hooks in the application thread where Node can, on the loader thread elsewhere', () => {
    const { diagnostics } = runWithDiagnostics('--import', 'main.mjs');
    expect(diagnostics).toContain(
      `ESM hooks run in the ${inThreadHooks(process.versions.node) ? 'application' : 'loader'} thread`,
    );
  });

  it('runs the hooks on the loader thread when require() of ES modules is turned off', () => {
    const { out, diagnostics } = runWithDiagnostics('--import', 'main.mjs', {
      NODE_OPTIONS: '--no-experimental-require-module',
    });
    expect(diagnostics).toContain('ESM hooks run in the loader thread');
    expect(out.trim().endsWith('true')).toBe(true);
  });

  it('--require without require() of ES modules: the application runs, uninstrumented, and one line says why', () => {
    const run = spawnInstrumented('--require', join(app, 'main.mjs'), {
      NODE_OPTIONS: '--no-experimental-require-module',
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('false');
    expect(run.stderr).toMatch(
      /^otelkit: telemetry disabled, --require could not load the SDK \(.+\); use --import @otelkit\/node\/register\n$/,
    );
  });

  for (const flag of ['--import', '--require'] as const) {
    it(`${flag}: starts in the main thread only, not again in each worker thread`, () => {
      const out = runInstrumented(flag, join(app, 'with-worker.cjs'));
      expect(JSON.parse(out.slice(out.indexOf('{')))).toEqual({ main: true, worker: false });
    });
  }

  for (const flag of ['--import', '--require'] as const) {
    it(`${flag} with -e and -p: the code runs, as the health check of a container whose NODE_OPTIONS has the flag`, () => {
      const code = "typeof require('node:module').createRequire + typeof require('module').builtinModules";
      // OTELKIT_ESM_LOADER=always, set for a CommonJS service's import(), changes nothing here.
      for (const loader of ['auto', 'always'])
        for (const mode of ['-e', '-p']) {
          const args = [mode, mode === '-e' ? `process.stdout.write(${code})` : code];
          const run = spawnInstrumented(flag, args, { OTELKIT_ESM_LOADER: loader });
          expect(run.stderr, `${loader} ${mode}`).toBe('');
          expect(run.status, `${loader} ${mode}`).toBe(0);
          expect(run.stdout.trim(), `${loader} ${mode}`).toBe('functionobject');
        }
    });
  }

  it('starts once under --require, not again in the thread Node runs module hooks on', () => {
    // Node runs --require preloads in its module-hooks thread as well. Another tool's
    // module.register() loader (tsx, say) starts that thread on every Node line.
    const { out, diagnostics } = runWithDiagnostics('--require', 'main.mjs', {
      NODE_OPTIONS: `--import ${join(app, 'other-loader.mjs')}`,
    });
    expect(diagnostics.match(/ESM hooks run in the \w+ thread/g)).toHaveLength(1);
    expect(out.trim().endsWith('true')).toBe(true);
  });
});

/**
 * Node lines whose `module.registerHooks` accepts the nullish CommonJS source import-in-the-middle
 * returns (nodejs/node#59929): 22.22.3, 24.11.1, 25.1.0 and 26.0.0 on.
 */
function inThreadHooks(version: string): boolean {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
  const from: Record<number, [number, number]> = { 22: [22, 3], 24: [11, 1], 25: [1, 0] };
  if (major >= 26) return true;
  const first = from[major];
  if (!first) return false;
  return minor > first[0] || (minor === first[0] && patch >= first[1]);
}

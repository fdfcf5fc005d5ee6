#!/usr/bin/env node
// Bundles @otelkit/node's runtime entry points, so that `--import @otelkit/node/register` loads a
// handful of files instead of the ~250 CommonJS files of the OpenTelemetry SDK: resolving and
// compiling those was most of the start-up cost (docs/performance.md, "Node SDK overhead").
//
// It writes dist/register.js, dist/index.js and dist/sdk/start.js (the module
// dist/register-require.cjs requires) over tsc's output, as ES modules sharing their code through
// dist/chunks/, so the entries share one SDK instance: state such as the health registry and the
// running SDK exists once. tsc's declarations and its other files stay as they are.
//   node scripts/bundle.mjs
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Left outside the bundle, loaded from node_modules at run time:
 * - import-in-the-middle: the loader thread's hook and the modules it generates import its
 *   registry from node_modules, so the main thread must use that same copy;
 * - winston: instrumentation-winston patches winston when it is required, and createLogger()'s
 *   loggers must be patched like the application's;
 * - the gRPC exporters (and @grpc/grpc-js) and cloud resource detectors: large, and loaded only
 *   when configured.
 */
const EXTERNAL = [
  'import-in-the-middle',
  'winston',
  '@grpc/grpc-js',
  '@opentelemetry/exporter-trace-otlp-grpc',
  '@opentelemetry/exporter-metrics-otlp-grpc',
  '@opentelemetry/exporter-logs-otlp-grpc',
  '@opentelemetry/resource-detector-*',
];

// `lazyRequire('pkg')` (src/sdk/lazy-require.ts) loads optional parts on demand. As a plain
// `require`, esbuild bundles the package and still evaluates it only when the call runs.
const inlineLazyRequires = {
  name: 'inline-lazy-requires',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /[/\\]src[/\\].*\.ts$/ }, async ({ path }) => ({
      contents: (await readFile(path, 'utf8')).replace(/\blazyRequire\((['"][^'"]+['"])\)/g, 'require($1)'),
      loader: 'ts',
    }));
  },
};

await build({
  entryPoints: ['register.ts', 'index.ts', 'sdk/start.ts'].map((entry) => join(packageDir, 'src', entry)),
  outbase: join(packageDir, 'src'),
  outdir: join(packageDir, 'dist'),
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  plugins: [inlineLazyRequires],
  // Class and function names stay as written: error types (exception.type, fingerprints) and
  // diagnostics report them.
  keepNames: true,
  // The CommonJS modules inside call require() for externals and Node built-ins.
  banner: {
    js: "import { createRequire as __otelkitCreateRequire } from 'node:module'; const require = __otelkitCreateRequire(import.meta.url);",
  },
  sourcemap: true,
  logLevel: 'warning',
});

#!/usr/bin/env node
// Bundles @otelkit/node's runtime entry points, so that `--import @otelkit/node/register` loads a
// handful of files instead of the ~250 CommonJS files of the OpenTelemetry SDK: resolving and
// compiling those was most of the start-up cost (docs/performance.md, "Node SDK overhead").
//
// It writes dist/bundle/ afresh: register.js, index.js and loader/auto-start.js as ES modules
// sharing their code through chunks/ (so the entries share one SDK instance: the health registry
// and the running SDK exist once), and register-require.cjs, the `--require` entry, which loads
// loader/auto-start.js. package.json's "exports" point there; tsc's dist/ keeps the declarations
// and an unbundled build that nothing loads at run time.
//   node scripts/bundle.mjs
import { readFile, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import {
  frozenAttributeHashesOnce,
  leanOtlpSerializers,
  leanWinstonLogRecords,
  requireMachineIdReaders,
  retryTimersFromOtelkit,
  spanAttributesCopiedOnceForSampler,
} from './upstream-rewrites.mjs';

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

// @fastify/otel 0.21.2 (the newest) asks for @opentelemetry/instrumentation ^0.222 while the other
// instrumentations are on 0.223: two copies in the bundle meant two require-in-the-middle hooks,
// each resolving every require() the application makes: about 0.16 s more CPU to start Node-RED
// (2,771 requires), 0.09 s for the bench server. Every package here gets otelkit's own copy.
const oneInstrumentationCopy = {
  name: 'one-instrumentation-copy',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^@opentelemetry\/instrumentation$/ }, async (args) => {
      if (args.pluginData === 'own copy' || args.resolveDir === packageDir) return undefined;
      const own = await pluginBuild.resolve(args.path, {
        kind: args.kind,
        resolveDir: packageDir,
        pluginData: 'own copy',
      });
      if (own.errors.length > 0) return { errors: own.errors };
      return { path: own.path };
    });
  },
};

// The CommonJS instrumentations require() the API packages, whose ES-module builds esbuild hands
// them as an object of getters (`__toCommonJS`), all sharing one function that reads the module's
// namespace by key: every `api.context`, `api.trace` on their hot paths (winston's correlation,
// a few per log record) was a megamorphic call through it. They get a plain copy instead, made
// once when first required; these packages export only constants, functions, classes and enums,
// all set as they load.
const PLAIN_FOR_COMMONJS = /^@opentelemetry\/(api|api-logs|core)$/;
const plainExportsForCommonJs = {
  name: 'plain-exports-for-commonjs',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: PLAIN_FOR_COMMONJS }, async (args) => {
      if (args.pluginData === 'plain copy' || args.kind !== 'require-call' || args.namespace !== 'file')
        return undefined;
      // The copy requires otelkit's own version; an importer that resolves another keeps its own.
      const [theirs, ours] = await Promise.all(
        [args.resolveDir, packageDir].map((resolveDir) =>
          pluginBuild.resolve(args.path, { kind: args.kind, resolveDir, pluginData: 'plain copy' }),
        ),
      );
      if (theirs.path !== ours.path) return undefined;
      return { path: args.path, namespace: 'plain-exports' };
    });
    // __esModule stays set (non-enumerable, as __toCommonJS sets it), for interop helpers that read it.
    pluginBuild.onLoad({ filter: /.*/, namespace: 'plain-exports' }, ({ path }) => ({
      contents: `module.exports = Object.assign(Object.defineProperty({}, '__esModule', { value: true }), require(${JSON.stringify(path)}));`,
      loader: 'js',
      resolveDir: packageDir,
    }));
  },
};

const outdir = join(packageDir, 'dist', 'bundle');
// Chunk names carry a content hash: without this, every rebuild would leave the old ones behind.
await rm(outdir, { recursive: true, force: true });

const shared = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  // No keepNames: it wraps every function expression in a `__name()` call (a defineProperty),
  // closures made per request included; without it the bench server's profiled CPU fell by about
  // a tenth (docs/performance.md). Names still come from the declarations, though bundling may
  // suffix a clashing one; test/node-bundle.test.ts checks the public error classes keep theirs.
  sourcemap: true,
  logLevel: 'warning',
  // The OpenTelemetry packages' ES-module builds: bundled from their CommonJS mains, every named
  // import read through __toESM's one shared getter, a megamorphic call on the SDK's hot paths.
  // Packages without such builds (the instrumentations) stay CommonJS; semantic-conventions, whose
  // exports map splits import from require, is bundled twice (constants only).
  mainFields: ['esnext', 'module', 'main'],
  conditions: ['esnext', 'module'],
};

await build({
  ...shared,
  entryPoints: ['register.ts', 'index.ts', 'loader/auto-start.ts'].map((entry) =>
    join(packageDir, 'src', entry),
  ),
  outbase: join(packageDir, 'src'),
  outdir,
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  format: 'esm',
  external: EXTERNAL,
  plugins: [
    inlineLazyRequires,
    requireMachineIdReaders,
    retryTimersFromOtelkit,
    frozenAttributeHashesOnce,
    leanOtlpSerializers,
    spanAttributesCopiedOnceForSampler,
    leanWinstonLogRecords,
    oneInstrumentationCopy,
    plainExportsForCommonJs,
  ],
  // The CommonJS modules inside call require() for externals and Node built-ins.
  banner: {
    js: "import { createRequire as __otelkitCreateRequire } from 'node:module'; const require = __otelkitCreateRequire(import.meta.url);",
  },
});

// The `--require` entry stays CommonJS and loads the bundled loader/auto-start.js (require() of
// an ES module, Node >= 20.19), so it shares that one SDK instance too.
await build({
  ...shared,
  entryPoints: [join(packageDir, 'src', 'register-require.cts')],
  outfile: join(outdir, 'register-require.cjs'),
  format: 'cjs',
  external: ['./loader/auto-start.js'],
});

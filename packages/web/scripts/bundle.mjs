#!/usr/bin/env node
// Builds the <script>-tag bundle of @otelkit/web: dist/otelkit-web.min.js, an IIFE exposing the
// global `OtelkitWeb` (OtelkitWeb.initWeb({...})), minified, with a source map, and prints its
// gzipped size. It bundles from src/ (esbuild strips types), so it needs no prior tsc run.
//   node scripts/bundle.mjs [--outfile path] [--json]
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Default bundle size budget, gzipped: tracing + vitals + errors + sessions + transport. */
export const BUDGET_BYTES = 40 * 1024;

/**
 * Builds the bundle to `outfile` and returns its raw and gzipped sizes.
 * @param {{ outfile?: string }} [options]
 */
export async function bundle({ outfile = join(packageDir, 'dist', 'otelkit-web.min.js') } = {}) {
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    entryPoints: [join(packageDir, 'src', 'index.ts')],
    outfile,
    bundle: true,
    minify: true,
    format: 'iife',
    globalName: 'OtelkitWeb',
    platform: 'browser',
    // Browsers of the last few years; OTel web's own floor is ES2022 class fields.
    target: ['es2022'],
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const code = readFileSync(outfile);
  return { outfile, bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--outfile');
  const result = await bundle(at >= 0 && args[at + 1] ? { outfile: resolve(args[at + 1]) } : {});
  if (args.includes('--json')) console.log(JSON.stringify({ ...result, budgetBytes: BUDGET_BYTES }));
  else {
    console.log(
      `${result.outfile}: ${result.bytes} bytes, ${result.gzipBytes} bytes gzipped (budget ${BUDGET_BYTES})`,
    );
  }
}

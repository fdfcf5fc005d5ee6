#!/usr/bin/env node
// Main-thread time @otelkit/web adds during page load: the example page with the SDK against the
// same page without it, in headless Chromium, runs interleaved so drift hits both arms alike.
// Per run, a fresh tab with the HTTP cache disabled loads the page, waits for `load` plus 1 s (the
// SDK's post-load work: document-load spans, vitals observers, the first export), then reads
// Chrome's Performance domain metrics TaskDuration (all main-thread tasks) and ScriptDuration.
//   node bench/web-overhead/run.mjs [--runs 15]
// Telemetry goes to a same-origin /v1/traces that answers 200, so no Collector is needed
// and no CORS preflight is measured.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumLaunchOptions } from '@otelkit/stack';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const runsAt = process.argv.indexOf('--runs');
const RUNS = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 15;

const work = mkdtempSync(join(tmpdir(), 'otelkit-web-bench-'));
const bundlePath = join(work, 'otelkit-web.min.js');
execFileSync(process.execPath, [join(root, 'packages/web/scripts/bundle.mjs'), '--outfile', bundlePath]);
const bundle = readFileSync(bundlePath);
const html = readFileSync(join(root, 'examples/web/public/index.html'), 'utf8');
// The bare arm: the same page with the SDK's two script tags removed and a stub `otelkit`.
const bare = html
  .replace('<script src="/otelkit-web.min.js"></script>', '')
  .replace(
    /<script>\s*\/\/ window\.OTELKIT_CONFIG[\s\S]*?<\/script>/,
    '<script>window.otelkit = {};</script>',
  );
if (bare === html) throw new Error('could not strip the SDK from the example page');
const instrumented = html.replace("endpoint: 'http://localhost:4318'", 'endpoint: location.origin');

let exported = 0;
const server = createServer((request, response) => {
  if (request.url === '/v1/traces') {
    exported++;
    request.resume();
    request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    return;
  }
  if (request.url === '/otelkit-web.min.js') {
    response.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    return;
  }
  if (request.url?.startsWith('/api/orders/')) {
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"1001"}');
    return;
  }
  const page = request.url === '/with' ? instrumented : request.url === '/without' ? bare : undefined;
  if (!page) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { 'content-type': 'text/html' }).end(page);
});
await new Promise((done) => server.listen(0, '127.0.0.1', done));
const base = `http://127.0.0.1:${server.address().port}`;

const userDataDir = mkdtempSync(join(tmpdir(), 'otelkit-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, chromiumLaunchOptions());

async function measure(path) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Performance.enable', { timeDomain: 'timeTicks' });
  await page.goto(`${base}${path}`, { waitUntil: 'load' });
  await page.waitForTimeout(1000);
  const { metrics } = await cdp.send('Performance.getMetrics');
  const get = (name) => (metrics.find((m) => m.name === name)?.value ?? 0) * 1000;
  await page.close();
  return { task: get('TaskDuration'), script: get('ScriptDuration') };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

try {
  await measure('/with'); // Warm-up: Chromium's first tab pays for process start-up.
  await measure('/without');
  const results = { with: [], without: [] };
  for (let i = 0; i < RUNS; i++) {
    // Alternate which arm goes first so order effects cancel out.
    const order = i % 2 ? ['without', 'with'] : ['with', 'without'];
    for (const arm of order) results[arm].push(await measure(`/${arm}`));
  }
  const summary = {};
  for (const arm of ['without', 'with']) {
    summary[arm] = {
      taskMs: median(results[arm].map((r) => r.task)),
      scriptMs: median(results[arm].map((r) => r.script)),
    };
  }
  const addedTask = summary.with.taskMs - summary.without.taskMs;
  const addedScript = summary.with.scriptMs - summary.without.scriptMs;
  console.log(`@otelkit/web page-load main-thread overhead, median of ${RUNS} interleaved runs each`);
  console.log(`  arm        TaskDuration  ScriptDuration`);
  for (const arm of ['without', 'with']) {
    console.log(
      `  ${arm.padEnd(9)} ${summary[arm].taskMs.toFixed(1).padStart(10)} ms ${summary[arm].scriptMs.toFixed(1).padStart(12)} ms`,
    );
  }
  console.log(
    `  added: ${addedTask.toFixed(1)} ms main-thread task time (x${(summary.with.taskMs / summary.without.taskMs).toFixed(2)}), ` +
      `${addedScript.toFixed(1)} ms script (x${(summary.with.scriptMs / summary.without.scriptMs).toFixed(2)}); exports received: ${exported}`,
  );
  console.log(
    JSON.stringify({
      bench: 'web-overhead',
      runs: RUNS,
      ...summary,
      addedTaskMs: addedTask,
      addedScriptMs: addedScript,
    }),
  );
  if (exported === 0) throw new Error('the instrumented arm exported nothing: it did not measure the SDK');
} finally {
  await context.close();
  server.close();
  rmSync(userDataDir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
}

/**
 * An ES module that calls `request` imported by name from node:http continues the trace to the
 * service it calls, in the import order of a real Express application: Express, which requires
 * node:http, first. Upstream instrumentation-http patched only the CommonJS exports there, so
 * the named import sent no `traceparent` (src/sdk/http-builtins-for-esm.ts).
 *
 * The check is behavioural. A downstream server echoes the `traceparent` it received. The
 * Express handler answers with the one it received itself (from the instrumented `fetch`) and
 * the echoed one, and the two must carry the same trace id.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expressAppDir, runInstrumented } from './helpers/instrumented-app.js';

const app = expressAppDir('otelkit-esm-http-client-');
writeFileSync(
  join(app, 'main.mjs'),
  `import express from 'express';
import { createServer, request } from 'node:http';

const downstream = createServer((req, res) => res.end(req.headers.traceparent ?? 'none'));
await new Promise((resolve) => downstream.listen(0, '127.0.0.1', resolve));

const api = express();
api.get('/', (req, res) => {
  request('http://127.0.0.1:' + downstream.address().port + '/', (answer) => {
    let echoed = '';
    answer.on('data', (chunk) => { echoed += chunk; });
    answer.on('end', () => res.json({ received: req.headers.traceparent ?? 'none', sent: echoed }));
  }).end();
});
const server = api.listen(0, '127.0.0.1', async () => {
  const answer = await fetch('http://127.0.0.1:' + server.address().port + '/');
  process.stdout.write(await answer.text());
  server.close();
  downstream.close();
});
`,
);

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

function traceparents(entryFlag: '--import' | '--require'): { received: string; sent: string } {
  // Propagation needs sampled spans, not exports.
  const out = runInstrumented(entryFlag, join(app, 'main.mjs'));
  return JSON.parse(out) as { received: string; sent: string };
}

describe('an ES module calling node:http request() imported by name, after Express', () => {
  for (const entryFlag of ['--import', '--require'] as const) {
    it(`continues the trace to the next service (${entryFlag})`, () => {
      const { received, sent } = traceparents(entryFlag);
      const incoming = TRACEPARENT.exec(received);
      const outgoing = TRACEPARENT.exec(sent);
      expect(incoming, `traceparent the Express handler received: ${received}`).not.toBeNull();
      expect(outgoing, `traceparent the downstream server received: ${sent}`).not.toBeNull();
      expect(outgoing?.[1]).toBe(incoming?.[1]);
      expect(outgoing?.[2]).not.toBe(incoming?.[2]);
    });
  }
});

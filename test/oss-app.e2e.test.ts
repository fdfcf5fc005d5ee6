import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, ManagedProcess, type Stack } from '@otelkit/stack';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { query } from './helpers/prometheus.js';
import { sinkLogs, sinkSpans } from './helpers/sink.js';
import { startTestStack } from './helpers/stack.js';

const testDir = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const pkgPath = require.resolve('@mockoon/cli/package.json');
const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { bin: Record<string, string> };
const bin = join(dirname(pkgPath), pkg.bin['mockoon-cli'] ?? '');
const tmp = mkdtempSync(join(tmpdir(), 'otelkit-mockoon-'));

describe('draft', () => {
  let stack: Stack;
  let mockoon: ManagedProcess;
  let port: number;
  beforeAll(async () => {
    stack = await startTestStack({ collectorEnv: { OTELKIT_TRACE_SAMPLE_PERCENT: '100' } });
    port = await freePort();
    mockoon = new ManagedProcess({
      name: 'mockoon',
      command: process.execPath,
      args: [
        '--import',
        '@otelkit/node/register',
        bin,
        'start',
        '--data',
        join(testDir, 'fixtures/mockoon/environment.json'),
        '--port',
        String(port),
      ],
      cwd: testDir,
      env: {
        HOME: tmp,
        OTEL_SERVICE_NAME: 'mockoon',
        OTEL_EXPORTER_OTLP_ENDPOINT: stack.endpoints.otlpHttp,
        OTEL_METRIC_EXPORT_INTERVAL: '1000',
        OTEL_BSP_SCHEDULE_DELAY: '200',
        OTEL_BLRP_SCHEDULE_DELAY: '200',
      },
      logFile: join(tmp, 'mockoon.log'),
      ready: { tcp: port },
    });
    await mockoon.start(30_000);
  }, 300_000);
  afterAll(async () => {
    await mockoon?.stop();
    await stack?.stop();
  });
  it('dump', async () => {
    const base = `http://127.0.0.1:${port}`;
    console.log((await fetch(`${base}/api/users/42`)).status);
    console.log(
      (
        await fetch(`${base}/api/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ sku: 'SKU-1', quantity: 2 }),
        })
      ).status,
    );
    console.log((await fetch(`${base}/api/inventory/SKU-9`)).status);
    await new Promise((r) => setTimeout(r, 15000));
    writeFileSync('/tmp/mk/spans.json', JSON.stringify(sinkSpans(stack.endpoints.sinkDir), null, 1));
    writeFileSync('/tmp/mk/logs.json', JSON.stringify(sinkLogs(stack.endpoints.sinkDir), null, 1));
    const out: Record<string, unknown> = {};
    for (const q of ['{job="mockoon"}', '{service_name="mockoon"}'])
      out[q] = await query(stack.endpoints.prometheus, q);
    writeFileSync('/tmp/mk/prom.json', JSON.stringify(out, null, 1));
    writeFileSync('/tmp/mk/mockoon.log', readFileSync(join(tmp, 'mockoon.log')));
    rmSync(tmp, { recursive: true, force: true });
  }, 60_000);
});

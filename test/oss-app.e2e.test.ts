/**
 * An open-source Node application nobody here wrote, installed from npm and run unchanged with
 * one flag: Mockoon CLI (`@mockoon/cli`, MIT), a mock-API server built on Express 4 and winston 3.
 *
 *   node --import @otelkit/node/register <@mockoon/cli bin> start --data <env.json> --port <port>
 *
 * Its traces, metrics and logs are asserted through the real pipeline (Collector → sinks and
 * Prometheus). Mockoon routes every request through one `app.all('*')` handler and matches its
 * own routes inside it, so `http.route` is honestly `*`: the test asserts that, not a route
 * Express never saw.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PipelineLabels, SpanMetrics } from '@otelkit/conventions';
import { freePort, ManagedProcess, type Stack } from '@otelkit/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './helpers/poll.js';
import { query } from './helpers/prometheus.js';
import {
  OtlpSpanKind,
  OtlpStatusCode,
  type SinkLog,
  type SinkSpan,
  sinkLogs,
  sinkSpans,
} from './helpers/sink.js';
import { startTestStack } from './helpers/stack.js';

const SERVICE = 'mockoon';
const MOCKOON_VERSION = '9.9.0';

const testDir = dirname(fileURLToPath(import.meta.url));
const environmentFile = join(testDir, 'fixtures', 'mockoon', 'environment.json');

/** The installed `@mockoon/cli`: its version and the script its `bin` field names. */
function mockoonCli(): { version: string; bin: string } {
  const manifestPath = createRequire(import.meta.url).resolve('@mockoon/cli/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    version: string;
    bin: Record<string, string>;
  };
  const script = manifest.bin['mockoon-cli'];
  if (!script) throw new Error(`@mockoon/cli ${manifest.version} has no "mockoon-cli" bin`);
  return { version: manifest.version, bin: resolve(dirname(manifestPath), script) };
}

/** The server span of `mockoon` for `method path`, once the sink has it. */
function serverSpan(stack: Stack, method: string, path: string): Promise<SinkSpan> {
  return eventually(`the ${SERVICE} server span of ${method} ${path}`, async () =>
    sinkSpans(stack.endpoints.sinkDir).find(
      (s) =>
        s.resource['service.name'] === SERVICE &&
        s.kind === OtlpSpanKind.server &&
        s.attributes['http.request.method'] === method &&
        s.attributes['url.path'] === path,
    ),
  );
}

/** Mockoon's per-request winston record ("Transaction recorded") for `method path`. */
function transactionLogs(stack: Stack, method: string, path: string): SinkLog[] {
  return sinkLogs(stack.endpoints.sinkDir).filter(
    (l) =>
      l.resource['service.name'] === SERVICE &&
      l.body === 'Transaction recorded' &&
      l.attributes.requestMethod === method &&
      l.attributes.requestPath === path,
  );
}

describe(`an unchanged open-source app: Mockoon CLI ${MOCKOON_VERSION} with --import @otelkit/node/register`, () => {
  const home = mkdtempSync(join(tmpdir(), 'otelkit-mockoon-'));
  const cli = mockoonCli();
  // Unique per run, so every assertion finds this run's telemetry and nothing else.
  const userId = `u-${randomBytes(4).toString('hex')}`;
  const sku = `SKU-${randomBytes(3).toString('hex').toUpperCase()}`;
  const paths = { user: `/api/users/${userId}`, orders: '/api/orders', inventory: `/api/inventory/${sku}` };
  let stack: Stack;
  let mockoon: ManagedProcess;
  let port: number;

  beforeAll(async () => {
    stack = await startTestStack({ collectorEnv: { OTELKIT_TRACE_SAMPLE_PERCENT: '100' } });
    port = await freePort();
    mockoon = new ManagedProcess({
      name: SERVICE,
      command: process.execPath,
      args: [
        '--import',
        '@otelkit/node/register',
        cli.bin,
        'start',
        '--data',
        environmentFile,
        '--port',
        String(port),
      ],
      // `@otelkit/node/register` resolves from the test package, where it is a dependency.
      cwd: testDir,
      env: {
        // Mockoon also writes its log file to ~/.mockoon-cli/logs/: keep that out of the real home.
        HOME: home,
        OTEL_SERVICE_NAME: SERVICE,
        OTEL_EXPORTER_OTLP_ENDPOINT: stack.endpoints.otlpHttp,
        OTEL_METRIC_EXPORT_INTERVAL: '1000',
        OTEL_BSP_SCHEDULE_DELAY: '200',
        OTEL_BLRP_SCHEDULE_DELAY: '200',
      },
      logFile: join(home, 'mockoon.log'),
      ready: { tcp: port },
    });
    await mockoon.start(30_000);
  });

  afterAll(async () => {
    await mockoon?.stop();
    await stack?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('is the released Mockoon CLI named in the README, serving the fixture as mocked', async () => {
    expect(cli.version).toBe(MOCKOON_VERSION);
    const base = `http://127.0.0.1:${port}`;

    const user = await fetch(`${base}${paths.user}`);
    expect(user.status).toBe(200);
    expect(await user.json()).toMatchObject({ id: userId, name: expect.any(String) });

    const order = await fetch(`${base}${paths.orders}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sku, quantity: 3 }),
    });
    expect(order.status).toBe(201);
    expect(await order.json()).toMatchObject({ sku, quantity: 3, status: 'accepted' });

    const stock = await fetch(`${base}${paths.inventory}`);
    expect(stock.status).toBe(500);
    expect(await stock.json()).toEqual({ error: 'warehouse unavailable', sku });
  });

  it('traces: an HTTP server span per request with Express middleware and handler spans under it', async () => {
    const user = await serverSpan(stack, 'GET', paths.user);
    expect(user.name).toBe('GET *');
    expect(user.attributes).toMatchObject({
      'http.route': '*',
      'http.response.status_code': 200,
      'url.scheme': 'http',
      'server.port': port,
    });
    expect(user.statusCode).not.toBe(OtlpStatusCode.error);

    const order = await serverSpan(stack, 'POST', paths.orders);
    expect(order.name).toBe('POST *');
    expect(order.attributes['http.response.status_code']).toBe(201);

    // The mocked 500 is a server error: the span says so, which tail sampling keeps.
    const stock = await serverSpan(stack, 'GET', paths.inventory);
    expect(stock.attributes['http.response.status_code']).toBe(500);
    expect(stock.statusCode).toBe(OtlpStatusCode.error);

    // Express spans of Mockoon's own app (its named middleware and its catch-all handler),
    // children of the server span in the same trace.
    const children = await eventually('the Express spans of the GET /api/users request', async () => {
      const spans = sinkSpans(stack.endpoints.sinkDir).filter(
        (s) => s.traceId === user.traceId && s.parentSpanId === user.spanId,
      );
      return spans.some((s) => s.attributes['express.type'] === 'request_handler') ? spans : undefined;
    });
    expect(
      children.every((s) => s.kind === OtlpSpanKind.internal && s.resource['service.name'] === SERVICE),
    ).toBe(true);
    expect(
      children.find((s) => s.attributes['express.type'] === 'request_handler')?.attributes,
    ).toMatchObject({ 'http.route': '*', 'express.name': '*' });
    const middleware = children
      .filter((s) => s.attributes['express.type'] === 'middleware')
      .map((s) => s.attributes['express.name']);
    expect(middleware).toEqual(
      expect.arrayContaining(['query', 'expressInit', 'cookieParser', 'deduplicateRequestSlashes']),
    );
  });

  it("logs: Mockoon's own winston records over OTLP, per-request ones in the request's trace", async () => {
    const started = await eventually('the "Server started" winston record', async () =>
      sinkLogs(stack.endpoints.sinkDir).find(
        (l) => l.resource['service.name'] === SERVICE && l.body === `Server started on port ${port}`,
      ),
    );
    expect(started.attributes).toMatchObject({ app: 'mockoon-server', environmentName: 'Shop API' });
    // Logged at start-up, outside any request.
    expect(started.traceId).toBe('');
    // Mockoon prints its generated admin token at start; the Collector keeps it out of Loki.
    const token = /Admin API token \(auto-generated\): ([0-9a-f]{16,})/.exec(mockoon.logTail(200))?.[1];
    expect(token, 'Mockoon printed its admin token on stdout').toBeDefined();
    const tokenRecord = await eventually('the admin-token warning in the Loki sink', async () =>
      sinkLogs(stack.endpoints.sinkDir).find(
        (l) => l.resource['service.name'] === SERVICE && l.body.startsWith('Admin API token'),
      ),
    );
    expect(tokenRecord.body).toBe('Admin API token (auto-generated): [REDACTED]');
    expect(readFileSync(join(stack.endpoints.sinkDir, 'logs.jsonl'), 'utf8')).not.toContain(token);

    for (const [method, path, status] of [
      ['GET', paths.user, 200],
      ['POST', paths.orders, 201],
      ['GET', paths.inventory, 500],
    ] as const) {
      const span = await serverSpan(stack, method, path);
      const [record] = await eventually(
        `the "Transaction recorded" record of ${method} ${path}`,
        async () => {
          const records = transactionLogs(stack, method, path);
          return records.length > 0 ? records : undefined;
        },
      );
      expect(record?.attributes).toMatchObject({
        app: 'mockoon-server',
        environmentName: 'Shop API',
        responseStatus: status,
        requestProxied: false,
      });
      expect(record?.traceId).toBe(span.traceId);
      expect(record?.spanId).toBe(span.spanId);
    }
    // Sent once: winston's Console transport stays on stdout, the OTLP copy is the only one.
    expect(transactionLogs(stack, 'GET', paths.user)).toHaveLength(1);
    // And stdout, Mockoon's own JSON lines, carries the trace id too.
    const user = await serverSpan(stack, 'GET', paths.user);
    expect(mockoon.logTail(50)).toContain(`"trace_id":"${user.traceId}"`);
  });

  it('metrics: HTTP server duration, span metrics and Node runtime metrics in Prometheus', async () => {
    const job = `job="${SERVICE}"`;
    await eventually(
      'RED and runtime metrics of mockoon',
      async () => {
        const prom = stack.endpoints.prometheus;
        const [created] = await query(
          prom,
          `sum(http_server_request_duration_seconds_count{${job}, http_route="*", http_request_method="POST", http_response_status_code="201"})`,
        );
        const [serverErrors] = await query(
          prom,
          `sum(${SpanMetrics.calls}{${PipelineLabels.serviceName}="${SERVICE}", ${PipelineLabels.spanKind}="SPAN_KIND_SERVER", ${PipelineLabels.statusCode}="STATUS_CODE_ERROR"})`,
        );
        const [middleware] = await query(
          prom,
          `sum(${SpanMetrics.calls}{${PipelineLabels.serviceName}="${SERVICE}", ${PipelineLabels.spanName}="middleware - cookieParser"})`,
        );
        // First reported about 25 s after start: 5 samples at the 5 s monitoring precision.
        const eventLoopDelay = await query(prom, `{__name__=~"nodejs_eventloop_delay_p99.*", ${job}}`);
        const utilization = await query(prom, `{__name__=~"nodejs_eventloop_utilization.*", ${job}}`);
        const heap = await query(prom, `{__name__=~"v8js_memory_heap_used.*", ${job}}`);
        return created &&
          created.value >= 1 &&
          serverErrors &&
          serverErrors.value >= 1 &&
          middleware &&
          middleware.value >= 3 &&
          eventLoopDelay.length > 0 &&
          utilization.length > 0 &&
          heap.length > 0
          ? true
          : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1000 },
    );
  });

  it("SIGTERM: the last request's span and log arrive, and Mockoon ends by SIGTERM as it would without us", async () => {
    const last = `/api/users/last-${randomBytes(4).toString('hex')}`;
    const response = await fetch(`http://127.0.0.1:${port}${last}`);
    expect(response.status).toBe(200);
    await response.text();
    const stoppedAt = Date.now();
    await mockoon.stop();
    expect(await mockoon.exit()).toEqual({ code: null, signal: 'SIGTERM' });
    // Within the 5 s flush bound, not the 15 s grace after which it would be SIGKILLed.
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);

    const span = await serverSpan(stack, 'GET', last);
    const [record] = await eventually('the last request\'s "Transaction recorded" record', async () => {
      const records = transactionLogs(stack, 'GET', last);
      return records.length > 0 ? records : undefined;
    });
    expect(record?.traceId).toBe(span.traceId);
  });
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PipelineLabels, SpanMetrics } from '@otelkit/conventions';
import type { Stack } from '@otelkit/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './helpers/poll.js';
import { query } from './helpers/prometheus.js';
import { type ExampleServices, type RunningService, startExampleServices } from './helpers/services.js';
import { OtlpSpanKind, type SinkSpan, sinkLogs, sinkSpans } from './helpers/sink.js';
import { startTestStack } from './helpers/stack.js';

const logDir = mkdtempSync(join(tmpdir(), 'otelkit-services-'));
const logOf = (service: RunningService) => readFileSync(service.process.spec.logFile, 'utf8');

/** The spans of one trace once the server span of `service` for `route` has arrived. */
async function traceOf(stack: Stack, service: string, route: string, marker: string): Promise<SinkSpan[]> {
  return eventually(`a ${service} trace for ${route} (${marker})`, async () => {
    const spans = sinkSpans(stack.endpoints.sinkDir);
    const server = spans.find(
      (s) =>
        s.resource['service.name'] === service &&
        s.kind === OtlpSpanKind.server &&
        s.attributes['http.route'] === route &&
        String(s.attributes['url.path'] ?? '').endsWith(marker),
    );
    if (!server) return undefined;
    const trace = spans.filter((s) => s.traceId === server.traceId);
    // The inventory hop arrives from another process; wait for it too.
    return trace.some((s) => s.resource['service.name'] === 'inventory-api') ? trace : undefined;
  });
}

/**
 * The orders service in each module form under the flag its users would pick, and the ES-module
 * form under `--require` too (NODE_OPTIONS setups); each asks for its own order, so that each
 * one's Redis lookup misses the cache.
 */
const ENTRIES = {
  esm: { entry: 'examples/orders-api/server.mjs', orderId: '1001' },
  'esm-require': { entry: 'examples/orders-api/server.mjs', flag: '--require', orderId: '1002' },
  cjs: { entry: 'examples/orders-api/server.cjs', flag: '--require', orderId: '1003' },
} as const;
type Variant = keyof typeof ENTRIES;
const VARIANTS = Object.keys(ENTRIES) as Variant[];

describe('@otelkit/node: unchanged example services, one flag', () => {
  let stack: Stack;
  let examples: ExampleServices;
  let inventory: RunningService;
  let orders: Record<Variant, RunningService>;

  beforeAll(async () => {
    stack = await startTestStack({ collectorEnv: { OTELKIT_TRACE_SAMPLE_PERCENT: '100' } });
    examples = await startExampleServices(
      stack,
      logDir,
      VARIANTS.map((variant) => ({ name: `orders-${variant}`, ...ENTRIES[variant] })),
    );
    inventory = examples.inventory;
    orders = Object.fromEntries(VARIANTS.map((variant, i) => [variant, examples.orders[i]])) as Record<
      Variant,
      RunningService
    >;
  });

  afterAll(async () => {
    await examples?.stop();
    await stack?.stop();
    rmSync(logDir, { recursive: true, force: true });
  });

  for (const variant of VARIANTS) {
    it(`${variant}: route spans, one trace across two services, Redis spans, correlated winston logs`, async () => {
      const service = orders[variant];
      const name = `orders-${variant}`;
      const { orderId } = ENTRIES[variant];
      const response = await fetch(`${service.url}/api/orders/${orderId}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ id: orderId });

      const trace = await traceOf(stack, name, '/api/orders/:id', `/${orderId}`);
      const server = trace.find((s) => s.resource['service.name'] === name && s.kind === OtlpSpanKind.server);
      expect(server?.name).toBe('GET /api/orders/:id');
      // The resource semantic conventions require the SDK's own attributes.
      expect(server?.resource).toMatchObject({
        'telemetry.sdk.language': 'nodejs',
        'telemetry.sdk.name': 'opentelemetry',
      });
      // Express's own spans, not only the bare HTTP one.
      expect(
        trace.some(
          (s) =>
            s.resource['service.name'] === name &&
            s.attributes['express.type'] === 'request_handler' &&
            s.attributes['http.route'] === '/api/orders/:id',
        ),
      ).toBe(true);
      const client = trace.find(
        (s) =>
          s.resource['service.name'] === name &&
          s.kind === OtlpSpanKind.client &&
          s.attributes['server.port'] === inventory.port,
      );
      const downstream = trace.find(
        (s) => s.resource['service.name'] === 'inventory-api' && s.kind === OtlpSpanKind.server,
      );
      expect(client).toBeDefined();
      expect(downstream?.parentSpanId).toBe(client?.spanId);
      expect(
        trace
          .filter((s) => s.resource['service.name'] === name && s.attributes['db.system.name'] === 'redis')
          .map((s) => s.name),
      ).toContain('get');

      const log = await eventually('the winston record in the Loki sink', async () =>
        sinkLogs(stack.endpoints.sinkDir).find(
          (l) =>
            l.resource['service.name'] === name &&
            l.body === 'order loaded from inventory' &&
            l.attributes.orderId === orderId,
        ),
      );
      expect(log.traceId).toBe(server?.traceId);
      // Sent once: the instrumentation's transport only, no duplicate from a second transport.
      const copies = sinkLogs(stack.endpoints.sinkDir).filter(
        (l) =>
          l.resource['service.name'] === name &&
          l.body === 'order loaded from inventory' &&
          l.attributes.orderId === orderId,
      );
      expect(copies).toHaveLength(1);
      // The app's own stdout lines carry the trace id too.
      expect(logOf(service)).toContain(`"trace_id":"${server?.traceId}"`);
    });
  }

  it('RED metrics (span metrics and http.server.request.duration) and runtime metrics reach Prometheus', async () => {
    for (const job of VARIANTS.map((variant) => `orders-${variant}`)) {
      await eventually(
        `RED and runtime metrics of ${job}`,
        async () => {
          const [calls] = await query(
            stack.endpoints.prometheus,
            `sum(${SpanMetrics.calls}{${PipelineLabels.serviceName}="${job}", ${PipelineLabels.spanKind}="SPAN_KIND_SERVER"})`,
          );
          const duration = await query(
            stack.endpoints.prometheus,
            `http_server_request_duration_seconds_count{job="${job}", http_route="/api/orders/:id"}`,
          );
          const eventLoop = await query(
            stack.endpoints.prometheus,
            `{__name__=~"nodejs_eventloop_delay_p99.*", job="${job}"}`,
          );
          const heap = await query(
            stack.endpoints.prometheus,
            `{__name__=~"v8js_memory_heap_used.*", job="${job}"}`,
          );
          const utilization = await query(
            stack.endpoints.prometheus,
            `{__name__=~"nodejs_eventloop_utilization.*", job="${job}"}`,
          );
          return calls &&
            calls.value > 0 &&
            duration.length > 0 &&
            eventLoop.length > 0 &&
            heap.length > 0 &&
            utilization.length > 0
            ? true
            : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 1000 },
      );
      // A lightly loaded service lags by milliseconds. The runtime instrumentation's sampling
      // interval is part of every sample, so a coarse one would read as seconds of lag here.
      const lag = await query(
        stack.endpoints.prometheus,
        `{__name__=~"nodejs_eventloop_delay_p99.*", job="${job}"}`,
      );
      expect(lag.map((sample) => sample.value).every((seconds) => seconds < 0.5)).toBe(true);
      // The SDK's own OTLP requests are not the application's outgoing traffic.
      const selfCalls = await query(
        stack.endpoints.prometheus,
        `http_client_request_duration_seconds_count{job="${job}", server_port="${stack.ports.otlpHttp}"}`,
      );
      expect(selfCalls).toEqual([]);
    }
  });
});

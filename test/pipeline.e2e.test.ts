import { setTimeout as sleep } from 'node:timers/promises';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import {
  COLLECTOR_SCRAPE_JOB,
  CollectorMetrics,
  PipelineLabels,
  ServiceGraphMetrics,
  SpanMetrics,
  WEB_VITALS_SCOPE,
  WebVitalAttributes,
  WebVitalsMetrics,
} from '@otelkit/conventions';
import type { Stack } from '@otelkit/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './helpers/poll.js';
import { query, queryExemplars } from './helpers/prometheus.js';
import { sinkLogs, sinkSpans } from './helpers/sink.js';
import { startTestStack } from './helpers/stack.js';
import { serviceTelemetry, under } from './helpers/telemetry.js';

// Sampling settings of this file's Collector: 25% of fast OK traces, "slow" from 500 ms.
const SAMPLE_PERCENT = 25;
const SLOW_MS = 500;
// Span-metric series not fed for this long stop being written (default 5m).
const RED_EXPIRATION_S = 3;

describe('pipeline end to end (OTel JS SDK → Collector → Prometheus and the Loki/Tempo sink)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startTestStack({
      collectorEnv: {
        OTELKIT_TRACE_SAMPLE_PERCENT: String(SAMPLE_PERCENT),
        OTELKIT_SLOW_TRACE_MS: String(SLOW_MS),
        OTELKIT_RED_EXPIRATION: `${RED_EXPIRATION_S}s`,
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('(a) an application metric is queryable with job and instance from the resource', async () => {
    const app = serviceTelemetry(stack.endpoints.otlpHttp, 'orders-api', {
      'service.instance.id': 'orders-api-7',
    });
    app.meter.createCounter('checkout.orders').add(3, { outcome: 'ok' });
    await app.flush();
    const series = await eventually('checkout_orders_total in Prometheus', async () => {
      const result = await query(stack.endpoints.prometheus, 'checkout_orders_total');
      return result.length > 0 ? result : undefined;
    });
    expect(series).toHaveLength(1);
    expect(series[0]?.metric).toMatchObject({ job: 'orders-api', instance: 'orders-api-7', outcome: 'ok' });
    expect(series[0]?.value).toBe(3);
    await app.shutdown();
  });

  it('(b, c, d) span metrics, a service-graph edge and trace-id exemplars come from the spans', async () => {
    const frontend = serviceTelemetry(stack.endpoints.otlpHttp, 'shop-frontend');
    const payments = serviceTelemetry(stack.endpoints.otlpHttp, 'shop-payments');
    const traceIds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const root = frontend.span('GET /checkout', {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': 'GET', 'http.route': '/checkout' },
      });
      const call = frontend.span(
        'POST',
        { kind: SpanKind.CLIENT, attributes: { 'http.request.method': 'POST' } },
        under(root),
      );
      const handler = payments.span(
        'POST /pay',
        { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'POST', 'http.route': '/pay' } },
        under(call),
      );
      handler.setAttribute('http.response.status_code', 201);
      handler.end();
      call.end();
      root.end();
      traceIds.push(root.spanContext().traceId);
    }
    await Promise.all([frontend.flush(), payments.flush()]);

    const calls = await eventually('span metrics for shop-payments', async () => {
      const [sample] = await query(
        stack.endpoints.prometheus,
        `sum(${SpanMetrics.calls}{${PipelineLabels.serviceName}="shop-payments", ${PipelineLabels.spanKind}="SPAN_KIND_SERVER"})`,
      );
      return sample && sample.value >= 5 ? sample : undefined;
    });
    expect(calls.value).toBe(5);

    const [route] = await query(
      stack.endpoints.prometheus,
      `${SpanMetrics.durationCount}{${PipelineLabels.serviceName}="shop-payments", http_route="/pay"}`,
    );
    expect(route?.value).toBe(5);

    const edge = await eventually('service graph edge shop-frontend → shop-payments', async () => {
      const [sample] = await query(
        stack.endpoints.prometheus,
        `${ServiceGraphMetrics.requests}{${PipelineLabels.client}="shop-frontend", ${PipelineLabels.server}="shop-payments"}`,
      );
      return sample && sample.value >= 5 ? sample : undefined;
    });
    expect(edge.value).toBe(5);

    const exemplarTraceIds = await eventually('exemplars on the span duration histogram', async () => {
      const series = await queryExemplars(
        stack.endpoints.prometheus,
        `${SpanMetrics.durationBucket}{${PipelineLabels.serviceName}="shop-payments"}`,
      );
      const ids = series.flatMap((s) => s.exemplars.map((e) => e.labels.trace_id));
      return ids.length > 0 ? ids : undefined;
    });
    for (const id of exemplarTraceIds) expect(traceIds).toContain(id);

    await Promise.all([frontend.shutdown(), payments.shutdown()]);
  });

  it('(e) the logs sink receives a log record with its trace id', async () => {
    const app = serviceTelemetry(stack.endpoints.otlpHttp, 'billing-worker');
    const span = app.span('charge card');
    app.logger.emit({
      severityNumber: SeverityNumber.WARN,
      severityText: 'WARN',
      body: 'card declined, retrying',
      context: under(span),
    });
    span.end();
    await app.flush();
    const traceId = span.spanContext().traceId;
    const record = await eventually('the log record in the Loki sink', async () =>
      sinkLogs(stack.endpoints.sinkDir).find((log) => log.body === 'card declined, retrying'),
    );
    expect(record.traceId).toBe(traceId);
    expect(record.spanId).toBe(span.spanContext().spanId);
    expect(record.resource['service.name']).toBe('billing-worker');
    await app.shutdown();
  });

  it('(f) tail sampling keeps every error and slow trace and the configured share of the rest', async () => {
    const app = serviceTelemetry(stack.endpoints.otlpHttp, 'sampling-probe');
    const errors: string[] = [];
    const slow: string[] = [];
    const fast: string[] = [];
    const now = Date.now();
    for (let i = 0; i < 20; i++) {
      const span = app.span('GET /fails', { startTime: now });
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
      span.end(now + 5);
      errors.push(span.spanContext().traceId);
    }
    for (let i = 0; i < 20; i++) {
      const span = app.span('GET /slow', { startTime: now });
      span.end(now + SLOW_MS + 300);
      slow.push(span.spanContext().traceId);
    }
    const FAST = 400;
    for (let i = 0; i < FAST; i++) {
      const span = app.span('GET /fast', { startTime: now });
      span.end(now + 5);
      fast.push(span.spanContext().traceId);
    }
    await app.flush();

    const kept = await eventually(
      'every error and slow trace in the Tempo sink',
      async () => {
        const ids = new Set(sinkSpans(stack.endpoints.sinkDir).map((s) => s.traceId));
        return [...errors, ...slow].every((id) => ids.has(id)) ? ids : undefined;
      },
      { timeoutMs: 60_000 },
    );
    // Fast traces are decided in the same decision_wait window as the rest; give stragglers a tick.
    await new Promise((r) => setTimeout(r, 3000));
    const finalIds = new Set(sinkSpans(stack.endpoints.sinkDir).map((s) => s.traceId));
    expect(finalIds.size).toBeGreaterThanOrEqual(kept.size);
    const keptFast = fast.filter((id) => finalIds.has(id)).length;
    // Trace ids are random, so the kept count is Binomial(400, 0.25): mean 100, sd 8.7.
    // ±35 is four standard deviations: a correct pipeline fails this about once in 15,000 runs,
    // while keeping all (400) or none (0) of the fast traces fails it every time.
    const expected = (FAST * SAMPLE_PERCENT) / 100;
    expect(keptFast).toBeGreaterThanOrEqual(expected - 35);
    expect(keptFast).toBeLessThanOrEqual(expected + 35);
    await app.shutdown();
  });

  it("(g) the Collector's own metrics reach Prometheus under the names the conventions fix", async () => {
    const expectations = [
      CollectorMetrics.receiverAcceptedSpans,
      CollectorMetrics.receiverAcceptedLogRecords,
      CollectorMetrics.receiverAcceptedMetricPoints,
      CollectorMetrics.receiverRefusedSpans,
      CollectorMetrics.receiverRefusedMetricPoints,
      CollectorMetrics.exporterSentSpans,
      CollectorMetrics.exporterQueueSize,
      CollectorMetrics.exporterQueueCapacity,
    ];
    for (const name of expectations) {
      const series = await eventually(`${name} in Prometheus`, async () => {
        const found = await query(stack.endpoints.prometheus, `${name}{job="${COLLECTOR_SCRAPE_JOB}"}`);
        return found.length > 0 ? found : undefined;
      });
      expect(series.length, name).toBeGreaterThan(0);
    }
    // Earlier tests in this file sent spans, so the accepted count cannot be zero.
    const [accepted] = await query(
      stack.endpoints.prometheus,
      `sum(${CollectorMetrics.receiverAcceptedSpans}{job="${COLLECTOR_SCRAPE_JOB}"})`,
    );
    expect(accepted?.value).toBeGreaterThan(400);
  });

  it('(h) turns web-vital spans into a histogram whose p75 per page PromQL can query', async () => {
    const browser = serviceTelemetry(stack.endpoints.otlpHttp, 'shop-web');
    const tracer = browser.tracerFor(WEB_VITALS_SCOPE);
    const now = Date.now();
    // Four LCP reports on /checkout: 1200, 2000, 3000 and 3600 ms; the p75 lies in (2500, 4000].
    for (const value of [1200, 2000, 3000, 3600]) {
      const span = tracer.startSpan('LCP', {
        startTime: now,
        attributes: {
          [WebVitalAttributes.name]: 'LCP',
          [WebVitalAttributes.value]: value,
          [WebVitalAttributes.rating]: value <= 2500 ? 'good' : 'needs-improvement',
          [WebVitalAttributes.page]: '/checkout',
        },
      });
      span.end(now + value);
    }
    // An ordinary browser span of the same service must not land in the vitals histogram.
    browser.span('GET /api/cart', { attributes: { [WebVitalAttributes.page]: '/checkout' } }).end();
    await browser.flush();
    const p75 = await eventually('p75 LCP of /checkout', async () => {
      const [sample] = await query(
        stack.endpoints.prometheus,
        `histogram_quantile(0.75, sum by (le, ${WebVitalsMetrics.pageLabel}) (${WebVitalsMetrics.bucket}{span_name="LCP", service_name="shop-web"}))`,
      );
      return sample && Number.isFinite(sample.value) ? sample : undefined;
    });
    expect(p75.metric[WebVitalsMetrics.pageLabel]).toBe('/checkout');
    expect(p75.value).toBeGreaterThan(2500);
    expect(p75.value).toBeLessThanOrEqual(4000);
    const [poorShare] = await query(
      stack.endpoints.prometheus,
      `sum(${WebVitalsMetrics.count}{span_name="LCP", ${WebVitalsMetrics.ratingLabel}="needs-improvement"})`,
    );
    expect(poorShare?.value).toBe(2);
    const vitalNames = await query(
      stack.endpoints.prometheus,
      `count by (span_name) (${WebVitalsMetrics.count})`,
    );
    expect(vitalNames.map((s) => s.metric.span_name)).toEqual(['LCP']);
    await browser.shutdown();
  });

  it('(i) stops writing the span metrics of a service that sends no more spans', async () => {
    const gone = serviceTelemetry(stack.endpoints.otlpHttp, 'gone-api');
    gone.span('GET /last', { kind: SpanKind.SERVER, attributes: { 'http.route': '/last' } }).end();
    await gone.flush();
    await gone.shutdown();
    const lastSample = async () => {
      const [sample] = await query(
        stack.endpoints.prometheus,
        `max(timestamp(${SpanMetrics.calls}{${PipelineLabels.serviceName}="gone-api"}))`,
      );
      return sample?.value;
    };
    await eventually('span metrics for gone-api', lastSample);
    // Flushed every second until the series expires; after that its newest sample stays put.
    await sleep((RED_EXPIRATION_S + 3) * 1000);
    const expiredAt = await lastSample();
    await sleep(4000);
    expect(await lastSample()).toBe(expiredAt);
  });

  it('(j) names the callee of a client span that nothing instrumented answers, by its peer attributes', async () => {
    const api = serviceTelemetry(stack.endpoints.otlpHttp, 'cart-api');
    for (let i = 0; i < 3; i++) {
      api
        .span('GET', {
          kind: SpanKind.CLIENT,
          attributes: {
            'db.system.name': 'redis',
            'server.address': 'cache.internal',
            'db.operation.name': 'GET',
          },
        })
        .end();
      api
        .span('GET', {
          kind: SpanKind.CLIENT,
          attributes: { 'http.request.method': 'GET', 'server.address': 'rates.example.com' },
        })
        .end();
    }
    await api.flush();
    // service_graph waits for a server span until its store's ttl (5 s), then names the callee
    // after the first of virtual_node_peer_attributes the client span has.
    const edges = await eventually(
      'service graph edges from cart-api to uninstrumented callees',
      async () => {
        const found = await query(
          stack.endpoints.prometheus,
          `sum by (${PipelineLabels.server}) (${ServiceGraphMetrics.requests}{${PipelineLabels.client}="cart-api"})`,
        );
        return found.length >= 2 && found.every((s) => s.value >= 3) ? found : undefined;
      },
    );
    expect(Object.fromEntries(edges.map((s) => [s.metric[PipelineLabels.server], s.value]))).toEqual({
      redis: 3,
      'rates.example.com': 3,
    });
    await api.shutdown();
  });
});

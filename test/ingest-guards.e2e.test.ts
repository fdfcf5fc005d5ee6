import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SpanStatusCode } from '@opentelemetry/api';
import type { Stack } from '@otelkit/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './helpers/poll.js';
import { query } from './helpers/prometheus.js';
import { sinkSpans } from './helpers/sink.js';
import { startTestStack } from './helpers/stack.js';
import { serviceTelemetry, under } from './helpers/telemetry.js';

// One stack serves both groups: each test's services and checks are its own.
let stack: Stack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('OTLP/HTTP ingest: CORS allow-list and bad input', () => {
  const preflight = (origin: string) =>
    fetch(`${stack.endpoints.otlpHttp}/v1/traces`, {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,traceparent,tracestate',
      },
    });

  it('answers a preflight from an allowed origin with the allow headers, traceparent included', async () => {
    for (const origin of ['http://localhost:5173', 'https://shop.example.com']) {
      const response = await preflight(origin);
      expect(response.status, origin).toBeLessThan(300);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      const allowed = (response.headers.get('access-control-allow-headers') ?? '').toLowerCase();
      for (const header of ['content-type', 'traceparent', 'tracestate']) expect(allowed).toContain(header);
    }
  });

  it('gives a disallowed origin no CORS headers', async () => {
    for (const origin of ['https://evil.test', 'https://example.com.evil.test', 'null']) {
      const response = await preflight(origin);
      expect(response.headers.get('access-control-allow-origin'), origin).toBeNull();
      expect(response.headers.get('access-control-allow-headers'), origin).toBeNull();
    }
  });

  it('refuses malformed JSON, malformed protobuf and oversized bodies with a 4xx and a message', async () => {
    const post = (body: Uint8Array | string, contentType: string) =>
      fetch(`${stack.endpoints.otlpHttp}/v1/traces`, {
        method: 'POST',
        headers: { 'Content-Type': contentType },
        body,
      });

    const json = await post('{"resourceSpans": [ {"scopeSpans": oops', 'application/json');
    expect(json.status).toBe(400);
    expect((await json.text()).length).toBeGreaterThan(0);

    const protobuf = await post(
      new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02]),
      'application/x-protobuf',
    );
    expect(protobuf.status).toBe(400);
    expect((await protobuf.text()).length).toBeGreaterThan(0);

    const unsupported = await post('hello', 'text/plain');
    expect(unsupported.status).toBe(415);

    // 9 MiB of valid-looking JSON: above the receiver's 8 MiB max_request_body_size.
    const oversized = await post(
      `{"resourceSpans":[],"pad":"${'x'.repeat(9 * 1024 * 1024)}"}`,
      'application/json',
    );
    expect(oversized.status).toBeGreaterThanOrEqual(400);
    expect(oversized.status).toBeLessThan(500);
    expect((await oversized.text()).length).toBeGreaterThan(0);
  });

  it('stays healthy and keeps accepting good data after bad input', async () => {
    expect((await fetch(stack.endpoints.collectorHealth)).status).toBe(200);
    const app = serviceTelemetry(stack.endpoints.otlpHttp, 'after-bad-input');
    const span = app.span('still works');
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
    await app.flush();
    const received = await eventually('the good span in the Tempo sink', async () =>
      sinkSpans(stack.endpoints.sinkDir).find((s) => s.name === 'still works'),
    );
    expect(received.resource['service.name']).toBe('after-bad-input');
    await app.shutdown();
  });
});

describe('Oversized spans on their way to Tempo', () => {
  const spansOf = (service: string) =>
    sinkSpans(stack.endpoints.sinkDir).filter((s) => s.resource['service.name'] === service);

  it('cuts a multi-megabyte value to 2 KiB instead of losing the spans sent with it', async () => {
    const app = serviceTelemetry(stack.endpoints.otlpHttp, 'huge-statement');
    const root = app.span('POST /query');
    root.setStatus({ code: SpanStatusCode.ERROR });
    // A 1.5 MiB statement recorded three times (the pg instrumentation's attribute, the
    // application's own, an exception event), and a page of that size on a span with no event:
    // 6 MiB, over the 4 MiB Tempo takes.
    const statement = `select length($$${'x'.repeat(1.5 * 1024 * 1024)}$$)`;
    const query = app.span('pg.query:SELECT', { attributes: { 'db.query.text': statement } }, under(root));
    query.addEvent('exception', { 'exception.stacktrace': statement });
    query.setAttribute('app.sql', statement);
    query.end();
    const page = `<html>${'p'.repeat(1.5 * 1024 * 1024)}</html>`;
    app.span('render', { attributes: { 'app.html': page } }, under(root)).end();
    for (let i = 0; i < 20; i++) app.span(`neighbour ${i}`, {}, under(root)).end();
    root.end();
    await app.flush();

    const received = await eventually('the trace with the huge statement in the Tempo sink', async () => {
      const spans = spansOf('huge-statement');
      return spans.length >= 23 ? spans : undefined;
    });
    expect(received.filter((s) => s.name.startsWith('neighbour '))).toHaveLength(20);
    const big = received.find((s) => s.name === 'pg.query:SELECT');
    for (const key of ['db.query.text', 'app.sql']) {
      const value = String(big?.attributes[key]);
      expect(Buffer.byteLength(value), key).toBeLessThanOrEqual(2048);
      expect(value, key).toMatch(/^select length\(\$\$x+…\[truncated\]$/);
    }
    const html = String(received.find((s) => s.name === 'render')?.attributes['app.html']);
    expect(Buffer.byteLength(html)).toBeLessThanOrEqual(2048);
    expect(html).toMatch(/^<html>p+…\[truncated\]$/);
    // The event's value too: the whole span, as the sink wrote it, is a few KiB.
    const written = readFileSync(join(stack.endpoints.sinkDir, 'traces.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('pg.query:SELECT'));
    expect(written).toHaveLength(1);
    expect(written[0]?.length).toBeLessThan(64 * 1024);
    await app.shutdown();
  });

  it('sends a burst of large spans to Tempo in requests it accepts, not one refused request', async () => {
    const app = serviceTelemetry(stack.endpoints.otlpHttp, 'large-spans');
    const root = app.span('GET /report');
    root.setStatus({ code: SpanStatusCode.ERROR });
    // 1,200 spans of about 6 KB each, every value under the 2 KiB cut: about 7 MB that tail
    // sampling releases at once, more than one Tempo request may hold.
    const value = (i: number, field: number) => `${i}:${field}:${'y'.repeat(1500)}`;
    for (let i = 0; i < 1200; i++) {
      app
        .span(
          `row ${i}`,
          {
            attributes: {
              'app.a': value(i, 1),
              'app.b': value(i, 2),
              'app.c': value(i, 3),
              'app.d': value(i, 4),
            },
          },
          under(root),
        )
        .end();
    }
    root.end();
    await app.flush();

    const received = await eventually('all 1,201 large spans in the Tempo sink', async () => {
      const spans = spansOf('large-spans');
      return spans.length >= 1201 ? spans : undefined;
    });
    expect(received).toHaveLength(1201);
    const row = received.find((s) => s.name === 'row 777');
    expect(row?.attributes['app.d']).toBe(value(777, 4));
    await app.shutdown();
  });
});

describe('Operation names of SQL written over several lines', () => {
  it('names the operation by its first word in span names, attributes and metric labels', async () => {
    const app = serviceTelemetry(stack.endpoints.otlpHttp, 'multiline-sql');
    // As instrumentation-pg names them: the operation runs to the statement's first space.
    const multiline = 'SELECT\n\t\t\tREL.RELNAMESPACE::REGNAMESPACE::TEXT';
    const root = app.span('GET /schema');
    root.setStatus({ code: SpanStatusCode.ERROR });
    app
      .span(`pg.query:${multiline} directus`, { attributes: { 'db.operation.name': multiline } }, under(root))
      .end();
    app
      .span('pg.query:INSERT directus', { attributes: { 'db.operation.name': 'INSERT' } }, under(root))
      .end();
    app
      .span('pg-pool.connect', { attributes: { 'db.operation.name': 'pg-pool.connect' } }, under(root))
      .end();
    root.end();
    const duration = app.meter.createHistogram('db.client.operation.duration', { unit: 's' });
    duration.record(0.002, { 'db.operation.name': multiline, 'db.system.name': 'postgresql' });
    duration.record(0.003, { 'db.operation.name': 'SELECT', 'db.system.name': 'postgresql' });
    await app.flush();

    const spans = await eventually('the schema trace in the Tempo sink', async () => {
      const found = sinkSpans(stack.endpoints.sinkDir).filter(
        (s) => s.resource['service.name'] === 'multiline-sql',
      );
      return found.length >= 4 ? found : undefined;
    });
    expect(spans.map((s) => [s.name, s.attributes['db.operation.name']]).sort()).toEqual([
      ['GET /schema', undefined],
      ['pg-pool.connect', 'pg-pool.connect'],
      ['pg.query:INSERT directus', 'INSERT'],
      ['pg.query:SELECT directus', 'SELECT'],
    ]);
    // Both statements' points in one series.
    const series = await eventually('the operation histogram in Prometheus', async () => {
      const found = await query(
        stack.endpoints.prometheus,
        'db_client_operation_duration_seconds_count{job="multiline-sql"}',
      );
      return found.length > 0 ? found : undefined;
    });
    expect(series.map((s) => s.metric.db_operation_name)).toEqual(['SELECT']);
    expect(series[0]?.value).toBe(2);
    await app.shutdown();
  });
});

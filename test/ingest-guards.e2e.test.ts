import { SpanStatusCode } from '@opentelemetry/api';
import type { Stack } from '@otelkit/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './helpers/poll.js';
import { sinkSpans } from './helpers/sink.js';
import { startTestStack } from './helpers/stack.js';
import { serviceTelemetry } from './helpers/telemetry.js';

describe('OTLP/HTTP ingest: CORS allow-list and bad input', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

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

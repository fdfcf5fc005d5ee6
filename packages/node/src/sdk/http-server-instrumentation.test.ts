import http from 'node:http';
import { Socket } from 'node:net';
import { type Attributes, context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { getRPCMetadata, RPCType, W3CTraceContextPropagator } from '@opentelemetry/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GlobalTestSdk, installGlobalTestSdk, uninstallGlobalTestSdk } from '../testing/global-sdk.js';
import { closeLocalServers, listenLocal as serve } from '../testing/local-server.js';
import { HttpServerInstrumentation } from './http-server-instrumentation.js';
import { withoutContext } from './listener-context.js';

let sdk: GlobalTestSdk;
let instrumentation: HttpServerInstrumentation;

/** Patches node:http as the require hook would, with the given ignorePath. */
function instrument(ignorePath?: (path: string) => boolean): void {
  instrumentation = new HttpServerInstrumentation(ignorePath ? { ignorePath } : {});
  for (const definition of instrumentation.getModuleDefinitions()) {
    if (definition.name === 'http') definition.patch?.(http);
  }
}

/** GETs an instrumented local server with `headers`; returns its port and the server span's attributes. */
async function serverSpanAttributes(
  headers: http.OutgoingHttpHeaders,
): Promise<{ port: number; attributes: Attributes }> {
  instrument();
  const url = await serve((_request, response) => response.end());
  // node:http rather than fetch: fetch does not let a test choose the Host header.
  await new Promise<void>((resolve, reject) => {
    http.get(url, { headers }, (response) => response.resume().on('end', resolve)).on('error', reject);
  });
  const [span] = await sdk.finishedSpans(1);
  return { port: Number(new URL(url).port), attributes: span?.attributes ?? {} };
}

beforeEach(() => {
  sdk = installGlobalTestSdk();
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});

afterEach(async () => {
  for (const definition of instrumentation.getModuleDefinitions()) {
    if (definition.name === 'http') definition.unpatch?.(http);
  }
  await closeLocalServers();
  propagation.disable();
  uninstallGlobalTestSdk();
});

describe('HttpServerInstrumentation', () => {
  it('makes a server span named by the route a framework set, in the caller’s trace, and records the duration', async () => {
    instrument();
    let activeInHandler: string | undefined;
    const url = await serve((request, response) => {
      const rpc = getRPCMetadata(context.active());
      if (rpc?.type === RPCType.HTTP) rpc.route = '/orders/:id';
      // Listeners added by a body parser run in the span's context too.
      request.on('data', () => {});
      request.on('end', () => {
        activeInHandler = trace.getActiveSpan()?.spanContext().spanId;
        response.writeHead(201).end('ok');
      });
    });
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const response = await fetch(`${url}/orders/7?x=1&Signature=secret`, {
      method: 'POST',
      body: 'hello',
      headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01`, 'user-agent': 'unit-test' },
    });
    expect(response.status).toBe(201);
    const [span] = await sdk.finishedSpans(1);
    expect(span?.name).toBe('POST /orders/:id');
    expect(span?.kind).toBe(SpanKind.SERVER);
    expect(span?.spanContext().traceId).toBe(traceId);
    expect(span?.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(activeInHandler).toBe(span?.spanContext().spanId);
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    expect(span?.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/orders/:id',
      'http.response.status_code': 201,
      'url.path': '/orders/7',
      'url.query': 'x=1&Signature=REDACTED',
      'url.scheme': 'http',
      'server.address': '127.0.0.1',
      'user_agent.original': 'unit-test',
      'network.protocol.version': '1.1',
    });
    const [point] = await sdk.dataPoints('http.server.request.duration');
    expect(point?.attributes).toEqual({
      'http.request.method': 'POST',
      'url.scheme': 'http',
      'http.response.status_code': 201,
      'network.protocol.version': '1.1',
      'http.route': '/orders/:id',
    });
    expect(point?.value).toMatchObject({ count: 1 });
  });

  it('gives an absolute-form request (as sent to a proxy) the path alone as url.path', async () => {
    instrument();
    const url = new URL(await serve((_request, response) => response.end()));
    for (const path of ['http://shop.example.com/profile?x=1', 'http://shop.example.com']) {
      await new Promise<void>((resolve, reject) => {
        http
          .get({ host: url.hostname, port: url.port, path }, (response) =>
            response.resume().on('end', resolve),
          )
          .on('error', reject);
      });
    }
    const spans = await sdk.finishedSpans(2);
    expect(spans.map((span) => [span.attributes['url.path'], span.attributes['url.query']])).toEqual([
      ['/profile', 'x=1'],
      ['/', undefined],
    ]);
  });

  it('runs later listeners of the request and response in the span, and still removes them by the original', async () => {
    instrument();
    const seen: Record<string, string | undefined> = {};
    const activeSpanId = () => trace.getActiveSpan()?.spanContext().spanId;
    let removed = 0;
    const url = await serve((request, response) => {
      const never = () => {
        removed = -1;
      };
      request.once('end', never);
      request.removeListener('end', never);
      request.prependOnceListener('data', () => {
        seen.data = activeSpanId();
      });
      request.on('end', () => {
        seen.end = activeSpanId();
        if (request.listenerCount('end') === 1) removed = 1;
        response.end('done');
      });
      response.once('finish', () => {
        seen.finish = activeSpanId();
      });
      request.resume();
    });
    const response = await fetch(url, { method: 'POST', body: 'payload' });
    expect(await response.text()).toBe('done');
    const [span] = await sdk.finishedSpans(1);
    const spanId = span?.spanContext().spanId;
    expect(seen).toEqual({ data: spanId, end: spanId, finish: spanId });
    expect(removed).toBe(1);
  });

  it('leaves listeners of requests it does not trace alone', async () => {
    instrument((path) => path === '/health/live');
    let wrapped: boolean | undefined;
    const url = await serve((request, response) => {
      const listener = () => {};
      request.on('end', listener);
      wrapped = request.rawListeners('end').at(-1) !== listener;
      request.resume();
      response.end();
    });
    await fetch(`${url}/health/live`);
    expect(wrapped).toBe(false);
  });

  it('adds a listener marked withoutContext as it is, with no wrapper', async () => {
    instrument();
    let marked: boolean | undefined;
    let plain: boolean | undefined;
    const url = await serve((request, response) => {
      const bookkeeping = withoutContext(() => {});
      const ordinary = () => {};
      response.on('close', bookkeeping);
      response.on('close', ordinary);
      const listeners = response.rawListeners('close');
      marked = listeners.includes(bookkeeping);
      plain = listeners.includes(ordinary);
      request.resume();
      response.end();
    });
    await fetch(url);
    await sdk.finishedSpans(1);
    expect(marked).toBe(true);
    expect(plain).toBe(false);
  });

  it('marks 5xx as an error, and an unknown method as _OTHER', async () => {
    instrument();
    const url = await serve((_request, response) => response.writeHead(503).end());
    await fetch(url, { method: 'PURGE' });
    const [span] = await sdk.finishedSpans(1);
    expect(span?.name).toBe('HTTP');
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes).toMatchObject({
      'http.request.method': '_OTHER',
      'http.request.method_original': 'PURGE',
      'http.response.status_code': 503,
      'error.type': '503',
    });
  });

  it('records a handler that throws, without a status code it never sent, and rethrows', () => {
    instrument();
    // Straight through Server.emit: a listener's exception leaves emit and would crash a
    // listening test server, as it crashes a real one.
    const target = http.createServer(() => {
      throw new RangeError('boom');
    });
    const request = new http.IncomingMessage(new Socket());
    request.method = 'GET';
    request.url = '/crash';
    const response = new http.ServerResponse(request);
    expect(() => target.emit('request', request, response)).toThrow(RangeError);
    const [span] = sdk.spans.getFinishedSpans();
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes['error.type']).toBe('RangeError');
    expect(span?.attributes['http.response.status_code']).toBeUndefined();
    expect(span?.events.map((event) => event.name)).toEqual(['exception']);
  });

  it('ends the span of a request the client abandoned as aborted', async () => {
    instrument();
    let abandoned!: () => void;
    const closed = new Promise<void>((resolve) => {
      abandoned = resolve;
    });
    const url = await serve((_request, response) => {
      response.on('close', () => abandoned());
    });
    const controller = new AbortController();
    const request = fetch(url, { signal: controller.signal }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort();
    await request;
    await closed;
    const [span] = await sdk.finishedSpans(1);
    expect(span?.attributes['error.type']).toBe('aborted');
    expect(span?.attributes['http.response.status_code']).toBeUndefined();
  });

  it('leaves ignored paths untraced, and traces everything when ignorePath throws', async () => {
    instrument((path) => {
      if (path === '/broken') throw new Error('bad predicate');
      return path === '/health/ready';
    });
    const url = await serve((_request, response) => {
      trace.getTracer('app').startSpan('child of the request').end();
      response.end();
    });
    await fetch(`${url}/health/ready`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Tracing is suppressed for the probe: neither a server span nor the app's child span.
    expect(sdk.spans.getFinishedSpans()).toEqual([]);
    await fetch(`${url}/broken`);
    const spans = await sdk.finishedSpans(2);
    expect(spans.map((span) => span.name).sort()).toEqual(['GET', 'child of the request']);
  });

  it('serves the request untraced when setting up its span fails', async () => {
    instrument();
    propagation.disable();
    propagation.setGlobalPropagator({
      inject: () => {},
      extract: () => {
        throw new Error('broken propagator');
      },
      fields: () => [],
    });
    const url = await serve((_request, response) => response.end('served'));
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('served');
    expect(sdk.spans.getFinishedSpans()).toEqual([]);
  });
});

describe('HttpServerInstrumentation address attributes', () => {
  it('takes client and server from the socket and Host without proxy headers', async () => {
    const { port, attributes } = await serverSpanAttributes({});
    expect(attributes).toMatchObject({
      'client.address': '127.0.0.1',
      'network.peer.address': '127.0.0.1',
      'server.address': '127.0.0.1',
      'server.port': port,
    });
    expect(attributes['network.peer.port']).toEqual(expect.any(Number));
  });

  it('takes the client from the first X-Forwarded-For entry, and the peer from the socket', async () => {
    const { attributes } = await serverSpanAttributes({ 'x-forwarded-for': '203.0.113.7, 10.0.0.1' });
    expect(attributes).toMatchObject({
      'client.address': '203.0.113.7',
      'network.peer.address': '127.0.0.1',
    });
  });

  it('prefers Forwarded for= with IPv4 over X-Forwarded-For, from the first element', async () => {
    const { attributes } = await serverSpanAttributes({
      forwarded: 'for=192.0.2.60;proto=http;by=203.0.113.43, for=198.51.100.17',
      'x-forwarded-for': '203.0.113.7',
    });
    expect(attributes).toMatchObject({ 'client.address': '192.0.2.60', 'network.peer.address': '127.0.0.1' });
  });

  it('reads a quoted, bracketed IPv6 for= with a port', async () => {
    const { attributes } = await serverSpanAttributes({ forwarded: 'For="[2001:db8:cafe::17]:4711"' });
    expect(attributes['client.address']).toBe('2001:db8:cafe::17');
  });

  it('takes the server from Forwarded host=, before X-Forwarded-Host and Host', async () => {
    const { attributes } = await serverSpanAttributes({
      forwarded: 'for=192.0.2.60;host="shop.example.com:8443";proto=https',
      'x-forwarded-host': 'other.example.com',
      host: 'internal.svc:8080',
    });
    expect(attributes).toMatchObject({ 'server.address': 'shop.example.com', 'server.port': 8443 });
  });

  it('gives a forwarded host without a port the default port of its forwarded scheme', async () => {
    const { attributes } = await serverSpanAttributes({ forwarded: 'host=shop.example.com;proto=https' });
    expect(attributes).toMatchObject({ 'server.address': 'shop.example.com', 'server.port': 443 });
  });

  it('takes the server from X-Forwarded-Host before Host, with X-Forwarded-Proto for its port', async () => {
    const { attributes } = await serverSpanAttributes({
      'x-forwarded-host': 'shop.example.com',
      'x-forwarded-proto': 'https',
      host: 'internal.svc:8080',
    });
    expect(attributes).toMatchObject({ 'server.address': 'shop.example.com', 'server.port': 443 });
  });

  it('keeps the brackets of an IPv6 X-Forwarded-Host and reads its port', async () => {
    const { attributes } = await serverSpanAttributes({ 'x-forwarded-host': '[2001:db8::1]:8080' });
    expect(attributes).toMatchObject({ 'server.address': '[2001:db8::1]', 'server.port': 8080 });
  });

  it('leaves server.port out when the forwarded scheme is unknown', async () => {
    const { attributes } = await serverSpanAttributes({ 'x-forwarded-host': 'shop.example.com' });
    expect(attributes['server.address']).toBe('shop.example.com');
    expect(attributes['server.port']).toBeUndefined();
  });

  it('reports the scheme the client used behind a TLS-terminating proxy, on the span and the metric', async () => {
    const { attributes } = await serverSpanAttributes({
      host: 'shop.example.com',
      'x-forwarded-proto': 'https',
    });
    expect(attributes).toMatchObject({
      'url.scheme': 'https',
      'server.address': 'shop.example.com',
      'server.port': 443,
    });
    const [point] = await sdk.dataPoints('http.server.request.duration');
    expect(point?.attributes['url.scheme']).toBe('https');
  });

  it('gives a Host without a port the default port of the server’s scheme', async () => {
    const { attributes } = await serverSpanAttributes({ host: 'example.com' });
    expect(attributes).toMatchObject({ 'server.address': 'example.com', 'server.port': 80 });
  });

  it('ignores garbage proxy headers and falls back to the socket peer and Host', async () => {
    const { port, attributes } = await serverSpanAttributes({
      forwarded: 'for=unknown;host="bad host", for="[2001:db8::1',
      'x-forwarded-for': 'not-an-ip, 192.0.2.1',
      'x-forwarded-host': '<script>:80',
    });
    expect(attributes).toMatchObject({
      'client.address': '127.0.0.1',
      'network.peer.address': '127.0.0.1',
      'server.address': '127.0.0.1',
      'server.port': port,
    });
  });
});

import http from 'node:http';
import { createRequire } from 'node:module';
import { propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GlobalTestSdk, installGlobalTestSdk, uninstallGlobalTestSdk } from '../testing/global-sdk.js';
import { closeLocalServers, listenLocal } from '../testing/local-server.js';
import { ExpressInstrumentation } from './express-instrumentation.js';
import { HttpServerInstrumentation } from './http-server-instrumentation.js';

const require = createRequire(import.meta.url);

/** The parts of Express these tests use, for both majors. */
type Next = (error?: unknown) => void;
type Handler = (req: http.IncomingMessage & { params: Record<string, string> }, res: Res, next: Next) => void;
type Res = http.ServerResponse & { json(body: unknown): void; status(code: number): Res };
interface RouterLike {
  use(...args: unknown[]): RouterLike;
  get(path: string, ...handlers: Handler[]): RouterLike;
}
type App = RouterLike & http.RequestListener;
type ExpressFactory = (() => App) & { Router: () => RouterLike };

const MAJORS = { 'Express 5': 'express', 'Express 4': 'express-v4' } as const;

let sdk: GlobalTestSdk;
let patched: Array<[Instrumentation, string, unknown]> = [];

/** Patches node:http and the given Express copy as the require hook would. */
function instrument(expressModule: string, withServerSpans = true): ExpressFactory {
  const express = require(expressModule) as ExpressFactory;
  const targets: Array<[Instrumentation, string, unknown]> = [
    [new ExpressInstrumentation(), 'express', express],
  ];
  if (withServerSpans) targets.push([new HttpServerInstrumentation(), 'http', http]);
  for (const [instrumentation, name, exports] of targets) {
    for (const definition of instrumentation.getModuleDefinitions()) {
      if (definition.name === name) definition.patch?.(exports);
    }
  }
  patched = targets;
  return express;
}

const byType = (spans: ReadableSpan[], type: string) =>
  spans.filter((s) => s.attributes['express.type'] === type);
// Express 4 adds its own middleware (query, expressInit) in front of the app's.
const middlewareNamed = (spans: ReadableSpan[], name: string) =>
  byType(spans, 'middleware').find((s) => s.attributes['express.name'] === name);

beforeEach(() => {
  sdk = installGlobalTestSdk();
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});

afterEach(async () => {
  for (const [instrumentation, name, exports] of patched) {
    for (const definition of instrumentation.getModuleDefinitions()) {
      if (definition.name === name) definition.unpatch?.(exports);
    }
  }
  patched = [];
  await closeLocalServers();
  propagation.disable();
  uninstallGlobalTestSdk();
});

describe.each(Object.entries(MAJORS))('ExpressInstrumentation on %s', (_major, moduleName) => {
  it('makes middleware, router and request-handler spans under the server span, named by the route', async () => {
    const express = instrument(moduleName);
    const app = express();
    let activeInHandler: string | undefined;
    app.use(function auth(_req: unknown, _res: unknown, next: Next) {
      next();
    });
    const api = express.Router();
    api.get('/orders/:id', (req, res) => {
      activeInHandler = trace.getActiveSpan()?.spanContext().spanId;
      res.json({ id: req.params.id });
    });
    app.use('/api', api);
    const url = await listenLocal(app);

    const response = await fetch(`${url}/api/orders/7`);
    expect(await response.json()).toEqual({ id: '7' });
    const spans = await sdk.finishedSpans(4);
    const server = spans.find((s) => s.kind === SpanKind.SERVER);
    expect(server?.name).toBe('GET /api/orders/:id');
    expect(server?.attributes['http.route']).toBe('/api/orders/:id');

    const middleware = middlewareNamed(spans, 'auth');
    const [router] = byType(spans, 'router');
    const [handler] = byType(spans, 'request_handler');
    expect(middleware?.name).toBe('middleware - auth');
    expect(middleware?.attributes['express.name']).toBe('auth');
    // Upstream's naming rule for routers, kept as is: the path of the router's first route.
    expect(router?.name).toBe('router - /orders/:id');
    expect(handler?.attributes).toMatchObject({
      'http.route': '/api/orders/:id',
      'express.name': '/api/orders/:id',
    });
    // Siblings under the server span, not nested in each other; the handler ran in its own span.
    for (const span of [middleware, router, handler]) {
      expect(span?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
      expect(span?.spanContext().traceId).toBe(server?.spanContext().traceId);
    }
    expect(activeInHandler).toBe(handler?.spanContext().spanId);
  });

  it("marks the layer that passes an error to next() as failed, and ends a handler's span with the response", async () => {
    const express = instrument(moduleName);
    const app = express();
    app.use(function checkInput(_req: unknown, _res: unknown, next: Next) {
      next(new TypeError('bad input'));
    });
    app.use((error: Error, _req: unknown, res: Res, _next: Next) => {
      res.status(400).json({ error: error.message });
    });
    const url = await listenLocal(app);
    expect((await fetch(`${url}/anything`)).status).toBe(400);
    const spans = await sdk.finishedSpans(2);
    const failing = middlewareNamed(spans, 'checkInput');
    expect(failing?.status.code).toBe(SpanStatusCode.ERROR);
    expect(failing?.status.message).toBe('bad input');
    expect(failing?.events.map((event) => event.name)).toEqual(['exception']);

    // An error Express answers with a 4xx (its `status` or `statusCode`) is the client's: the
    // exception is recorded, the status stays unset.
    sdk.spans.reset();
    const guarded = express();
    guarded.use(function requireLogin(_req: unknown, _res: unknown, next: Next) {
      next(Object.assign(new Error('Invalid user credentials.'), { status: 401 }));
    });
    expect((await fetch(`${await listenLocal(guarded)}/me`)).status).toBe(401);
    const denied = middlewareNamed(await sdk.finishedSpans(2), 'requireLogin');
    expect(denied?.status.code).toBe(SpanStatusCode.UNSET);
    expect(denied?.events.map((event) => event.name)).toEqual(['exception']);

    sdk.spans.reset();
    const slow = express();
    slow.get('/later', (_req, res) => {
      setTimeout(() => res.json({ ok: true }), 20);
    });
    const slowUrl = await listenLocal(slow);
    await fetch(`${slowUrl}/later`);
    const [handler] = byType(await sdk.finishedSpans(2), 'request_handler');
    const server = sdk.spans.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER);
    expect(server?.name).toBe('GET /later');
    // Ended by the response, not when the handler returned.
    const durationMs = (handler?.duration[0] ?? 0) * 1000 + (handler?.duration[1] ?? 0) / 1e6;
    expect(durationMs).toBeGreaterThanOrEqual(15);
  });

  it('stays out of requests that are not traced', async () => {
    // Without the HTTP server span there is no parent, so no Express span either.
    const express = instrument(moduleName, false);
    const app = express();
    app.get('/plain', (_req, res) => res.json({ traced: trace.getActiveSpan() !== undefined }));
    const url = await listenLocal(app);
    expect(await (await fetch(`${url}/plain`)).json()).toEqual({ traced: false });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sdk.spans.getFinishedSpans()).toEqual([]);
  });
});

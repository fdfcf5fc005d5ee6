import http from 'node:http';
import { createRequire } from 'node:module';
import { context, createContextKey, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
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

  it('runs each next layer under the server span, with what earlier layers added to the context', async () => {
    const express = instrument(moduleName);
    const app = express();
    const tenant = createContextKey('tenant');
    const seen: Array<{ layer: string; span?: string; tenant?: unknown }> = [];
    const see = (layer: string) =>
      seen.push({
        layer,
        span: trace.getActiveSpan()?.spanContext().spanId,
        tenant: context.active().getValue(tenant),
      });
    // One layer leaves the context as it got it, the next adds a value to it.
    app.use(function plain(_req: unknown, _res: unknown, next: Next) {
      see('plain');
      next();
    });
    app.use(function tagging(_req: unknown, _res: unknown, next: Next) {
      see('tagging');
      context.with(context.active().setValue(tenant, 'acme'), next);
    });
    app.use(function after(_req: unknown, _res: unknown, next: Next) {
      see('after');
      next();
    });
    app.get('/orders', (_req, res) => {
      see('handler');
      res.json({ ok: true });
    });
    const url = await listenLocal(app);

    await (await fetch(`${url}/orders`)).json();
    const spans = await sdk.finishedSpans(5);
    const server = spans.find((s) => s.kind === SpanKind.SERVER);
    const spanOf = (name: string) => middlewareNamed(spans, name)?.spanContext().spanId;
    const [handler] = byType(spans, 'request_handler');
    expect(seen).toEqual([
      { layer: 'plain', span: spanOf('plain'), tenant: undefined },
      { layer: 'tagging', span: spanOf('tagging'), tenant: undefined },
      { layer: 'after', span: spanOf('after'), tenant: 'acme' },
      { layer: 'handler', span: handler?.spanContext().spanId, tenant: 'acme' },
    ]);
    for (const name of ['plain', 'tagging', 'after']) {
      expect(middlewareNamed(spans, name)?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    }
    expect(handler?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
  });

  it("marks a failed layer by the status the response goes out with, and ends a handler's span with the response", async () => {
    const express = instrument(moduleName);
    const durationMs = (span: ReadableSpan | undefined) =>
      (span?.duration[0] ?? 0) * 1000 + (span?.duration[1] ?? 0) / 1e6;
    /** The span of middleware `name`, which passes `error` to next(); `handle` answers, if given. */
    const failingLayer = async (name: string, error: Error, handle?: (error: Error, res: Res) => void) => {
      sdk.spans.reset();
      const app = express();
      app.use({ [name]: (_req: unknown, _res: unknown, next: Next) => next(error) }[name]);
      if (handle) app.use((caught: Error, _req: unknown, res: Res, _next: Next) => handle(caught, res));
      const response = await fetch(`${await listenLocal(app)}/anything`);
      const span = middlewareNamed(await sdk.finishedSpans(2), name);
      expect(span?.events.map((event) => event.name)).toEqual(['exception']);
      return { status: response.status, span };
    };

    // Express's final handler answers an error without a status with 500: the layer failed.
    const crashed = await failingLayer('readOrder', new TypeError('cannot read order'));
    expect(crashed.status).toBe(500);
    expect(crashed.span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'cannot read order' });

    // An error answered with a 4xx is the client's, whoever chose the status: the exception is
    // recorded, the status stays unset. Express reads it from the error's `status` or `statusCode`.
    const denied = await failingLayer(
      'requireLogin',
      Object.assign(new Error('Invalid user credentials.'), { status: 401 }),
    );
    expect(denied.status).toBe(401);
    expect(denied.span?.status.code).toBe(SpanStatusCode.UNSET);
    const refused = await failingLayer('checkInput', new TypeError('bad input'), (error, res) =>
      res.status(400).json({ error: error.message }),
    );
    expect(refused.status).toBe(400);
    expect(refused.span?.status.code).toBe(SpanStatusCode.UNSET);

    // An error tagged 4xx that the application's handler answers with a 500 failed the layer; the
    // span still ends when the layer passed the error on, not when the handler answered.
    const broken = await failingLayer(
      'loadProfile',
      Object.assign(new Error('profile store unreachable'), { status: 404 }),
      (_error, res) => {
        setTimeout(() => res.status(500).json({ error: 'internal' }), 40);
      },
    );
    expect(broken.status).toBe(500);
    expect(broken.span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'profile store unreachable' });
    expect(durationMs(broken.span)).toBeLessThan(30);

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
    expect(durationMs(handler)).toBeGreaterThanOrEqual(15);
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

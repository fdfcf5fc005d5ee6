import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Attributes, context, type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import {
  type InstrumentationConfig,
  InstrumentationNodeModuleDefinition,
} from '@opentelemetry/instrumentation';
// Upstream instrumentation-express's route and naming rules, reused as they are so that spans,
// names and `http.route` match what that package produces (the package has no exports map).
import {
  asErrorAndMessage,
  getActualMatchedRoute,
  getConstructedRoute,
  getLayerMetadata,
  getLayerPath,
} from '@opentelemetry/instrumentation-express/build/src/utils.js';
import { withoutContext } from './listener-context.js';
import { RewrappingInstrumentation } from './rewrapping-instrumentation.js';

type Handle = (this: unknown, ...args: unknown[]) => unknown;
type Next = (this: unknown, error?: unknown) => unknown;
/** The parts of an Express (or `router`) Layer this reads. */
interface Layer {
  handle: Handle;
  name: string;
  path: string;
  [PATCHED]?: true;
}
interface Router {
  stack: Layer[];
}
type RouterMethod = (this: Router, ...args: unknown[]) => unknown;
type AppUse = (this: { router?: Router; _router?: Router }, ...args: unknown[]) => unknown;
interface ExpressModule {
  Router: RouterMethods & { prototype?: RouterMethods };
  application: { use: AppUse };
}
interface RouterMethods {
  route: RouterMethod;
  use: RouterMethod;
}
/** An Express request, as far as this reads it. */
type Request = IncomingMessage & {
  originalUrl: string;
  route?: unknown;
};

/**
 * Per request: the mount paths of the layers entered, the spans the response's end closes, and
 * the failed layers' spans, whose status waits for the status the response goes out with.
 */
interface RequestState {
  paths: string[];
  open: Span[];
  failed?: Map<Span, Failure>;
}

/** What a layer failed with; `endedAt` (performance.now()) when it passed the error to next(). */
interface Failure {
  error: unknown;
  endedAt?: number | undefined;
}

const PATCHED = Symbol('otelkit.expressLayerPatched');
const ROUTER = 'router';
// Not a property of the request: Express has swapped the request's prototype by the time a layer
// runs, and the property added after that cost the bench server about 6 µs per request more than
// this WeakMap does (docs/performance.md).
const STATES = new WeakMap<IncomingMessage, RequestState>();

/**
 * Express middleware, router and request-handler spans, with the route set on the server span,
 * for Express 4 and 5.
 *
 * It makes the spans upstream's instrumentation-express makes, with the same names and
 * attributes (its route rules are reused), at a fraction of the per-request cost, which on a
 * hello-world server was the largest part of what otelkit added (docs/performance.md): upstream
 * wraps each layer call and its `next` in fresh `context.bind` closures, copies the arguments,
 * adds a 'close' listener per layer and defines a property on every request. Here a layer runs
 * in its span's context through `context.with`, the request's state is kept in a WeakMap
 * rather than on the request, and one listener per request ends whatever spans the response's
 * end leaves open.
 */
export class ExpressInstrumentation extends RewrappingInstrumentation<InstrumentationConfig> {
  /** Creates the instrumentation; it patches nothing until enabled. */
  constructor(config: InstrumentationConfig = {}) {
    super('@otelkit/node/express', '0.1.0', config);
  }

  /** Patches `Router#route`, `Router#use` and `app.use`, which create the layers it wraps. */
  protected init(): InstrumentationNodeModuleDefinition[] {
    return [
      new InstrumentationNodeModuleDefinition(
        'express',
        ['>=4.0.0 <6'],
        (exports: ExpressModule) => {
          const isV5 = typeof exports.Router.prototype?.route === 'function';
          const router = (isV5 ? exports.Router.prototype : exports.Router) as RouterMethods;
          this.rewrap(router, 'route', (original) => this.patchLayerFactory(original));
          this.rewrap(router, 'use', (original) => this.patchLayerFactory(original));
          const app = exports.application;
          const instrumentation = this;
          this.rewrap(
            app,
            'use',
            (original: AppUse): AppUse =>
              function use(this: { router?: Router; _router?: Router }, ...args: unknown[]) {
                // Reading app.router in Express 4 throws; its router is app._router there.
                const appRouter = isV5 ? this.router : this._router;
                const result = original.apply(this, args);
                const layer = appRouter?.stack[appRouter.stack.length - 1];
                if (layer) instrumentation.patchLayer(layer, pathOf(args));
                return result;
              },
          );
          return exports;
        },
        (exports: ExpressModule | undefined) => {
          if (!exports) return;
          const router = (
            exports.Router.prototype?.route ? exports.Router.prototype : exports.Router
          ) as RouterMethods;
          this._unwrap(router, 'route');
          this._unwrap(router, 'use');
          this._unwrap(exports.application, 'use');
        },
      ),
    ];
  }

  /** Wraps a Router method that pushes a layer, so that the new layer gets patched. */
  private patchLayerFactory(original: RouterMethod): RouterMethod {
    const instrumentation = this;
    return function (this: Router, ...args: unknown[]) {
      const result = original.apply(this, args);
      const layer = this.stack[this.stack.length - 1];
      if (layer) instrumentation.patchLayer(layer, pathOf(args));
      return result;
    };
  }

  private patchLayer(layer: Layer, layerPath: string | undefined): void {
    if (layer[PATCHED]) return;
    layer[PATCHED] = true;
    // Error handlers (four parameters) are left alone, as upstream does.
    this._wrap(layer, 'handle', (original) =>
      original.length === 4 ? original : this.wrapHandle(layer, layerPath, original),
    );
  }

  private wrapHandle(layer: Layer, layerPath: string | undefined, original: Handle): Handle {
    const instrumentation = this;
    const patched = function (this: unknown, req: Request, res: ServerResponse, next: Next) {
      const parent = context.active();
      const parentSpan = trace.getSpan(parent);
      if (parentSpan === undefined || typeof next !== 'function') return original.call(this, req, res, next);
      const state = requestState(req, res);
      const stored = layerPath !== undefined;
      if (stored) state.paths.push(layerPath);
      const routeView = { originalUrl: req.originalUrl, __ot_middlewares: state.paths };
      const matched = getActualMatchedRoute(routeView);
      const metadata = getLayerMetadata(getConstructedRoute(routeView), layer as never, layerPath);
      const rpc = getRPCMetadata(parent);
      if (rpc?.type === RPCType.HTTP) {
        // The last layer entered names the route, even when it names none (a 404 middleware).
        if (matched === undefined) delete rpc.route;
        else rpc.route = matched;
      }
      const attributes: Attributes = Object.assign({ 'http.route': matched }, metadata.attributes);
      const span = instrumentation.tracer.startSpan(metadata.name, { attributes }, parent);
      // Upstream ends router spans at once (their names say little) and runs the router in the parent.
      const isRouter = metadata.attributes['express.type'] === ROUTER;
      if (isRouter) span.end();
      else state.open.push(span);
      const inner = isRouter ? parent : trace.setSpan(parent, span);
      const done: Next = function (this: unknown, error?: unknown) {
        const isError = error !== undefined && error !== null && error !== 'route' && error !== 'router';
        if (close(state, span)) {
          if (isError) fail(state, span, error, performance.now());
          else span.end();
        }
        if (stored && !(req.route && isError)) state.paths.pop();
        // Back in the parent span for the next layer, keeping whatever the layer added to the context.
        // A layer that added nothing is still in `inner`, whose values with the parent span are the
        // parent context's own: that one serves, without a copy per layer and request.
        const active = context.active();
        return context.with(active === inner ? parent : trace.setSpan(active, parentSpan), next, this, error);
      };
      try {
        return context.with(inner, original, this, req, res, done);
      } catch (error) {
        fail(state, span, error);
        throw error;
      }
    };
    // Some libraries keep state on `handle` itself; proxy it, as upstream does.
    for (const key in original) {
      Object.defineProperty(patched, key, {
        get: () => (original as unknown as Record<string, unknown>)[key],
        set: (value: unknown) => {
          (original as unknown as Record<string, unknown>)[key] = value;
        },
      });
    }
    return patched as Handle;
  }
}

function pathOf(args: unknown[]): string | undefined {
  return getLayerPath(args as Parameters<typeof getLayerPath>[0]);
}

// A layer that answers without calling next() ends with the response, as upstream's do. One
// listener for all responses, marked once, rather than a marked closure per request: Node
// calls it with the response, whose `req` is the request the state is kept for.
const endOpenSpans = withoutContext(function endOpenSpans(this: ServerResponse) {
  const state = STATES.get(this.req);
  if (state === undefined) return;
  for (const span of state.open) if (!state.failed?.has(span)) span.end();
  state.open.length = 0;
  if (state.failed === undefined) return;
  for (const [span, { error, endedAt }] of state.failed) {
    // A response whose head never went out (the client left first) says nothing: Express's rule.
    const status = this.headersSent ? this.statusCode : answeredStatus(error);
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: asErrorAndMessage(error)[1] });
    span.end(endedAt);
  }
  state.failed.clear();
});

function requestState(req: Request, res: ServerResponse): RequestState {
  let state = STATES.get(req);
  if (state === undefined) {
    state = { paths: [], open: [] };
    STATES.set(req, state);
    res.on('close', endOpenSpans);
  }
  return state;
}

/** Removes `span` from the open ones; false when the response's end already ended it. */
function close(state: RequestState, span: Span): boolean {
  const at = state.open.lastIndexOf(span);
  if (at < 0) return false;
  state.open.splice(at, 1);
  return true;
}

/**
 * The status Express answers `error` with, as its final handler reads it: `status` or
 * `statusCode` when 4xx or 5xx, otherwise 500. For a response that never sent one.
 */
function answeredStatus(error: unknown): number {
  for (const key of ['status', 'statusCode']) {
    const value =
      typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[key] : undefined;
    if (typeof value === 'number' && value >= 400 && value < 600) return value;
  }
  return 500;
}

/**
 * Records what a layer threw or passed to next() (at `endedAt`, which ends its span then), and
 * leaves the span's status to the response's end. Only an error answered with a 5xx is an error
 * of the span: a 4xx one (a failed login, a missing route) is the client's, as the HTTP
 * conventions have it for the server span, and with an error status every 404 and 401 trace would
 * pass tail sampling's keep-errors policy. The status that counts is the one the response goes out
 * with, whether Express's final handler chose it from the error's `status` or the application's
 * error handler chose its own. Upstream marks both; the event is kept for both.
 */
function fail(state: RequestState, span: Span, error: unknown, endedAt?: number): void {
  span.recordException(asErrorAndMessage(error)[0]);
  state.failed ??= new Map();
  state.failed.set(span, { error, endedAt });
}

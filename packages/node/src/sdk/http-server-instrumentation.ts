import { IncomingMessage, type Server, ServerResponse } from 'node:http';
import {
  type Attributes,
  type Context,
  context,
  type Histogram,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  ValueType,
} from '@opentelemetry/api';
import { type RPCMetadata, RPCType, setRPCMetadata, suppressTracing } from '@opentelemetry/core';
import {
  type InstrumentationConfig,
  InstrumentationNodeModuleDefinition,
  isWrapped,
} from '@opentelemetry/instrumentation';
import { setAddressAttributes } from './forwarded-address.js';
import {
  ADD_LISTENER_METHODS,
  type AddListener,
  type AddListenerMethod,
  patchAddListener,
  setListenerContext,
} from './listener-context.js';
import { RequestDurationAttributes } from './request-duration-attributes.js';
import { RewrappingInstrumentation } from './rewrapping-instrumentation.js';

/** Options of {@link HttpServerInstrumentation}. */
export interface HttpServerInstrumentationConfig extends InstrumentationConfig {
  /** Requests to leave untraced and unmeasured, by path without the query (health probes). */
  ignorePath?: (path: string) => boolean;
}

type Emit = (this: Server, event: string | symbol, ...args: unknown[]) => boolean;
type ServerModule = { Server: { prototype: { emit: Emit } } };
// node:https serves with node:http's classes, so both modules' patches patch these.
const MESSAGE_PROTOTYPES = [IncomingMessage.prototype, ServerResponse.prototype] as unknown as Record<
  AddListenerMethod,
  AddListener
>[];
const LISTENER_METHODS = Object.keys(ADD_LISTENER_METHODS) as AddListenerMethod[];

const KNOWN_METHODS = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'QUERY',
  'TRACE',
]);
// Query parameters that carry credentials in signed URLs; upstream instrumentation-http redacts the same.
const SECRET_QUERY_PARAMS = new Set(['AWSAccessKeyId', 'Signature', 'sig', 'X-Goog-Signature']);
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/**
 * Server spans and `http.server.request.duration` for node:http and node:https servers, with the
 * stable HTTP semantic conventions. Outgoing requests stay with upstream instrumentation-http.
 *
 * Upstream's incoming-request path parses each URL with `new URL()`, computes attributes for two
 * semconv versions and wraps the response's methods; with the rest of its per-request work that
 * made it the largest single cost on a hello-world server (docs/performance.md). This computes
 * the attributes from the raw request line and headers, and records the rest once, on `finish`.
 * Frameworks (Express, Fastify) set the route through the RPC metadata in the context, as they
 * do with upstream's instrumentation.
 */
export class HttpServerInstrumentation extends RewrappingInstrumentation<HttpServerInstrumentationConfig> {
  // `declare`: the base constructor calls _updateMetricInstruments() before subclass fields are
  // initialised, and an initialised field would reset the histogram it created to undefined.
  declare private duration: Histogram | undefined;
  private ignorePathFailed = false;
  private readonly durationAttributes = new RequestDurationAttributes();

  /** Creates the instrumentation; it patches nothing until enabled. */
  constructor(config: HttpServerInstrumentationConfig = {}) {
    super('@otelkit/node/http-server', '0.1.0', config);
  }

  /**
   * Patches `Server.prototype.emit` of node:http and node:https, and the add-listener methods of
   * the request and response classes (node:https uses node:http's).
   */
  protected init(): InstrumentationNodeModuleDefinition[] {
    return (['http', 'https'] as const).map(
      (scheme) =>
        new InstrumentationNodeModuleDefinition(
          scheme,
          ['*'],
          (exports: ServerModule) => {
            this.rewrap(exports.Server.prototype, 'emit', (original) => this.patchEmit(original, scheme));
            for (const prototype of MESSAGE_PROTOTYPES) {
              for (const method of LISTENER_METHODS) {
                this.rewrap(prototype, method, (original) => patchAddListener(method, original));
              }
            }
            return exports;
          },
          (exports: ServerModule | undefined) => {
            if (exports) this._unwrap(exports.Server.prototype, 'emit');
            for (const prototype of MESSAGE_PROTOTYPES) {
              for (const method of LISTENER_METHODS)
                if (isWrapped(prototype[method])) this._unwrap(prototype, method);
            }
          },
        ),
    );
  }

  /** Creates the duration histogram on the meter the SDK provides. */
  protected override _updateMetricInstruments(): void {
    this.duration = this.meter.createHistogram('http.server.request.duration', {
      description: 'Duration of HTTP server requests.',
      unit: 's',
      valueType: ValueType.DOUBLE,
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
  }

  private patchEmit(original: Emit, scheme: 'http' | 'https'): Emit {
    const instrumentation = this;
    // Node calls emit('request', request, response); named parameters and `arguments` avoid
    // copying the arguments into fresh arrays on every event.
    return function emit(
      this: Server,
      event: string | symbol,
      request?: unknown,
      response?: unknown,
    ): boolean {
      // biome-ignore lint/complexity/noArguments: forwards every argument of any other event as is.
      const all = arguments as unknown as Parameters<Emit>;
      if (event !== 'request') return original.apply(this, all);
      let traced: TracedRequest | undefined;
      try {
        traced = instrumentation.startRequest(scheme, request as IncomingMessage, response as ServerResponse);
      } catch (error) {
        // Telemetry must not take the request down: serve it untraced.
        instrumentation._diag.error('could not trace a request; serving it untraced', error);
      }
      if (!traced) return original.apply(this, all);
      try {
        return context.with(traced.context, original, this, event, request, response);
      } catch (error) {
        traced.failed?.(error);
        throw error;
      }
    };
  }

  /** Starts the request's span, or suppresses tracing for an ignored path. */
  private startRequest(
    scheme: 'http' | 'https',
    request: IncomingMessage,
    response: ServerResponse,
  ): TracedRequest | undefined {
    const target = request.url ?? '/';
    const queryAt = target.indexOf('?');
    const path = queryAt < 0 ? target : target.slice(0, queryAt);
    if (this.ignores(path)) return { context: suppressTracing(context.active()) };
    const startedAt = performance.now();
    const method = request.method ?? 'GET';
    const knownMethod = KNOWN_METHODS.has(method) ? method : '_OTHER';
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const attributes = requestAttributes(
      scheme,
      request,
      method,
      knownMethod,
      urlPath(path),
      target,
      queryAt,
    );
    // The original client's scheme, when a proxy said it: the metric carries the span's.
    const clientScheme = attributes['url.scheme'] as string;
    const span = this.tracer.startSpan(
      knownMethod === '_OTHER' ? 'HTTP' : knownMethod,
      { kind: SpanKind.SERVER, attributes },
      parent,
    );
    const rpc: RPCMetadata = { type: RPCType.HTTP, span };
    let ended = false;
    const end = (errorType: string | undefined) => {
      if (ended) return;
      ended = true;
      this.endRequest(span, rpc, clientScheme, request, response, knownMethod, startedAt, errorType);
    };
    // 'close' follows every response: after 'finish' when it was sent, alone when the client
    // went away first. One plain listener is cheaper than a `once` pair. Added before
    // setListenerContext below, so it gets no context wrapper (it reads no context), the same
    // effect as withoutContext() without marking a closure per request.
    response.on('close', () => end(response.writableFinished ? undefined : 'aborted'));
    const active = setRPCMetadata(trace.setSpan(parent, span), rpc);
    // Body parsers and frameworks continue the request from the stream's own events, which Node
    // emits from the socket's async context; listeners added from here on run in the span's.
    setListenerContext(request, active);
    setListenerContext(response, active);
    const failed = (error: unknown) => {
      span.recordException(error as Error);
      // An anonymous class's name is '', which is no error type either.
      end((error as Error)?.constructor?.name || 'Error');
    };
    return { context: active, failed };
  }

  /** The configured ignorePath; one that throws counts as "trace it" and is reported once. */
  private ignores(path: string): boolean {
    const ignorePath = this.getConfig().ignorePath;
    if (!ignorePath) return false;
    try {
      return ignorePath(path);
    } catch (error) {
      if (!this.ignorePathFailed) {
        this.ignorePathFailed = true;
        this._diag.warn(`ignorePath threw (${(error as Error)?.message}); requests are traced`);
      }
      return false;
    }
  }

  private endRequest(
    span: Span,
    rpc: RPCMetadata,
    scheme: string,
    request: IncomingMessage,
    response: ServerResponse,
    method: string,
    startedAt: number,
    errorType: string | undefined,
  ): void {
    // A response whose head never went out (the handler threw, the client left first) has no
    // status code; statusCode would still say its default, 200.
    const status = response.headersSent ? response.statusCode : undefined;
    const route = rpc.type === RPCType.HTTP ? rpc.route : undefined;
    const error = errorType ?? (status !== undefined && status >= 500 ? String(status) : undefined);
    if (status !== undefined) span.setAttribute('http.response.status_code', status);
    if (route) {
      span.setAttribute('http.route', route);
      span.updateName(`${method === '_OTHER' ? 'HTTP' : method} ${route}`);
    }
    if (error) {
      span.setAttribute('error.type', error);
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
    const attributes = this.durationAttributes.get(method, scheme, request.httpVersion, status, route, error);
    this.duration?.record((performance.now() - startedAt) / 1000, attributes);
  }
}

/** How to run a request's handler: in which context, and what to do if it throws. */
interface TracedRequest {
  context: Context;
  failed?: (error: unknown) => void;
}

function requestAttributes(
  scheme: 'http' | 'https',
  request: IncomingMessage,
  method: string,
  knownMethod: string,
  path: string,
  target: string,
  queryAt: number,
): Attributes {
  const { headers } = request;
  const attributes: Attributes = {
    'http.request.method': knownMethod,
    'url.scheme': scheme,
    'url.path': path,
    'network.protocol.version': request.httpVersion,
  };
  if (knownMethod !== method) attributes['http.request.method_original'] = method;
  if (queryAt >= 0) attributes['url.query'] = redactQuery(target.slice(queryAt + 1));
  // Behind a proxy or ingress the socket peer is the proxy: url.scheme, server.* and
  // client.address come from the forwarding headers first, network.peer.* stay the socket's.
  setAddressAttributes(attributes, request, scheme);
  const userAgent = headers['user-agent'];
  if (userAgent !== undefined) attributes['user_agent.original'] = userAgent;
  return attributes;
}

/**
 * `url.path` of a request target without its query. An absolute-form target (`GET
 * http://host/path`, which a client sends to a proxy and a server must accept) starts with the
 * scheme and host, which are not part of the path. The ignored-path check reads the target as sent.
 */
function urlPath(target: string): string {
  if (target.charCodeAt(0) === 0x2f) return target; // "/": origin form, the usual case
  const hostAt = target.indexOf('://');
  if (hostAt < 0) return target; // "*" of OPTIONS *, or CONNECT's host:port
  const pathAt = target.indexOf('/', hostAt + 3);
  return pathAt < 0 ? '/' : target.slice(pathAt);
}

function redactQuery(query: string): string {
  const params = new URLSearchParams(query);
  let redacted = false;
  for (const key of params.keys()) {
    if (SECRET_QUERY_PARAMS.has(key)) {
      params.set(key, 'REDACTED');
      redacted = true;
    }
  }
  return redacted ? params.toString() : query;
}

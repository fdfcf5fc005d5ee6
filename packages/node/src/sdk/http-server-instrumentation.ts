import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import {
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
  InstrumentationBase,
  type InstrumentationConfig,
  InstrumentationNodeModuleDefinition,
  isWrapped,
} from '@opentelemetry/instrumentation';

/** Options of {@link HttpServerInstrumentation}. */
export interface HttpServerInstrumentationConfig extends InstrumentationConfig {
  /** Requests to leave untraced and unmeasured, by path without the query (health probes). */
  ignorePath?: (path: string) => boolean;
}

type Emit = (this: Server, event: string | symbol, ...args: unknown[]) => boolean;
type ServerModule = { Server: { prototype: { emit: Emit } } };

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
export class HttpServerInstrumentation extends InstrumentationBase<HttpServerInstrumentationConfig> {
  // `declare`: the base constructor calls _updateMetricInstruments() before subclass fields are
  // initialised, and an initialised field would reset the histogram it created to undefined.
  declare private duration: Histogram | undefined;
  private ignorePathFailed = false;

  /** Creates the instrumentation; it patches nothing until enabled. */
  constructor(config: HttpServerInstrumentationConfig = {}) {
    super('@otelkit/node/http-server', '0.1.0', config);
  }

  /** Patches `Server.prototype.emit` of node:http and node:https. */
  protected init(): InstrumentationNodeModuleDefinition[] {
    return (['http', 'https'] as const).map(
      (scheme) =>
        new InstrumentationNodeModuleDefinition(
          scheme,
          ['*'],
          (exports: ServerModule) => {
            if (isWrapped(exports.Server.prototype.emit)) this._unwrap(exports.Server.prototype, 'emit');
            this._wrap(exports.Server.prototype, 'emit', (original) => this.patchEmit(original, scheme));
            return exports;
          },
          (exports: ServerModule | undefined) => {
            if (exports) this._unwrap(exports.Server.prototype, 'emit');
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
    return function emit(this: Server, event: string | symbol, ...args: unknown[]): boolean {
      if (event !== 'request') return original.apply(this, [event, ...args]);
      const [request, response] = args as [IncomingMessage, ServerResponse];
      const handle = () => original.apply(this, [event, ...args]);
      let traced: (() => boolean) | undefined;
      try {
        traced = instrumentation.traceRequest(scheme, request, response, handle);
      } catch (error) {
        // Telemetry must not take the request down: serve it untraced.
        instrumentation._diag.error('could not trace a request; serving it untraced', error);
      }
      return traced ? traced() : handle();
    };
  }

  /** Sets up the request's span and returns how to run the handler inside it. */
  private traceRequest(
    scheme: 'http' | 'https',
    request: IncomingMessage,
    response: ServerResponse,
    handle: () => boolean,
  ): () => boolean {
    const target = request.url ?? '/';
    const queryAt = target.indexOf('?');
    const path = queryAt < 0 ? target : target.slice(0, queryAt);
    if (this.ignores(path)) return () => context.with(suppressTracing(context.active()), handle);
    const startedAt = performance.now();
    const method = request.method ?? 'GET';
    const knownMethod = KNOWN_METHODS.has(method) ? method : '_OTHER';
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const span = this.tracer.startSpan(
      knownMethod === '_OTHER' ? 'HTTP' : knownMethod,
      {
        kind: SpanKind.SERVER,
        attributes: requestAttributes(scheme, request, method, knownMethod, path, target, queryAt),
      },
      parent,
    );
    const rpc: RPCMetadata = { type: RPCType.HTTP, span };
    let ended = false;
    const end = (errorType: string | undefined) => {
      if (ended) return;
      ended = true;
      this.endRequest(span, rpc, scheme, request, response, knownMethod, startedAt, errorType);
    };
    response.once('finish', () => end(undefined));
    // A client that goes away before the response is complete leaves no 'finish'.
    response.once('close', () => end(response.writableFinished ? undefined : 'aborted'));
    const active = setRPCMetadata(trace.setSpan(parent, span), rpc);
    // Body parsers and frameworks continue the request from the stream's own events, which Node
    // emits from the socket's async context; binding both emitters keeps them in the span's.
    context.bind(active, request);
    context.bind(active, response);
    return () => {
      try {
        return context.with(active, handle);
      } catch (error) {
        span.recordException(error as Error);
        end((error as Error)?.constructor?.name ?? 'Error');
        throw error;
      }
    };
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
    this.duration?.record((performance.now() - startedAt) / 1000, {
      'http.request.method': method,
      'url.scheme': scheme,
      ...(status !== undefined ? { 'http.response.status_code': status } : {}),
      'network.protocol.version': request.httpVersion,
      ...(route ? { 'http.route': route } : {}),
      ...(error ? { 'error.type': error } : {}),
    });
  }
}

function requestAttributes(
  scheme: string,
  request: IncomingMessage,
  method: string,
  knownMethod: string,
  path: string,
  target: string,
  queryAt: number,
): Record<string, string | number | undefined> {
  const { headers, socket } = request;
  const host = headers.host ?? '';
  const portAt = host.lastIndexOf(':');
  const hasPort = portAt > host.lastIndexOf(']');
  return {
    'http.request.method': knownMethod,
    ...(knownMethod === method ? {} : { 'http.request.method_original': method }),
    'url.scheme': scheme,
    'url.path': path,
    ...(queryAt < 0 ? {} : { 'url.query': redactQuery(target.slice(queryAt + 1)) }),
    'server.address': hasPort ? host.slice(0, portAt) : host || undefined,
    'server.port': hasPort ? Number(host.slice(portAt + 1)) : undefined,
    'client.address': socket.remoteAddress,
    'network.peer.address': socket.remoteAddress,
    'network.peer.port': socket.remotePort,
    'network.protocol.version': request.httpVersion,
    'user_agent.original': headers['user-agent'],
  };
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

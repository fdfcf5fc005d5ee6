import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { InstrumentationName } from '../config/options.js';
import { ExpressInstrumentation } from './express-instrumentation.js';
import { HttpServerInstrumentation } from './http-server-instrumentation.js';
import { namedByStatementVerb, parentOnly, wrapTracer } from './instrumentation-tracer.js';
import { lazyRequire } from './lazy-require.js';
import { patchWinstonTransportSplat, type WinstonTransportModule } from './winston-splat.js';

/** What the instrumentations need from the rest of the SDK setup. */
export interface InstrumentationContext {
  /** Incoming requests for which no span is made (health probes). */
  ignoreIncoming: (path: string) => boolean;
  /** Outgoing requests left alone: the SDK's own exports, which would count as app traffic. */
  ignoreOutgoing: (target: OutgoingTarget) => boolean;
}

/** Where an outgoing node:http request goes, as the http instrumentation parses it. */
export interface OutgoingTarget {
  protocol?: string | null | undefined;
  hostname?: string | null | undefined;
  host?: string | null | undefined;
  port?: string | number | null | undefined;
  path?: string | null | undefined;
}

type Factory = (context: InstrumentationContext) => Instrumentation | Instrumentation[];
type ModuleOf = Record<string, new (config?: object) => Instrumentation>;

// Each package is named in a literal `lazyRequire('…')` so that the bundler
// (scripts/bundle.mjs) can include it and still load it only when called.
function load(loaded: unknown, className: string, config: object = {}): Instrumentation {
  const Instr = (loaded as ModuleOf)[className];
  if (!Instr) throw new Error(`the package has no ${className}`);
  return new Instr(config);
}

/**
 * One factory per supported instrumentation. A package is required only when its name is
 * enabled, so a service pays start-up time for what it uses and nothing else.
 */
const FACTORIES: Record<InstrumentationName, Factory> = {
  // Server spans come from otelkit's own lean hook (see http-server-instrumentation.ts); client
  // spans from upstream's instrumentation-http.
  http: ({ ignoreIncoming, ignoreOutgoing }) => [
    new HttpServerInstrumentation({ ignorePath: ignoreIncoming }),
    load(lazyRequire('@opentelemetry/instrumentation-http'), 'HttpInstrumentation', {
      disableIncomingRequestInstrumentation: true,
      ignoreOutgoingRequestHook: ignoreOutgoing,
    }),
  ],
  // otelkit's own, with upstream's spans and route rules at a lower per-request cost.
  express: () => new ExpressInstrumentation(),
  // Fastify's own instrumentation attaches through Fastify's initialization diagnostics
  // channel, so it needs no module hook at all. The server span's ignore already keeps
  // Fastify's spans out for ignored paths; its route-pattern glob OTEL_FASTIFY_IGNORE_PATHS,
  // which an ignorePaths option would override, stays the user's to set.
  fastify: ({ ignoreIncoming }) =>
    load(lazyRequire('@fastify/otel'), 'FastifyOtelInstrumentation', {
      registerOnInitialization: true,
      ...(process.env.OTEL_FASTIFY_IGNORE_PATHS
        ? {}
        : { ignorePaths: (route: { url: string }) => ignoreIncoming(route.url) }),
    }),
  // Koa's and @koa/router's middleware spans; the router's layer sets the server span's route.
  koa: () => load(lazyRequire('@opentelemetry/instrumentation-koa'), 'KoaInstrumentation'),
  // graphql 14 to 16: parse, validate and execute spans, the last named by the operation. A field
  // gets a span only when it has a resolver of its own (the default resolver's property reads
  // would make hundreds per query), one per field path of a list rather than one per item, and
  // no variable values (a user's input, often personal).
  graphql: () =>
    load(lazyRequire('@opentelemetry/instrumentation-graphql'), 'GraphQLInstrumentation', {
      ignoreTrivialResolveSpans: true,
      mergeItems: true,
      allowValues: false,
    }),
  undici: () => load(lazyRequire('@opentelemetry/instrumentation-undici'), 'UndiciInstrumentation'),
  // Log sending is on: @opentelemetry/winston-transport is a dependency, so records reach the
  // Collector exactly once, with the trace context injected into each record.
  winston: () => {
    patchWinstonTransportSplat(lazyRequire('@opentelemetry/winston-transport') as WinstonTransportModule);
    return load(lazyRequire('@opentelemetry/instrumentation-winston'), 'WinstonInstrumentation');
  },
  // Upstream's defaults are what otelkit wants: trace_id/span_id/trace_flags on each line (a
  // pino mixin), and each record sent once through a stream it adds next to the logger's own;
  // pino's numeric levels, custom ones included, become OTel severities there.
  pino: () => load(lazyRequire('@opentelemetry/instrumentation-pino'), 'PinoInstrumentation'),
  pg: () =>
    load(lazyRequire('@opentelemetry/instrumentation-pg'), 'PgInstrumentation', { requireParentSpan: true }),
  // Without maskStatement the statement is recorded with its bound values formatted in (a
  // user's email, a password hash); the hook returning the SQL as written keeps the `?`
  // placeholders instead, as pg keeps its `$1`. It has no requireParentSpan option, and names
  // a span by the text up to the first space, whatever the line breaks.
  mysql2: () =>
    wrapTracer(
      load(lazyRequire('@opentelemetry/instrumentation-mysql2'), 'MySQL2Instrumentation', {
        maskStatement: true,
        maskStatementHook: (sql: string) => sql,
      }),
      (tracer) => parentOnly(namedByStatementVerb(tracer)),
    ),
  ioredis: () =>
    load(lazyRequire('@opentelemetry/instrumentation-ioredis'), 'IORedisInstrumentation', {
      requireParentSpan: true,
    }),
  // node-redis (the `redis` package, 2.6 to 6); as for ioredis, a client's own pings and
  // reconnects outside any request make no traces of their own.
  redis: () =>
    load(lazyRequire('@opentelemetry/instrumentation-redis'), 'RedisInstrumentation', {
      requireParentSpan: true,
    }),
  // RabbitMQ: a publish is a producer span whose context travels in the message's headers, so the
  // consumer's process span (and what it does, logs included) joins the publishing request's trace.
  amqplib: () => load(lazyRequire('@opentelemetry/instrumentation-amqplib'), 'AmqplibInstrumentation'),
  // Its default monitoringPrecision (10 ms) is also the event-loop delay histogram's sampling
  // interval, and every sample includes that interval: a coarse one reads as lag (5000 ms made
  // nodejs.eventloop.delay.p99 about 5 s, and NodeEventLoopLagHigh fired on idle services).
  'runtime-node': () =>
    load(lazyRequire('@opentelemetry/instrumentation-runtime-node'), 'RuntimeNodeInstrumentation'),
};

/** Creates the enabled instrumentations; one that fails to load is reported and skipped. */
export function createInstrumentations(
  names: readonly InstrumentationName[],
  context: InstrumentationContext,
  warn: (message: string) => void,
): Instrumentation[] {
  const created: Instrumentation[] = [];
  for (const name of names) {
    try {
      created.push(...[FACTORIES[name](context)].flat());
    } catch (error) {
      warn(`otelkit: instrumentation "${name}" could not be loaded (${(error as Error).message}); skipped`);
    }
  }
  return created;
}

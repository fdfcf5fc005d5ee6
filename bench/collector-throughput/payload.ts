import { randomBytes, randomInt } from 'node:crypto';
import {
  type Attributes,
  type HrTime,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  type IdGenerator,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/** Spans in each trace of the payload (see {@link buildPayload}). */
export const SPANS_PER_TRACE = 5;

/**
 * One OTLP/HTTP protobuf export request, encoded once, that can be re-stamped with fresh trace
 * ids and current timestamps for every send without encoding again.
 */
export interface Payload {
  /** The encoded `ExportTraceServiceRequest`; copy it, then {@link Payload.stamp} the copy. */
  readonly template: Buffer;
  /** Traces in one request. */
  readonly traces: number;
  /** Spans in one request. */
  readonly spans: number;
  /** Writes unique trace ids and timestamps shifted to now into `body`, a copy of the template. */
  stamp(body: Buffer): void;
}

const NANOS_PER_MS = 1_000_000n;

function toHrTime(nanos: bigint): HrTime {
  return [Number(nanos / 1_000_000_000n), Number(nanos % 1_000_000_000n)];
}

/** Every offset at which `needle` occurs in `haystack`. */
function offsetsOf(haystack: Buffer, needle: Buffer): number[] {
  const found: number[] = [];
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) found.push(at);
  return found;
}

/**
 * Records `traces` traces of {@link SPANS_PER_TRACE} spans through the real SDK: a storefront
 * server span, an internal step, an HTTP client call to an inventory service, that service's
 * server span and its database call, across two services (two resources), with the HTTP and
 * database attributes current instrumentations emit. One trace in twenty fails (500) and one
 * is slow (1.5 s), so tail sampling has errors and latency to decide on, and span_metrics and
 * service_graph have client/server pairs to join.
 */
function recordSpans(traces: number, traceIds: readonly Buffer[], epochNanos: bigint): ReadableSpan[] {
  let nextTrace = 0;
  const ids: IdGenerator = {
    // Roots take the marker ids in order; children inherit them from their parent.
    generateTraceId: () => (traceIds[nextTrace++] ?? randomBytes(16)).toString('hex'),
    generateSpanId: () => randomBytes(8).toString('hex'),
  };
  const exporter = new InMemorySpanExporter();
  const tracerFor = (service: string, instance: string) =>
    new BasicTracerProvider({
      resource: defaultResource().merge(
        resourceFromAttributes({
          'service.name': service,
          'service.namespace': 'shop',
          'service.version': '1.4.2',
          'service.instance.id': instance,
          'deployment.environment.name': 'bench',
          'host.name': 'bench-host',
        }),
      ),
      idGenerator: ids,
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    }).getTracer('@otelkit/bench', '0.1.0');
  const storefront = tracerFor('storefront', 'storefront-7d9f');
  const inventory = tracerFor('inventory', 'inventory-5c21');

  // Each timestamp gets sub-millisecond jitter, so all of them are distinct 8-byte patterns
  // that buildPayload can find (and verify) in the encoded request.
  const at = (ms: number): HrTime =>
    toHrTime(epochNanos + BigInt(ms) * NANOS_PER_MS + BigInt(randomInt(1, 999_999)));

  for (let t = 0; t < traces; t++) {
    const failed = t % 20 === 7;
    const slow = t % 20 === 13;
    const status = failed ? 500 : 200;
    const item = 1000 + t;
    const start = t * 3;
    const total = slow ? 1500 : 40 + (t % 7) * 9;
    const server = storefront.startSpan(
      'GET /api/orders/:id',
      {
        kind: SpanKind.SERVER,
        startTime: at(start),
        attributes: {
          'http.request.method': 'GET',
          'http.route': '/api/orders/:id',
          'url.path': `/api/orders/${item}`,
          'url.scheme': 'https',
          'server.address': 'shop.example.com',
          'server.port': 443,
          'client.address': `10.0.${t % 4}.${17 + t}`,
          'network.protocol.version': '1.1',
          'user_agent.original':
            'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36',
          'http.response.status_code': status,
        } satisfies Attributes,
      },
      ROOT_CONTEXT,
    );
    const serverContext = trace.setSpan(ROOT_CONTEXT, server);
    storefront
      .startSpan(
        'orders.load',
        { kind: SpanKind.INTERNAL, startTime: at(start + 1), attributes: { 'order.items': 3 + (t % 5) } },
        serverContext,
      )
      .end(at(start + 4));
    const call = storefront.startSpan(
      'GET',
      {
        kind: SpanKind.CLIENT,
        startTime: at(start + 5),
        attributes: {
          'http.request.method': 'GET',
          'url.full': `http://inventory:8080/items/${item}?fields=stock`,
          'server.address': 'inventory',
          'server.port': 8080,
          'http.response.status_code': status,
        },
      },
      serverContext,
    );
    const callee = inventory.startSpan(
      'GET /items/:id',
      {
        kind: SpanKind.SERVER,
        startTime: at(start + 6),
        attributes: {
          'http.request.method': 'GET',
          'http.route': '/items/:id',
          'url.path': `/items/${item}`,
          'url.query': 'fields=stock',
          'url.scheme': 'http',
          'server.address': 'inventory',
          'server.port': 8080,
          'http.response.status_code': status,
        },
      },
      trace.setSpan(ROOT_CONTEXT, call),
    );
    const query = inventory.startSpan(
      'SELECT shop.items',
      {
        kind: SpanKind.CLIENT,
        startTime: at(start + 7),
        attributes: {
          'db.system.name': 'postgresql',
          'db.namespace': 'shop',
          'db.operation.name': 'SELECT',
          'db.collection.name': 'items',
          'db.query.text': 'SELECT id, sku, stock, reserved FROM items WHERE id = $1',
          'server.address': 'db',
          'server.port': 5432,
        },
      },
      trace.setSpan(ROOT_CONTEXT, callee),
    );
    if (failed) {
      query.setStatus({
        code: SpanStatusCode.ERROR,
        message: 'canceling statement due to statement timeout',
      });
      query.recordException(
        { name: 'QueryFailedError', message: 'canceling statement due to statement timeout' },
        at(start + total - 4),
      );
      for (const span of [callee, call, server]) span.setStatus({ code: SpanStatusCode.ERROR });
      callee.setAttribute('error.type', 'QueryFailedError');
      server.setAttribute('error.type', '500');
    }
    query.end(at(start + total - 4));
    callee.end(at(start + total - 3));
    call.end(at(start + total - 2));
    server.end(at(start + total));
  }
  return exporter.getFinishedSpans();
}

/**
 * Builds the request every load slot sends: `traces` traces × {@link SPANS_PER_TRACE} spans,
 * serialized once with the SDK's own OTLP protobuf serializer.
 *
 * The traces are recorded with random 16-byte marker trace ids and distinct timestamps; their
 * byte offsets in the encoded request are found once (and each must occur exactly where
 * expected), so {@link Payload.stamp} only overwrites bytes in place. That keeps the generator
 * far cheaper per span than the Collector it measures, while every request still carries traces
 * the Collector has never seen (tail sampling keeps per-trace state) with current timestamps.
 */
export function buildPayload(traces: number): Payload {
  if (!Number.isInteger(traces) || traces < 1)
    throw new Error(`traces per request must be >= 1, got ${traces}`);
  const markers = Array.from({ length: traces }, () => randomBytes(16));
  const epochNanos = BigInt(Date.now()) * NANOS_PER_MS;
  const spans = recordSpans(traces, markers, epochNanos);
  if (spans.length !== traces * SPANS_PER_TRACE) throw new Error(`recorded ${spans.length} spans`);
  const encoded = ProtobufTraceSerializer.serializeRequest(spans);
  if (!encoded) throw new Error('ProtobufTraceSerializer returned nothing');
  const template = Buffer.from(encoded);

  const traceIdOffsets = markers.map((marker) => {
    const found = offsetsOf(template, marker);
    if (found.length !== SPANS_PER_TRACE) {
      throw new Error(`trace id marker found ${found.length} times, expected ${SPANS_PER_TRACE}`);
    }
    return found;
  });

  const timestamps: { offset: number; nanos: bigint }[] = [];
  for (const span of spans) {
    for (const time of [span.startTime, span.endTime, ...span.events.map((event) => event.time)]) {
      const nanos = BigInt(time[0]) * 1_000_000_000n + BigInt(time[1]);
      const pattern = Buffer.alloc(8);
      pattern.writeBigUInt64LE(nanos);
      const found = offsetsOf(template, pattern);
      if (found.length !== 1 || found[0] === undefined) {
        throw new Error(`timestamp found ${found.length} times in the encoded request, expected once`);
      }
      timestamps.push({ offset: found[0], nanos });
    }
  }

  // High half: random per run, so ids never repeat across runs against the same Collector.
  // Low half: a counter, so they never repeat within a run.
  const runPrefix = randomBytes(8);
  let sequence = 0n;
  return {
    template,
    traces,
    spans: spans.length,
    stamp(body: Buffer): void {
      for (const offsets of traceIdOffsets) {
        sequence += 1n;
        for (const offset of offsets) {
          runPrefix.copy(body, offset);
          body.writeBigUInt64BE(sequence, offset + 8);
        }
      }
      const shift = BigInt(Date.now()) * NANOS_PER_MS - epochNanos;
      for (const { offset, nanos } of timestamps) body.writeBigUInt64LE(nanos + shift, offset);
    },
  };
}

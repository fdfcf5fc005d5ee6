import { join } from 'node:path';
import { type Attributes, type Context, ROOT_CONTEXT, type SpanContext, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  type ReadableLogRecord,
  SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leanOtlpSerializers } from '../../scripts/upstream-rewrites.mjs';
import { BundledUpstream, upstreamPackageDir } from '../testing/bundled-upstream.js';

interface Serializers {
  serializeTraceExportRequest(spans: ReadableSpan[]): Uint8Array;
  serializeLogsExportRequest(records: ReadableLogRecord[]): Uint8Array;
}

const transformerDir = upstreamPackageDir('@opentelemetry/otlp-transformer');
const bundles = new BundledUpstream();

/** Upstream's two serializers, bundled as otelkit's bundle has them, with or without the rewrite. */
function bundleSerializers(name: string, plugins: unknown[]): Promise<Serializers> {
  const protobuf = (signal: string) => join(transformerDir, 'build', 'esnext', signal, 'protobuf');
  return bundles.load<Serializers>(
    name,
    [
      `export { serializeTraceExportRequest } from ${JSON.stringify(join(protobuf('trace'), 'trace-serializer.js'))};`,
      `export { serializeLogsExportRequest } from ${JSON.stringify(join(protobuf('logs'), 'logs-serializer.js'))};`,
    ].join('\n'),
    plugins,
  );
}

/** A context whose span came from elsewhere: its IDs are encoded as given. */
function remote(traceId: string, spanId: string): Context {
  const parent: SpanContext = { traceId, spanId, traceFlags: 1, isRemote: true };
  return trace.setSpanContext(ROOT_CONTEXT, parent);
}

function spans(count: number, attributes: (i: number) => Attributes, scopes = 1): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'service.instance.id': 'a1b2' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  for (let i = 0; i < count; i++) {
    // Every other span continues a remote trace; each links to another one, in upper case
    // hex for some (decoded as upstream decodes it, whatever it makes of it).
    const server = provider.getTracer(`scope-${i % scopes}`, '1.0.0').startSpan(
      'GET /orders/:id',
      {
        kind: 1,
        attributes: attributes(i),
        links: [
          { context: { traceId: (i % 3 ? 'ab' : 'AB').repeat(16), spanId: 'cd'.repeat(8), traceFlags: 1 } },
        ],
      },
      i % 2 ? remote(`${i}`.padStart(32, '0'), '0123456789abcdef') : ROOT_CONTEXT,
    );
    server.addEvent('exception', { 'exception.message': `failed ${i}` });
    server.setStatus({ code: 2, message: 'Internal Server Error' });
    server.end();
  }
  return exporter.getFinishedSpans();
}

function logRecords(count: number, body: (i: number) => string): ReadableLogRecord[] {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout' }),
    processors: [new SimpleLogRecordProcessor(exporter)],
  });
  for (let i = 0; i < count; i++) {
    provider.getLogger('winston').emit({
      severityNumber: 9,
      severityText: 'info',
      body: body(i),
      attributes: { 'order.id': i, paid: i % 2 === 0, amount: i / 3 },
      // A record inside a span carries its IDs.
      context: i % 2 ? remote('f'.repeat(31) + (i % 10), `${i}`.padStart(16, '0')) : ROOT_CONTEXT,
    });
  }
  return exporter.getFinishedLogRecords();
}

describe("the bundle's OTLP serializers, one pass and no array per ID (scripts/upstream-rewrites.mjs)", () => {
  let upstream: Serializers;
  let lean: Serializers;

  beforeAll(async () => {
    upstream = await bundleSerializers('upstream', []);
    lean = await bundleSerializers('lean', [leanOtlpSerializers]);
  });
  afterAll(() => bundles.dispose());

  it('writes the same bytes as upstream, whether the size hint is short, right or far too large', () => {
    const http = (i: number): Attributes => ({
      'http.request.method': 'GET',
      'url.path': `/orders/${i}`,
      'server.port': 8080,
      'http.response.status_code': 500,
    });
    const batches: ReadableSpan[][] = [
      // The first request starts at 64 KiB: 512 such spans need more, so the writer grows.
      spans(512, http),
      spans(512, http, 3),
      // Non-ASCII text, a 100 KB value and an array: far past the hint the batches before it gave.
      spans(3, (i) => ({ 'db.query.text': 'é'.repeat(50_000), tags: ['a', 'ü'], 'retry.count': i })),
      // One span after large ones: the buffer is too large, and only the written part is sent.
      spans(1, http),
    ];
    for (const batch of batches) {
      const expected = upstream.serializeTraceExportRequest(batch);
      const written = lean.serializeTraceExportRequest(batch);
      expect(written.length).toBe(expected.length);
      expect(Buffer.from(written).equals(Buffer.from(expected))).toBe(true);
    }
  });

  it('writes the same log requests as upstream', () => {
    const batches = [
      logRecords(512, (i) => `order ${i} paid`),
      logRecords(2, () => `naïve ${'x'.repeat(20_000)}`),
      logRecords(1, () => 'done'),
    ];
    for (const batch of batches) {
      const expected = upstream.serializeLogsExportRequest(batch);
      expect(Buffer.from(lean.serializeLogsExportRequest(batch)).equals(Buffer.from(expected))).toBe(true);
    }
  });
});

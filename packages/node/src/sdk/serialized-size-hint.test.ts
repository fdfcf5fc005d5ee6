import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Attributes } from '@opentelemetry/api';
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
import { build, type Plugin } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a build script without types (test files are not type-checked by tsc -b)
import { onePassOtlpSerialization } from '../../scripts/upstream-rewrites.mjs';
import { SerializedSizeHint } from './serialized-size-hint.js';

describe('SerializedSizeHint', () => {
  it('starts at 64 KiB, then sizes a request by the bytes per item of the last one', () => {
    const hint = new SerializedSizeHint();
    expect(hint.capacity(512)).toBe(65_536);
    expect(hint.record(new Uint8Array(400), 2)).toHaveLength(400);
    // 200 bytes per item, a quarter more, and the resource and scope.
    expect(hint.capacity(10)).toBe(200 * 10 * 1.25 + 1024);
    expect(hint.capacity(1)).toBe(250 + 1024);
  });

  it('learns nothing from a request without items', () => {
    const hint = new SerializedSizeHint();
    hint.record(new Uint8Array(300), 3);
    hint.record(new Uint8Array(50), 0);
    expect(hint.capacity(4)).toBe(100 * 4 * 1.25 + 1024);
  });
});

interface Serializers {
  serializeTraceExportRequest(spans: ReadableSpan[]): Uint8Array;
  serializeLogsExportRequest(records: ReadableLogRecord[]): Uint8Array;
}

const packageDir = join(import.meta.dirname, '..', '..');
const transformerDir = dirname(
  createRequire(join(packageDir, 'package.json')).resolve('@opentelemetry/otlp-transformer/package.json'),
);
const outDir = mkdtempSync(join(tmpdir(), 'otelkit-serializers-'));

/** Upstream's two serializers, bundled as otelkit's bundle has them, with or without the rewrite. */
async function bundleSerializers(name: string, plugins: Plugin[]): Promise<Serializers> {
  const protobuf = (signal: string) => join(transformerDir, 'build', 'esnext', signal, 'protobuf');
  const result = await build({
    stdin: {
      contents: [
        `export { serializeTraceExportRequest } from ${JSON.stringify(join(protobuf('trace'), 'trace-serializer.js'))};`,
        `export { serializeLogsExportRequest } from ${JSON.stringify(join(protobuf('logs'), 'logs-serializer.js'))};`,
      ].join('\n'),
      resolveDir: packageDir,
      loader: 'js',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    logLevel: 'silent',
    plugins,
  });
  const file = join(outDir, `${name}.mjs`);
  writeFileSync(file, result.outputFiles[0].text);
  return (await import(pathToFileURL(file).href)) as Serializers;
}

function spans(count: number, attributes: (i: number) => Attributes, scopes = 1): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'service.instance.id': 'a1b2' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  for (let i = 0; i < count; i++) {
    const server = provider.getTracer(`scope-${i % scopes}`, '1.0.0').startSpan('GET /orders/:id', {
      kind: 1,
      attributes: attributes(i),
    });
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
    });
  }
  return exporter.getFinishedLogRecords();
}

describe("the bundle's one-pass OTLP serialization (scripts/upstream-rewrites.mjs)", () => {
  let upstream: Serializers;
  let onePass: Serializers;

  beforeAll(async () => {
    upstream = await bundleSerializers('upstream', []);
    onePass = await bundleSerializers('one-pass', [onePassOtlpSerialization as Plugin]);
  });
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

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
      const written = onePass.serializeTraceExportRequest(batch);
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
      expect(Buffer.from(onePass.serializeLogsExportRequest(batch)).equals(Buffer.from(expected))).toBe(true);
    }
  });
});

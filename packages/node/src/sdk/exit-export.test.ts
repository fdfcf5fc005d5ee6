import { gunzipSync } from 'node:zlib';
import { SpanKind } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import {
  AlwaysOffSampler,
  BasicTracerProvider,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import type { BatchOptions, SignalOptions } from '../config/options.js';
import { type ReceiverProcess, startReceiverProcess } from '../testing/receiver-process.js';
import { watchDroppedItems } from './dropped-items.js';
import { ExitExport, UNFINISHED_ERROR_TYPE } from './exit-export.js';

/** An exporter whose exports stay unanswered until the test answers them. */
class HeldExporter implements SpanExporter {
  readonly batches: { items: unknown[]; answer: (result: ExportResult) => void }[] = [];
  export(items: ReadableSpan[], answer: (result: ExportResult) => void): void {
    this.batches.push({ items, answer });
  }
  shutdown = async () => {};
  forceFlush = async () => {};
}

const HELD: BatchOptions = {
  scheduledDelayMillis: 60_000,
  exportTimeoutMillis: 30_000,
  maxQueueSize: 100,
  maxExportBatchSize: 2,
};

let receiver: ReceiverProcess;

afterEach(async () => {
  await receiver?.stop();
});

function signalOptions(path: string, overrides: Partial<SignalOptions> = {}): SignalOptions {
  return {
    exporters: ['otlp'],
    endpoint: `${receiver.url}${path}`,
    protocol: 'http/json',
    headers: { 'x-api-key': 'k' },
    timeoutMs: 10_000,
    compression: 'none',
    tls: {},
    ...overrides,
  };
}

interface JsonSpans {
  resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[];
}
const spanNames = (body: Buffer) =>
  (JSON.parse(body.toString()) as JsonSpans).resourceSpans
    .flatMap((r) => r.scopeSpans)
    .flatMap((s) => s.spans.map((span) => span.name))
    .sort();

/** The processors' meters as start() gives them: a full queue's drops reach `exitExport`. */
const dropWatch = (exitExport: ExitExport) =>
  watchDroppedItems(undefined, (_signal, count) => exitExport.droppedItems(count));

/**
 * A tracer provider whose spans go through `exitExport` to a {@link HeldExporter}; `watched`
 * says whether `exitExport` hears of the processor's drops.
 */
function tracing(exitExport: ExitExport, batch = HELD, sampled = true, watched = true) {
  const inner = new HeldExporter();
  const exporter = exitExport.spanExporter(inner, signalOptions('/v1/traces'));
  const meters = watched ? dropWatch(exitExport) : undefined;
  const provider = new BasicTracerProvider({
    spanProcessors: [exitExport.spanProcessor(exporter, batch, meters)],
    ...(sampled ? {} : { sampler: new AlwaysOffSampler() }),
  });
  const tracer = provider.getTracer('test');
  return { inner, tracer, end: (name: string) => tracer.startSpan(name).end() };
}

interface JsonSpan {
  name: string;
  status?: { code?: number; message?: string };
  attributes?: { key: string; value: { stringValue?: string } }[];
}
const jsonSpans = (body: Buffer): JsonSpan[] =>
  (JSON.parse(body.toString()) as { resourceSpans: { scopeSpans: { spans: JsonSpan[] }[] }[] }).resourceSpans
    .flatMap((r) => r.scopeSpans)
    .flatMap((s) => s.spans);

describe('ExitExport', () => {
  it('sends at exit what the processor holds and what is on its way, not what was answered', async () => {
    receiver = await startReceiverProcess(200);
    const exitExport = new ExitExport();
    const { inner, end } = tracing(exitExport);
    // Batches of two: the first is answered (a refusal after retries counts too), the second not.
    end('answered-1');
    end('answered-2');
    inner.batches[0]?.answer({ code: ExportResultCode.FAILED });
    await new Promise((resolve) => setImmediate(resolve));
    end('on-its-way-1');
    end('on-its-way-2');
    end('buffered');
    expect(inner.batches.map((b) => b.items.length)).toEqual([2, 2]);

    expect(exitExport.sendAtExit(5000)).toEqual({ items: 3, outcome: 'sent' });
    const [request] = await receiver.requests(1);
    expect(request?.url).toBe('/v1/traces');
    expect(request?.headers).toMatchObject({ 'content-type': 'application/json', 'x-api-key': 'k' });
    expect(spanNames(request?.body ?? Buffer.alloc(0))).toEqual(['buffered', 'on-its-way-1', 'on-its-way-2']);
  });

  it('sends log records, gzipped when the signal is, alongside spans', async () => {
    receiver = await startReceiverProcess(200);
    const exitExport = new ExitExport();
    tracing(exitExport).end('last-span');
    const logExporter = exitExport.logExporter(
      { export: () => {}, shutdown: async () => {}, forceFlush: async () => {} },
      signalOptions('/v1/logs', { compression: 'gzip', protocol: 'http/protobuf' }),
    );
    const logs = new LoggerProvider({ processors: [exitExport.logProcessor(logExporter, HELD)] });
    logs.getLogger('test').emit({ body: 'the last words' });

    expect(exitExport.sendAtExit(5000)).toEqual({ items: 2, outcome: 'sent' });
    const requests = await receiver.requests(2);
    const logRequest = requests.find((r) => r.url === '/v1/logs');
    expect(logRequest?.headers).toMatchObject({
      'content-type': 'application/x-protobuf',
      'content-encoding': 'gzip',
    });
    expect(gunzipSync(logRequest?.body ?? Buffer.alloc(0)).toString('latin1')).toContain('the last words');
    expect(spanNames(requests.find((r) => r.url === '/v1/traces')?.body ?? Buffer.alloc(0))).toEqual([
      'last-span',
    ]);
  });

  it('ends the spans the exit cuts short, requests and messages as errors saying why, and sends them once', async () => {
    receiver = await startReceiverProcess(200);
    const exitExport = new ExitExport();
    const { tracer } = tracing(exitExport);
    tracer.startSpan('finished').end();
    const inFlight = tracer.startSpan('in-flight', { kind: SpanKind.SERVER });
    tracer.startSpan('typed', { kind: SpanKind.CONSUMER, attributes: { 'error.type': 'timeout' } });
    // A CLI's span around its work, which calls process.exit(0) inside it: no error.
    tracer.startSpan('main');

    expect(exitExport.sendAtExit(5000, 'the process was ended by SIGTERM before this span ended')).toEqual({
      items: 4,
      outcome: 'sent',
    });
    expect(inFlight.isRecording()).toBe(false);
    const [request] = await receiver.requests(1);
    const spans = jsonSpans(request?.body ?? Buffer.alloc(0));
    const errorType = (span: JsonSpan | undefined) =>
      span?.attributes?.find((a) => a.key === 'error.type')?.value.stringValue;
    const byName = (name: string) => spans.find((span) => span.name === name);
    // OTLP/JSON status codes: 0 unset, 2 error.
    expect(byName('finished')?.status?.code ?? 0).toBe(0);
    expect(byName('in-flight')?.status).toEqual({
      code: 2,
      message: 'the process was ended by SIGTERM before this span ended',
    });
    expect(errorType(byName('in-flight'))).toBe(UNFINISHED_ERROR_TYPE);
    // An error type the span already has is kept.
    expect(errorType(byName('typed'))).toBe('timeout');
    expect(byName('typed')?.status?.code).toBe(2);
    expect(byName('main')?.status?.code ?? 0).toBe(0);
    expect(errorType(byName('main'))).toBeUndefined();
    // A second send on the way out (a signal's, then an 'exit' event) has nothing left to send.
    expect(exitExport.sendAtExit(5000)).toEqual({ items: 0, outcome: undefined });
  });

  it('keeps track of at most a full buffer of open spans, the newest', async () => {
    receiver = await startReceiverProcess(200);
    const exitExport = new ExitExport();
    const { tracer } = tracing(exitExport, { ...HELD, maxQueueSize: 2 });
    // Spans the application never ends must not pile up.
    for (const name of ['leaked-1', 'leaked-2', 'open-1', 'open-2']) tracer.startSpan(name);
    expect(exitExport.sendAtExit(5000)).toMatchObject({ items: 2 });
    const [request] = await receiver.requests(1);
    expect(spanNames(request?.body ?? Buffer.alloc(0))).toEqual(['open-1', 'open-2']);
  });

  it('of thousands of spans answered as they go, sends the few left open', async () => {
    receiver = await startReceiverProcess(200);
    const exitExport = new ExitExport();
    const { inner, tracer, end } = tracing(exitExport);
    const open: string[] = [];
    for (let i = 0; i < 3000; i++) {
      // Answered as soon as the processor exports them, so nothing finished is left to send.
      for (const batch of inner.batches.splice(0)) batch.answer({ code: ExportResultCode.SUCCESS });
      if (i % 1000 === 500) {
        tracer.startSpan(`open-${i}`);
        open.push(`open-${i}`);
      } else {
        end(`done-${i}`);
      }
      await Promise.resolve();
    }
    for (const batch of inner.batches.splice(0)) batch.answer({ code: ExportResultCode.SUCCESS });
    await new Promise((resolve) => setImmediate(resolve));
    const { items } = exitExport.sendAtExit(5000);
    const [request] = await receiver.requests(1);
    const sent = spanNames(request?.body ?? Buffer.alloc(0));
    // At most the last batch the processor had not yet exported, besides the open ones.
    expect(sent.filter((name) => name.startsWith('open-'))).toEqual(open.sort());
    expect(sent.filter((name) => name.startsWith('done-')).length).toBeLessThanOrEqual(
      HELD.maxExportBatchSize,
    );
    expect(items).toBe(sent.length);
  });

  it('lets go of a batch on its way wherever it sat among the held items', async () => {
    receiver = await startReceiverProcess(200);
    const exitExport = new ExitExport();
    const inner = new HeldExporter();
    const exporter = exitExport.spanExporter(inner, signalOptions('/v1/traces'));
    const provider = new BasicTracerProvider({ spanProcessors: [exitExport.spanProcessor(exporter, HELD)] });
    const tracer = provider.getTracer('test');
    const spans = ['a', 'b', 'c', 'd'].map((name) => tracer.startSpan(name));
    for (const span of spans) span.end();
    // a and b went out as the processor's first batch and wait; c and d are in its buffer. An
    // export of d alone, not the oldest held, is answered.
    exporter.export([spans[3] as unknown as ReadableSpan], () => {});
    inner.batches.at(-1)?.answer({ code: ExportResultCode.SUCCESS });
    expect(exitExport.sendAtExit(5000)).toEqual({ items: 3, outcome: 'sent' });
    const [request] = await receiver.requests(1);
    expect(spanNames(request?.body ?? Buffer.alloc(0))).toEqual(['a', 'b', 'c']);
  });

  it('holds no unsampled span, and sends nothing when nothing is left', async () => {
    receiver = await startReceiverProcess(200);
    const exitExport = new ExitExport();
    tracing(exitExport, HELD, false).end('unsampled');
    expect(exitExport.sendAtExit(5000)).toEqual({ items: 0, outcome: undefined });
  });

  it('holds what the processor holds and what is on its way, not what its full queue dropped', async () => {
    receiver = await startReceiverProcess(200);
    const exitExport = new ExitExport();
    // s1 goes out and is never answered, s2 and s3 fill the queue, s4 and s5 are dropped.
    const { end } = tracing(exitExport, { ...HELD, maxQueueSize: 2, maxExportBatchSize: 1 });
    for (const name of ['s1', 's2', 's3', 's4', 's5']) end(name);
    expect(exitExport.sendAtExit(5000)).toMatchObject({ items: 3 });
    const [request] = await receiver.requests(1);
    expect(spanNames(request?.body ?? Buffer.alloc(0))).toEqual(['s1', 's2', 's3']);
  });

  it('drops log records from what it sends at exit when the full queue drops them', async () => {
    receiver = await startReceiverProcess(200);
    const exitExport = new ExitExport();
    const exporter = exitExport.logExporter(
      { export: () => {}, shutdown: async () => {}, forceFlush: async () => {} },
      signalOptions('/v1/logs'),
    );
    const batch = { ...HELD, maxQueueSize: 2, maxExportBatchSize: 1 };
    const logs = new LoggerProvider({
      processors: [exitExport.logProcessor(exporter, batch, dropWatch(exitExport))],
    });
    for (const body of ['l1', 'l2', 'l3', 'l4', 'l5']) logs.getLogger('test').emit({ body });
    expect(exitExport.sendAtExit(5000)).toMatchObject({ items: 3 });
    const [request] = await receiver.requests(1);
    const sent = request?.body.toString() ?? '';
    for (const body of ['l1', 'l2', 'l3']) expect(sent).toContain(`"${body}"`);
    for (const body of ['l4', 'l5']) expect(sent).not.toContain(`"${body}"`);
  });

  it('without word of the drops, holds at most a full buffer and a batch, the newest', async () => {
    receiver = await startReceiverProcess(200);
    const exitExport = new ExitExport();
    const { end } = tracing(exitExport, { ...HELD, maxQueueSize: 2, maxExportBatchSize: 1 }, true, false);
    for (const name of ['s1', 's2', 's3', 's4', 's5']) end(name);
    expect(exitExport.sendAtExit(5000)).toMatchObject({ items: 3 });
    const [request] = await receiver.requests(1);
    expect(spanNames(request?.body ?? Buffer.alloc(0))).toEqual(['s3', 's4', 's5']);
  });

  it('past its bound, forgets only as many of a batch on its way as it must', async () => {
    receiver = await startReceiverProcess(200);
    const exitExport = new ExitExport();
    // s1 and s2 go out and wait; s3 to s5 fill the queue; s6 is dropped, unknown to the tracking.
    const batch = { ...HELD, maxQueueSize: 3, maxExportBatchSize: 2 };
    const { end } = tracing(exitExport, batch, true, false);
    for (const name of ['s1', 's2', 's3', 's4', 's5', 's6']) end(name);
    expect(exitExport.sendAtExit(5000)).toMatchObject({ items: 5 });
    const [request] = await receiver.requests(1);
    expect(spanNames(request?.body ?? Buffer.alloc(0))).toEqual(['s2', 's3', 's4', 's5', 's6']);
  });

  it('sends nothing once abandoned: a flush found the Collector unreachable', async () => {
    receiver = await startReceiverProcess(200);
    const exitExport = new ExitExport();
    tracing(exitExport).end('given-up');
    exitExport.abandon();
    expect(exitExport.sendAtExit(5000)).toEqual({ items: 0, outcome: undefined });
  });

  it('leaves gRPC exporters alone', async () => {
    receiver = await startReceiverProcess(200);
    const exitExport = new ExitExport();
    const inner = new HeldExporter();
    expect(exitExport.spanExporter(inner, signalOptions('', { protocol: 'grpc' }))).toBe(inner);
  });
});

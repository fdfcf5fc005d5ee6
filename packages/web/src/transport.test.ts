import { createRequire } from 'node:module';
import { ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { WEB_VITALS_SCOPE } from '@otelkit/conventions';
import { describe, expect, it, vi } from 'vitest';
import { ResilientExporter } from './transport.js';

// The exporter's own serializer, to measure requests as the browser sends them. It is a dependency
// of the OTLP exporter only, so it is reached from there.
const require = createRequire(
  createRequire(import.meta.url).resolve('@opentelemetry/exporter-trace-otlp-http'),
);
const { JsonTraceSerializer } = require('@opentelemetry/otlp-transformer') as {
  JsonTraceSerializer: { serializeRequest(spans: ReadableSpan[]): Uint8Array };
};
const bytesOf = (spans: ReadableSpan[]) => JsonTraceSerializer.serializeRequest(spans).byteLength;
/** What Chromium lets all pending keepalive requests of a page carry together, less headers. */
const KEEPALIVE_BUDGET = 60 * 1024;

/** An OTLP exporter stand-in that records each request and answers when the test says so. */
function fakeCollector() {
  const requests: { spans: ReadableSpan[]; answer: () => void }[] = [];
  const inner: SpanExporter = {
    export: (spans: ReadableSpan[], done: (result: ExportResult) => void) => {
      requests.push({ spans, answer: () => done({ code: 0 }) });
    },
    shutdown: () => Promise.resolve(),
  };
  return { inner, requests };
}

/** A page's exporter on `inner`, with a batch processor that sends only when flushed. */
function pageExporter(inner: SpanExporter, maxBufferedSpans = 100) {
  const exporter = new ResilientExporter(inner, {
    url: 'https://otel.example.com/v1/traces',
    maxBufferedSpans,
  });
  const provider = new BasicTracerProvider({
    spanProcessors: [
      new BatchSpanProcessor(exporter, { maxExportBatchSize: 256, scheduledDelayMillis: 60_000 }),
    ],
  });
  return { exporter, provider, tracer: provider.getTracer('@otelkit/web') };
}

/**
 * A page view on a busy page: 150 spans of the app's (about 128 KB as one request) have ended
 * under it, held by a batch processor in front of the exporter on a fake Collector.
 */
function busyPage(maxBufferedSpans = 1000) {
  const collector = fakeCollector();
  const { exporter, provider, tracer } = pageExporter(collector.inner, maxBufferedSpans);
  const view = tracer.startSpan('page view', {}, ROOT_CONTEXT);
  const page = trace.setSpan(ROOT_CONTEXT, view);
  for (let i = 0; i < 150; i++) {
    tracer.startSpan(`late-${i}`, { attributes: { 'app.detail': 'y'.repeat(300) } }, page).end();
  }
  return { collector, exporter, provider, tracer, view, page };
}

describe('sending at page hide', () => {
  it('sends page view, vitals and errors first, in requests the browser keeps alive through unload', async () => {
    const { collector, exporter, provider, tracer, view, page } = busyPage();
    // Spans the size estimate could get wrong: many small attributes, non-ASCII text, events.
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`app.n${i}`, i]));
    tracer.startSpan('many', { attributes: many }, page).end();
    tracer.startSpan('text', { attributes: { 'app.note': 'é€😀'.repeat(200) } }, page).end();
    const evented = tracer.startSpan('evented', {}, page);
    for (let i = 0; i < 30; i++) evented.addEvent(`step ${i}`, { 'app.i': i });
    evented.end();
    const error = tracer.startSpan('exception', {}, page);
    error.setStatus({ code: SpanStatusCode.ERROR, message: 'cart has no items' });
    error.end();
    provider.getTracer(WEB_VITALS_SCOPE).startSpan('CLS', {}, page).end();
    view.end();

    await exporter.flushOnHide(() => provider.forceFlush());
    // Only requests started now get out of an unloading page, and only those the exporter can
    // give keepalive: in order, while the pending bodies fit the budget.
    const atHide = [...collector.requests];
    const keptAlive: string[] = [];
    let pending = 0;
    for (const request of atHide) {
      pending += bytesOf(request.spans);
      if (pending <= KEEPALIVE_BUDGET) keptAlive.push(...request.spans.map((s) => s.name));
    }
    expect(keptAlive).toEqual(expect.arrayContaining(['exception', 'CLS', 'page view', 'late-0']));
    expect(atHide.length).toBeLessThanOrEqual(16);
    expect(atHide[0]?.spans.map((s) => s.name).slice(0, 3)).toEqual(['exception', 'CLS', 'page view']);
    // A page that lives on (a tab switch) sends the rest as the first requests complete.
    for (let i = 0; i < collector.requests.length; i++) {
      // The size estimate is an upper bound: no request is over the 16 KiB it aims at.
      expect(bytesOf(collector.requests[i]?.spans ?? [])).toBeLessThanOrEqual(16 * 1024);
      collector.requests[i]?.answer();
    }
    const names = collector.requests.flatMap((r) => r.spans.map((s) => s.name));
    expect(names).toHaveLength(156);
    expect(new Set(names).size).toBe(156);
    expect(exporter.stats().sent).toBe(156);
  });
});

describe('leaving a visible page: pagehide, then visibilitychange in the same task', () => {
  it('keeps the final CLS/INP of the second flush inside the keepalive budget on a busy page', async () => {
    const { collector, exporter, provider, view, page } = busyPage();
    provider.getTracer(WEB_VITALS_SCOPE).startSpan('LCP', {}, page).end();
    view.end();
    // pagehide: the page view and what is final go; the app's spans wait for visibilitychange.
    await exporter.flushOnHide(() => provider.forceFlush(), { urgentOnly: true });
    expect(collector.requests.flatMap((r) => r.spans.map((s) => s.name))).toEqual(['LCP', 'page view']);
    // visibilitychange: web-vitals has reported the final INP; it goes first, then the rest.
    provider.getTracer(WEB_VITALS_SCOPE).startSpan('INP', {}, page).end();
    await exporter.flushOnHide(() => provider.forceFlush());
    // Nothing has completed yet (one unload task): the budget counts every request so far.
    const keptAlive: string[] = [];
    let pending = 0;
    for (const request of collector.requests) {
      pending += bytesOf(request.spans);
      if (pending <= KEEPALIVE_BUDGET) keptAlive.push(...request.spans.map((s) => s.name));
    }
    expect(keptAlive).toEqual(expect.arrayContaining(['page view', 'LCP', 'INP', 'late-0']));
    expect(collector.requests[1]?.spans[0]?.name).toBe('INP');
    // The page lived on after all (a tab switch): the rest follows as requests complete.
    for (let i = 0; i < collector.requests.length; i++) collector.requests[i]?.answer();
    const names = collector.requests.flatMap((r) => r.spans.map((s) => s.name));
    expect(new Set(names).size).toBe(153);
    expect(names).toHaveLength(153);
    expect(exporter.stats()).toMatchObject({ buffered: 0 });
  });

  it('holds back at most one flush over the cap when the full hide never comes', async () => {
    // The Collector refuses the page, so nothing drains or retries the buffer.
    const inner: SpanExporter = {
      export: (_spans, done) => done({ code: 1, error: new Error('non-retryable status 403') }),
      shutdown: () => Promise.resolve(),
    };
    const { exporter, provider, tracer } = pageExporter(inner);
    for (let round = 0; round < 5; round++) {
      const view = tracer.startSpan('page view', {}, ROOT_CONTEXT);
      const page = trace.setSpan(ROOT_CONTEXT, view);
      for (let i = 0; i < 150; i++) tracer.startSpan(`late-${i}`, {}, page).end();
      view.end();
      await exporter.flushOnHide(() => provider.forceFlush(), { urgentOnly: true });
    }
    expect(exporter.stats()).toMatchObject({ state: 'refused', buffered: 250, dropped: 500 });
  });

  it('holds back more than an outage may buffer, and sends it all at the next hide', async () => {
    const { collector, exporter, provider, view } = busyPage(100);
    view.end();
    await exporter.flushOnHide(() => provider.forceFlush(), { urgentOnly: true });
    expect(collector.requests.flatMap((r) => r.spans.map((s) => s.name))).toEqual(['page view']);
    expect(exporter.stats()).toMatchObject({ buffered: 150, dropped: 0 });
    await exporter.flushOnHide(() => provider.forceFlush());
    const names = collector.requests.slice(1).flatMap((r) => r.spans.map((s) => s.name));
    expect(names).toHaveLength(150);
    expect(new Set(names).size).toBe(150);
    expect(exporter.stats()).toMatchObject({ buffered: 0, dropped: 0 });
  });
});

describe('sending at page hide after an outage', () => {
  it('tries the Collector at hide even while it is down, with what the outage buffered', async () => {
    const requests: { names: string[]; done: (result: ExportResult) => void }[] = [];
    const inner: SpanExporter = {
      export: (spans, done) => requests.push({ names: spans.map((s) => s.name), done }),
      shutdown: () => Promise.resolve(),
    };
    const { exporter, provider, tracer } = pageExporter(inner);
    try {
      tracer.startSpan('during outage').end();
      const flushed = provider.forceFlush();
      await new Promise((resolve) => setTimeout(resolve, 0));
      // The Collector answers 503: the span is buffered and the exporter is down.
      requests[0]?.done({ code: 1, error: Object.assign(new Error('Service Unavailable'), { code: 503 }) });
      await flushed;
      expect(exporter.stats()).toMatchObject({ state: 'down', buffered: 1 });

      tracer.startSpan('exception').end();
      await exporter.flushOnHide(() => provider.forceFlush());
      expect(requests.slice(1).flatMap((r) => r.names)).toEqual(['exception', 'during outage']);
      requests[1]?.done({ code: 0 });
      expect(exporter.stats()).toMatchObject({ state: 'up', sent: 2, buffered: 0 });
    } finally {
      await exporter.shutdown();
    }
  });
});

describe('stats while the Collector is down', () => {
  it('counts the retry batch on its way as buffered', async () => {
    vi.useFakeTimers();
    const requests: ((result: ExportResult) => void)[] = [];
    const inner: SpanExporter = {
      export: (_spans, done) => requests.push(done),
      shutdown: () => Promise.resolve(),
    };
    const exporter = new ResilientExporter(inner, {
      url: 'https://otel.example.com/v1/traces',
      maxBufferedSpans: 100,
    });
    const span = new BasicTracerProvider().getTracer('t').startSpan('s') as unknown as ReadableSpan;
    try {
      exporter.export([span], () => {});
      requests[0]?.({ code: 1, error: Object.assign(new Error('Service Unavailable'), { code: 503 }) });
      await vi.advanceTimersByTimeAsync(0);
      expect(exporter.stats()).toMatchObject({ state: 'down', buffered: 1 });
      await vi.advanceTimersByTimeAsync(60_000);
      expect(requests).toHaveLength(2);
      expect(exporter.stats()).toMatchObject({ state: 'down', buffered: 1, sent: 0 });
      requests[1]?.({ code: 0 });
      expect(exporter.stats()).toMatchObject({ state: 'up', buffered: 0, sent: 1 });
    } finally {
      await exporter.shutdown();
      vi.useRealTimers();
    }
  });

  it('retries a drain whose export throws, as one that fails', async () => {
    vi.useFakeTimers();
    const requests: ((result: ExportResult) => void)[] = [];
    let throwing = false;
    const inner: SpanExporter = {
      export: (_spans, done) => {
        if (throwing) throw new Error('exporter broke');
        requests.push(done);
      },
      shutdown: () => Promise.resolve(),
    };
    const exporter = new ResilientExporter(inner, {
      url: 'https://otel.example.com/v1/traces',
      maxBufferedSpans: 100,
    });
    const tracer = new BasicTracerProvider().getTracer('t');
    const view = tracer.startSpan('page view', {}, ROOT_CONTEXT);
    const child = tracer.startSpan('app', {}, trace.setSpan(ROOT_CONTEXT, view));
    child.end();
    view.end();
    try {
      // Held back at pagehide; the page lives on, so they are drained once the Collector answers.
      await exporter.flushOnHide(
        async () => exporter.export([view, child] as unknown as ReadableSpan[], () => {}),
        { urgentOnly: true },
      );
      expect(exporter.stats()).toMatchObject({ state: 'up', buffered: 1 });
      throwing = true;
      requests[0]?.({ code: 0 });
      expect(exporter.stats()).toMatchObject({ state: 'down', buffered: 1 });
      throwing = false;
      await vi.advanceTimersByTimeAsync(60_000);
      requests[1]?.({ code: 0 });
      expect(exporter.stats()).toMatchObject({ state: 'up', buffered: 0, sent: 2 });
    } finally {
      await exporter.shutdown();
      vi.useRealTimers();
    }
  });
});

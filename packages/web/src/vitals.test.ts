import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { WebVitalAttributes } from '@otelkit/conventions';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AnyMetric } from './vitals.js';

// web-vitals needs a browser; its callbacks are captured so the test can play the library's part.
const callbacks = vi.hoisted(() => new Map<string, (metric: unknown) => void>());
vi.mock('web-vitals/attribution', () => {
  const on = (name: string) => (callback: (metric: unknown) => void) => callbacks.set(name, callback);
  return { onCLS: on('CLS'), onFCP: on('FCP'), onINP: on('INP'), onLCP: on('LCP'), onTTFB: on('TTFB') };
});
const { Vitals } = await import('./vitals.js');

function cls(value: number): AnyMetric {
  return {
    name: 'CLS',
    id: 'v5-cls-1',
    value,
    delta: value,
    rating: 'good',
    navigationType: 'navigate',
    entries: [],
    attribution: { largestShiftTarget: '#promo', loadState: 'complete' },
  } as unknown as AnyMetric;
}

/** Vitals of a page load at `/`, sent to an in-memory exporter as their spans end. */
function startVitals() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const load = { page: '/', parent: ROOT_CONTEXT };
  const vitals = new Vitals(
    provider.getTracer('vitals'),
    () => load,
    () => load,
  );
  vitals.start();
  return { exporter, vitals };
}

describe('Core Web Vitals', () => {
  it('re-sends CLS/INP whose value grew after the first hide, with the same id; unchanged ones once', () => {
    const { exporter, vitals } = startVitals();
    const report = callbacks.get('CLS') as (metric: AnyMetric) => void;
    // web-vitals reports the same metric object, its value updated, as it grows.
    const metric = cls(0.02);
    report(metric);
    vitals.flush(); // first hide
    vitals.flush(); // nothing new
    Object.assign(metric, { value: 0.31, delta: 0.29, rating: 'poor' });
    report(metric);
    vitals.flush(); // the user came back, the layout shifted badly, hidden again
    vitals.flush();
    const sent = exporter
      .getFinishedSpans()
      .map((s) => [
        s.attributes[WebVitalAttributes.id],
        s.attributes[WebVitalAttributes.value],
        s.attributes[WebVitalAttributes.rating],
      ]);
    expect(sent).toEqual([
      ['v5-cls-1', 0.02, 'good'],
      ['v5-cls-1', 0.31, 'poor'],
    ]);
  });
});

describe('back/forward cache', () => {
  it("vitals of a restore belong to the restored page view, the load's to the load's", () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const tracer = provider.getTracer('vitals');
    const loadView = tracer.startSpan('page view');
    let restoreView = loadView;
    let restorePage = '/';
    const vitals = new Vitals(
      tracer,
      () => ({ page: '/', parent: trace.setSpan(ROOT_CONTEXT, loadView) }),
      () => ({ page: restorePage, parent: trace.setSpan(ROOT_CONTEXT, restoreView) }),
    );
    vitals.start();
    const report = callbacks.get('LCP') as (metric: AnyMetric) => void;
    const lcp = (id: string, navigationType: string) =>
      ({
        name: 'LCP',
        id,
        value: 900,
        delta: 900,
        rating: 'good',
        navigationType,
        entries: [],
        attribution: {},
      }) as unknown as AnyMetric;
    report(lcp('v5-lcp-1', 'navigate'));
    // The user went on to /product/42, then away and back: the page comes out of the cache.
    loadView.end();
    restoreView = tracer.startSpan('page view');
    restorePage = '/product/42';
    report(lcp('v5-lcp-2', 'back-forward-cache'));
    const [atLoad, atRestore] = exporter.getFinishedSpans().filter((s) => s.name === 'LCP');
    expect(atLoad?.attributes[WebVitalAttributes.page]).toBe('/');
    expect(atLoad?.parentSpanContext?.spanId).toBe(loadView.spanContext().spanId);
    expect(atRestore?.attributes[WebVitalAttributes.page]).toBe('/product/42');
    expect(atRestore?.parentSpanContext?.spanId).toBe(restoreView.spanContext().spanId);
    expect(atRestore?.spanContext().traceId).toBe(restoreView.spanContext().traceId);
  });
});

describe('place on the page-load timeline', () => {
  /** Epoch ms of an OTel time. */
  const ms = ([seconds, nanos]: [number, number]) => seconds * 1000 + nanos / 1e6;
  /** Epoch ms of a performance-timeline time, as document load's spans convert it. */
  const epoch = (timeline: number) => performance.timeOrigin + timeline;
  /** The page has been open 10 s, and Date.now() agrees with the monotonic clock. */
  const NOW = 10_000;
  beforeEach(() => {
    vi.spyOn(performance, 'now').mockReturnValue(NOW);
    vi.spyOn(Date, 'now').mockReturnValue(epoch(NOW));
  });
  afterEach(() => vi.restoreAllMocks());

  function record(...metrics: AnyMetric[]) {
    const { exporter, vitals } = startVitals();
    for (const metric of metrics) (callbacks.get(metric.name) as (metric: AnyMetric) => void)(metric);
    vitals.flush();
    return (name: string) => {
      const span = exporter.getFinishedSpans().find((s) => s.name === name);
      if (!span) throw new Error(`no ${name} span`);
      return { start: ms(span.startTime), end: ms(span.endTime), duration: ms(span.duration) };
    };
  }
  const metric = (name: string, value: number, fields: Record<string, unknown>) =>
    ({
      name,
      id: `v5-${name}`,
      value,
      delta: value,
      rating: 'good',
      navigationType: 'navigate',
      attribution: {},
      ...fields,
    }) as unknown as AnyMetric;

  it('spans what each vital measures, not the time web-vitals reported it', () => {
    const span = record(
      metric('TTFB', 80, { entries: [{ responseStart: 80 }] }),
      metric('FCP', 180, { entries: [{ startTime: 180 }] }),
      metric('LCP', 350, { entries: [{ startTime: 200 }, { startTime: 350 }] }),
      metric('INP', 120, { entries: [{ startTime: 6000 }], attribution: { interactionTime: 6000 } }),
      metric('CLS', 0.25, { entries: [{ startTime: 900 }, { startTime: 1200 }] }),
    );
    expect(span('TTFB')).toEqual({ start: epoch(0), end: epoch(80), duration: 80 });
    expect(span('FCP')).toEqual({ start: epoch(0), end: epoch(180), duration: 180 });
    expect(span('LCP')).toEqual({ start: epoch(0), end: epoch(350), duration: 350 });
    expect(span('INP')).toEqual({ start: epoch(6000), end: epoch(6120), duration: 120 });
    // CLS has no time of its own: from the first shift of its window, 1000 ms per unit.
    expect(span('CLS')).toEqual({ start: epoch(900), end: epoch(1150), duration: 250 });
  });

  it('a prerendered page starts at activation; a restore ends when measured; nothing ends in the future', () => {
    const span = record(
      // Prerendered, activated at 1000 ms: web-vitals measures LCP (painted at 1500) from there.
      metric('LCP', 500, { entries: [{ startTime: 1500 }], navigationType: 'prerender' }),
      // A back/forward-cache restore: no entries, measured from the restore up to the report.
      metric('FCP', 60, { entries: [], navigationType: 'back-forward-cache' }),
      // Event Timing rounds durations to 8 ms: the next paint may seem a few ms ahead of now.
      metric('INP', 48, { entries: [{ startTime: NOW - 44 }], attribution: { interactionTime: NOW - 44 } }),
    );
    expect(span('LCP')).toEqual({ start: epoch(1000), end: epoch(1500), duration: 500 });
    expect(span('FCP')).toEqual({ start: epoch(NOW - 60), end: epoch(NOW), duration: 60 });
    expect(span('INP')).toEqual({ start: epoch(NOW - 48), end: epoch(NOW), duration: 48 });
  });
});

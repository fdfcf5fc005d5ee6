import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { WebVitalAttributes } from '@otelkit/conventions';
import { describe, expect, it, vi } from 'vitest';
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

describe('Core Web Vitals', () => {
  it('re-sends CLS/INP whose value grew after the first hide, with the same id; unchanged ones once', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const load = { page: '/', parent: ROOT_CONTEXT };
    const vitals = new Vitals(
      provider.getTracer('vitals'),
      () => load,
      () => load,
    );
    vitals.start();
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

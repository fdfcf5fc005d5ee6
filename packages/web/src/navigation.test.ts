import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { hrTimeToMicroseconds } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PageViews } from './navigation.js';
import { PageContextManager } from './tracing.js';

describe('PageViews', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it('dates the load page view on the timeline of its children, whatever the clock drift', () => {
    vi.stubGlobal('window', { location: new URL('https://shop.example.com/cart') });
    vi.stubGlobal('document', { referrer: '' });
    // The wall clock 5 ms behind the monotonic one, as after an NTP step: the SDK moves the
    // performance-timeline times of document load's spans by that much.
    const wallClock = Date.now;
    vi.spyOn(Date, 'now').mockImplementation(() => wallClock() - 5);
    const exporter = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer(
      't',
    );

    const views = new PageViews(tracer, new PageContextManager(), (location) => location.pathname);
    views.start('load');
    // documentFetch starts at the navigation entry's fetchStart, a millisecond or so in.
    const parent = trace.setSpan(
      ROOT_CONTEXT,
      views.active() ?? trace.wrapSpanContext(trace.INVALID_SPAN_CONTEXT),
    );
    tracer.startSpan('documentFetch', { startTime: 1 }, parent).end();
    views.end('pagehide');

    const [child, view] = exporter.getFinishedSpans();
    expect(view?.name).toBe('page view');
    expect(child?.parentSpanContext?.spanId).toBe(view?.spanContext().spanId);
    const gapMicros =
      hrTimeToMicroseconds(child?.startTime ?? [0, 0]) - hrTimeToMicroseconds(view?.startTime ?? [0, 0]);
    // 1 ms apart, give or take the millisecond of Date.now() the SDK reads each span's drift from.
    expect(gapMicros).toBeGreaterThan(0);
    expect(gapMicros).toBeLessThan(2000);
  });
});

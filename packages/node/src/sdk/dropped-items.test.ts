import { ExportResultCode } from '@opentelemetry/core';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import type { BatchOptions } from '../config/options.js';
import { ExportStatusTracker } from '../telemetry/export-status.js';
import { watchDroppedItems } from './dropped-items.js';
import { ExitExport } from './exit-export.js';

/** An exporter that never answers, as a Collector that hangs: the queue only fills. */
const hanging: SpanExporter = {
  export: (_items: ReadableSpan[]) => {},
  shutdown: async () => {},
};

const SMALL_QUEUE: BatchOptions = {
  scheduledDelayMillis: 60_000,
  exportTimeoutMillis: 30_000,
  maxQueueSize: 10,
  maxExportBatchSize: 5,
};

function setup() {
  const lines: string[] = [];
  let now = 0;
  const tracker = new ExportStatusTracker(
    'http://collector:4318',
    (line) => lines.push(line),
    () => now,
  );
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 60_000,
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const meters = watchDroppedItems(meterProvider, (signal, count) => tracker.dropped(signal, count));
  const exitExport = new ExitExport();
  const tracer = new BasicTracerProvider({
    spanProcessors: [exitExport.spanProcessor(hanging, SMALL_QUEUE, meters)],
  }).getTracer('t');
  const logger = new LoggerProvider({
    processors: [
      exitExport.logProcessor({ export: () => {}, shutdown: async () => {} }, SMALL_QUEUE, meters),
    ],
  }).getLogger('t');
  return {
    tracker,
    lines,
    tracer,
    logger,
    reader,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('items dropped because the export queue is full', () => {
  it('are said once at once, then with their count at most every five minutes, and counted', async () => {
    const { tracker, lines, tracer, logger, reader, advance } = setup();
    // 5 go out in the first batch (never answered), 10 fill the queue, the other 25 are dropped.
    for (let i = 0; i < 40; i++) tracer.startSpan(`s${i}`).end();
    expect(lines).toEqual([
      'otelkit: spans are being dropped before export: the export queue was full, so the Collector at http://collector:4318 is down, takes telemetry slower than this service makes it, or a burst outran the queue; raise OTEL_BSP_MAX_QUEUE_SIZE and OTEL_BLRP_MAX_QUEUE_SIZE, or give the Collector more CPU (reported at most every 5 minutes)',
    ]);
    for (let i = 0; i < 20; i++) logger.emit({ body: `r${i}` });
    advance(60_000);
    tracer.startSpan('one more').end();
    expect(lines).toHaveLength(1);
    advance(4 * 60_000);
    tracer.startSpan('and another').end();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(
      /^otelkit: 26 spans and 5 log records dropped since the last report before export: the export queue was full/,
    );
    expect(tracker.current.dropped).toEqual({ traces: 27, logs: 5 });
    expect(tracker.current.ok).toBe(true);

    // The SDK's own counter, with the service's metrics: what a Prometheus alert can watch.
    const { resourceMetrics } = await reader.collect();
    const processed = resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .filter((metric) => metric.descriptor.name.endsWith('.processed'));
    const droppedPoints = processed.flatMap((metric) =>
      metric.dataPoints
        .filter((point) => point.attributes['error.type'] === 'queue_full')
        .map((point) => [metric.descriptor.name, point.value]),
    );
    expect(droppedPoints.sort()).toEqual([
      ['otel.sdk.processor.log.processed', 5],
      ['otel.sdk.processor.span.processed', 27],
    ]);
  });

  it('while exports fail, are left to the failure warning and counted in the recovery line', () => {
    const { tracker, lines, tracer } = setup();
    tracker.record({ code: ExportResultCode.FAILED, error: new Error('connect ECONNREFUSED') }, 'traces');
    for (let i = 0; i < 30; i++) tracer.startSpan(`s${i}`).end();
    expect(lines).toHaveLength(1);
    tracker.record({ code: ExportResultCode.SUCCESS }, 'traces');
    expect(lines[1]).toBe(
      'otelkit: telemetry export to http://collector:4318 recovered (traces); sending again; 15 spans dropped meanwhile (queue full)',
    );
  });

  it('are still said while only another signal fails to export', () => {
    const { tracker, lines, tracer } = setup();
    tracker.record({ code: ExportResultCode.FAILED, error: new Error('Not Found') }, 'metrics');
    for (let i = 0; i < 16; i++) tracer.startSpan(`s${i}`).end();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^otelkit: spans are being dropped before export/);
  });

  it('not yet reported when the process ends, are reported then, once', () => {
    const { tracker, lines, tracer, advance } = setup();
    for (let i = 0; i < 20; i++) tracer.startSpan(`s${i}`).end();
    advance(60_000);
    tracker.ending();
    tracker.ending();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('otelkit: 4 spans dropped before export since the last report (export queue full)');
  });

  it('without a metrics exporter, are still watched', () => {
    const lines: string[] = [];
    const tracker = new ExportStatusTracker('http://collector:4318', (line) => lines.push(line));
    const tracer = new BasicTracerProvider({
      spanProcessors: [
        new ExitExport().spanProcessor(
          hanging,
          SMALL_QUEUE,
          watchDroppedItems(undefined, (signal, count) => tracker.dropped(signal, count)),
        ),
      ],
    }).getTracer('t');
    for (let i = 0; i < 16; i++) tracer.startSpan(`s${i}`).end();
    expect(tracker.current.dropped).toEqual({ traces: 1 });
    expect(lines).toHaveLength(1);
  });
});

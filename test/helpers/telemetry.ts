import {
  type Attributes,
  type Context,
  type Meter,
  ROOT_CONTEXT,
  type Span,
  type SpanOptions,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { Logger } from '@opentelemetry/api-logs';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import {
  type AggregationTemporality,
  type InstrumentType,
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * One service's worth of the official OTel JS SDK, exporting OTLP/HTTP protobuf to the
 * Collector exactly as an instrumented application would. Nothing is faked: the tests only
 * choose what to record and when to flush.
 */
export interface ServiceTelemetry {
  tracer: Tracer;
  meter: Meter;
  logger: Logger;
  /** A tracer of another instrumentation scope (e.g. the web-vitals scope). */
  tracerFor(scope: string): Tracer;
  /** Starts a span under `parent` (a root span when omitted). */
  span(name: string, options?: SpanOptions, parent?: Context): Span;
  /** Pushes everything recorded so far to the Collector; rejects when the Collector did not take it. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The metric exporter, keeping the failures that the SDK's reader only logs: its forceFlush()
 * resolves after a failed export, so a flush would otherwise claim data the Collector never took.
 */
class FailureKeepingMetricExporter implements PushMetricExporter {
  readonly failures: Error[] = [];

  constructor(private readonly inner: OTLPMetricExporter) {}

  export(metrics: ResourceMetrics, done: (result: ExportResult) => void): void {
    this.inner.export(metrics, (result) => {
      if (result.code !== ExportResultCode.SUCCESS)
        this.failures.push(result.error ?? new Error('export failed'));
      done(result);
    });
  }

  selectAggregationTemporality(instrumentType: InstrumentType): AggregationTemporality {
    return this.inner.selectAggregationTemporality(instrumentType);
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

// Queues large enough that a test's burst is never dropped before flush() sends it.
const BATCH = { maxQueueSize: 10_000, maxExportBatchSize: 512, scheduledDelayMillis: 200 };

/** Creates SDK providers for `serviceName` sending to the Collector at `otlpHttp`. */
export function serviceTelemetry(
  otlpHttp: string,
  serviceName: string,
  resource: Attributes = {},
): ServiceTelemetry {
  const res = resourceFromAttributes({
    'service.name': serviceName,
    'service.instance.id': `${serviceName}-1`,
    ...resource,
  });
  const tracerProvider = new BasicTracerProvider({
    resource: res,
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${otlpHttp}/v1/traces` }), BATCH)],
  });
  const metricExporter = new FailureKeepingMetricExporter(
    new OTLPMetricExporter({ url: `${otlpHttp}/v1/metrics` }),
  );
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    // Long interval: tests decide when a data point is exported, with flush().
    exportIntervalMillis: 3_600_000,
  });
  const meterProvider = new MeterProvider({ resource: res, readers: [reader] });
  const loggerProvider = new LoggerProvider({
    resource: res,
    processors: [
      new BatchLogRecordProcessor({
        exporter: new OTLPLogExporter({ url: `${otlpHttp}/v1/logs` }),
        ...BATCH,
      }),
    ],
  });
  const tracer = tracerProvider.getTracer('otelkit-tests');
  return {
    tracer,
    meter: meterProvider.getMeter('otelkit-tests'),
    logger: loggerProvider.getLogger('otelkit-tests'),
    tracerFor: (scope) => tracerProvider.getTracer(scope),
    span: (name, options = {}, parent = ROOT_CONTEXT) => tracer.startSpan(name, options, parent),
    flush: async () => {
      const failedBefore = metricExporter.failures.length;
      await Promise.all([
        tracerProvider.forceFlush(),
        meterProvider.forceFlush(),
        loggerProvider.forceFlush(),
      ]);
      const failed = metricExporter.failures.slice(failedBefore);
      if (failed.length > 0) {
        throw new Error(
          `${serviceName}: metric export to ${otlpHttp} failed: ${failed.map((e) => e.message).join('; ')}`,
        );
      }
    },
    shutdown: async () => {
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown(), loggerProvider.shutdown()]);
    },
  };
}

/** The context a child of `span` should start in. */
export const under = (span: Span, parent: Context = ROOT_CONTEXT): Context => trace.setSpan(parent, span);

import { context, metrics, trace } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/** A pull reader: collect() on demand, nothing exported on a timer. */
class TestReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

/** The real SDK registered as the global providers, exporting to memory (unit tests only). */
export interface GlobalTestSdk {
  spans: InMemorySpanExporter;
  logRecords: InMemoryLogRecordExporter;
  /** The finished spans once there are at least `count` (waits up to 2 s, then throws). */
  finishedSpans(count: number): Promise<ReadableSpan[]>;
  /** Data points of the metric `name` as collected now (a number, or a histogram's summary). */
  dataPoints(name: string): Promise<Array<{ attributes: Record<string, unknown>; value: unknown }>>;
}

/** Resets the global API and registers fresh in-memory providers for traces, logs and metrics. */
export function installGlobalTestSdk(): GlobalTestSdk {
  uninstallGlobalTestSdk();
  const spans = new InMemorySpanExporter();
  const logRecords = new InMemoryLogRecordExporter();
  const reader = new TestReader();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }),
  );
  logs.setGlobalLoggerProvider(
    new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: logRecords })] }),
  );
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  return {
    spans,
    logRecords,
    finishedSpans: async (count) => {
      for (let i = 0; i < 200; i++) {
        const finished = spans.getFinishedSpans();
        if (finished.length >= count) return finished;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`expected ${count} finished spans, got ${spans.getFinishedSpans().length}`);
    },
    dataPoints: async (name) => {
      const { resourceMetrics } = await reader.collect();
      const metric = resourceMetrics.scopeMetrics
        .flatMap((scope) => scope.metrics)
        .find((candidate) => candidate.descriptor.name === name);
      return (metric?.dataPoints ?? []).map((point) => ({
        attributes: point.attributes,
        value: point.value,
      }));
    },
  };
}

/** Unregisters the global providers and context manager. */
export function uninstallGlobalTestSdk(): void {
  context.disable();
  trace.disable();
  logs.disable();
  metrics.disable();
}

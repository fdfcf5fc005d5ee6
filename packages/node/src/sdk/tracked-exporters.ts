import type { ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ExportStatusTracker } from '../telemetry/export-status.js';

/** Reports every span export's outcome to `tracker`, otherwise unchanged. */
export function trackSpanExporter(inner: SpanExporter, tracker: ExportStatusTracker): SpanExporter {
  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void) {
      inner.export(spans, (result) => {
        tracker.record(result, 'traces');
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}

/** Reports every log export's outcome to `tracker`, otherwise unchanged. */
export function trackLogExporter(inner: LogRecordExporter, tracker: ExportStatusTracker): LogRecordExporter {
  return {
    export(logs: ReadableLogRecord[], done: (result: ExportResult) => void) {
      inner.export(logs, (result) => {
        tracker.record(result, 'logs');
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}

/** Reports every metric export's outcome to `tracker`; temporality and aggregation are the inner's. */
export function trackMetricExporter(
  inner: PushMetricExporter,
  tracker: ExportStatusTracker,
): PushMetricExporter {
  const tracked: PushMetricExporter = {
    export(metrics: ResourceMetrics, done: (result: ExportResult) => void) {
      inner.export(metrics, (result) => {
        tracker.record(result, 'metrics');
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush(),
  };
  if (inner.selectAggregationTemporality) {
    tracked.selectAggregationTemporality = inner.selectAggregationTemporality.bind(inner);
  }
  if (inner.selectAggregation) tracked.selectAggregation = inner.selectAggregation.bind(inner);
  return tracked;
}

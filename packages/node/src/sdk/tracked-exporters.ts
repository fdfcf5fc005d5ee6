import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ExportStatusTracker } from '../telemetry/export-status.js';

/**
 * Closed when the process is ending (a SIGTERM the application handles itself) and the bounded
 * flush found the Collector unreachable. Each export then fails at once: started, it would retry
 * for seconds, and with metrics exported every few seconds those retries would never let the
 * event loop run empty, so a draining application would never end by itself.
 */
export class ExportGate {
  private closedUntil = 0;

  /**
   * Refuses exports for `ms`. Bounded, because not every application ends after a signal it
   * handles (a CLI may only cancel its prompt on SIGINT): one still running then exports again.
   */
  closeFor(ms: number): void {
    this.closedUntil = Date.now() + ms;
  }

  /** Whether exports are refused now. */
  get closed(): boolean {
    return this.closedUntil !== 0 && Date.now() < this.closedUntil;
  }
}

const ENDING: ExportResult = {
  code: ExportResultCode.FAILED,
  error: new Error('not exported: the process is ending and the Collector did not answer'),
};

// A refused export is a failed one for the export status too: the health check and
// exportStatus() must not say "ok" while telemetry is dropped.
function refuse(
  tracker: ExportStatusTracker,
  signal: 'traces' | 'logs' | 'metrics',
  done: (result: ExportResult) => void,
): void {
  tracker.record(ENDING, signal);
  done(ENDING);
}

/** Reports every span export's outcome to `tracker`, otherwise unchanged unless `gate` is closed. */
export function trackSpanExporter(
  inner: SpanExporter,
  tracker: ExportStatusTracker,
  gate: ExportGate,
): SpanExporter {
  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void) {
      if (gate.closed) return refuse(tracker, 'traces', done);
      inner.export(spans, (result) => {
        tracker.record(result, 'traces');
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}

/** Reports every log export's outcome to `tracker`, otherwise unchanged unless `gate` is closed. */
export function trackLogExporter(
  inner: LogRecordExporter,
  tracker: ExportStatusTracker,
  gate: ExportGate,
): LogRecordExporter {
  return {
    export(logs: ReadableLogRecord[], done: (result: ExportResult) => void) {
      if (gate.closed) return refuse(tracker, 'logs', done);
      inner.export(logs, (result) => {
        tracker.record(result, 'logs');
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}

/**
 * Reports every metric export's outcome to `tracker`, unless `gate` is closed; temporality and
 * aggregation are the inner's.
 */
export function trackMetricExporter(
  inner: PushMetricExporter,
  tracker: ExportStatusTracker,
  gate: ExportGate,
): PushMetricExporter {
  const tracked: PushMetricExporter = {
    export(metrics: ResourceMetrics, done: (result: ExportResult) => void) {
      if (gate.closed) return refuse(tracker, 'metrics', done);
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

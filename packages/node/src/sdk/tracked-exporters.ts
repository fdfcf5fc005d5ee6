import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ExportStatusTracker } from '../telemetry/export-status.js';

/**
 * Closed when the process is ending (a SIGTERM, a crash or shutdown()) and a bounded flush found
 * the Collector unreachable. Each export then fails at once: started, it would retry for seconds,
 * and with metrics exported every few seconds those retries would never let the event loop run
 * empty, so a draining application would never end by itself.
 */
export class ExportGate {
  private closedUntil = 0;
  // Fails one export under way, for each export not answered yet.
  private readonly underway = new Set<() => void>();

  /**
   * Refuses exports for `ms`, and fails those under way: the batch processors wait for their
   * answer on a timer of their own (30 s) that holds the process. Bounded, because not every
   * application ends after a signal it handles (a CLI may only cancel its prompt on SIGINT): one
   * still running then exports again.
   */
  closeFor(ms: number): void {
    this.closedUntil = Date.now() + ms;
    for (const fail of [...this.underway]) fail();
  }

  /** Whether exports are refused now. */
  get closed(): boolean {
    return this.closedUntil !== 0 && Date.now() < this.closedUntil;
  }

  /** Keeps `fail` for an export under way, until the returned function says it was answered. */
  track(fail: () => void): () => void {
    this.underway.add(fail);
    return () => this.underway.delete(fail);
  }
}

const ENDING: ExportResult = {
  code: ExportResultCode.FAILED,
  error: new Error('not exported: the process is ending and the Collector did not answer'),
};

type Export<T> = (items: T, done: (result: ExportResult) => void) => void;

/**
 * `inner`, reporting each outcome to `tracker` under `signal`. While `gate` is closed, exports are
 * refused at once, and a refusal is a failure for the export status too: the health check and
 * exportStatus() must not say "ok" while telemetry is dropped. An export the gate fails while it
 * is under way is answered once: its own late outcome is dropped.
 */
function trackedExport<T>(
  inner: Export<T>,
  signal: 'traces' | 'logs' | 'metrics',
  tracker: ExportStatusTracker,
  gate: ExportGate,
): Export<T> {
  return (items, done) => {
    if (gate.closed) {
      tracker.record(ENDING, signal);
      done(ENDING);
      return;
    }
    let answered = false;
    const answer = (result: ExportResult) => {
      if (answered) return;
      answered = true;
      forget();
      tracker.record(result, signal);
      done(result);
    };
    const forget = gate.track(() => answer(ENDING));
    try {
      inner(items, answer);
    } catch (error) {
      answer({
        code: ExportResultCode.FAILED,
        error: error instanceof Error ? error : new Error(String(error)),
      });
    }
  };
}

/** Reports every span export's outcome to `tracker`, otherwise unchanged unless `gate` is closed. */
export function trackSpanExporter(
  inner: SpanExporter,
  tracker: ExportStatusTracker,
  gate: ExportGate,
): SpanExporter {
  return {
    export: trackedExport(
      (spans: ReadableSpan[], done) => inner.export(spans, done),
      'traces',
      tracker,
      gate,
    ),
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
    export: trackedExport(
      (logs: ReadableLogRecord[], done) => inner.export(logs, done),
      'logs',
      tracker,
      gate,
    ),
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
    export: trackedExport(
      (metrics: ResourceMetrics, done) => inner.export(metrics, done),
      'metrics',
      tracker,
      gate,
    ),
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush(),
  };
  if (inner.selectAggregationTemporality) {
    tracked.selectAggregationTemporality = inner.selectAggregationTemporality.bind(inner);
  }
  if (inner.selectAggregation) tracked.selectAggregation = inner.selectAggregation.bind(inner);
  return tracked;
}

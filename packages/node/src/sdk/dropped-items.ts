import {
  type Attributes,
  type Counter,
  createNoopMeter,
  type Meter,
  type MeterOptions,
  type MeterProvider,
  type MetricOptions,
} from '@opentelemetry/api';
import type { DroppableSignal } from '../telemetry/export-status.js';

// The batch processors' self-observability counters (semantic conventions, "otel.sdk.*"): one add
// per finished batch, and one per item dropped, with error.type "queue_full", when the queue is full.
const PROCESSED: Record<string, DroppableSignal> = {
  'otel.sdk.processor.span.processed': 'traces',
  'otel.sdk.processor.log.processed': 'logs',
};
const QUEUE_FULL = 'queue_full';

/**
 * The meter provider to give the batch processors as their `selfObsMeterProvider`: `inner`'s
 * meters, so that their `otel.sdk.processor.*` metrics (items processed, dropped, queued) are
 * exported with the service's own, with the processed counters watched for items dropped because
 * the queue was full, which `dropped` hears of. Without `inner` (metrics not exported) only that
 * watch remains.
 */
export function watchDroppedItems(
  inner: MeterProvider | undefined,
  dropped: (signal: DroppableSignal, count: number) => void,
): MeterProvider {
  return {
    getMeter(name: string, version?: string, options?: MeterOptions): Meter {
      const meter = inner?.getMeter(name, version, options) ?? createNoopMeter();
      return {
        createGauge: meter.createGauge.bind(meter),
        createHistogram: meter.createHistogram.bind(meter),
        createUpDownCounter: meter.createUpDownCounter.bind(meter),
        createObservableGauge: meter.createObservableGauge.bind(meter),
        createObservableCounter: meter.createObservableCounter.bind(meter),
        createObservableUpDownCounter: meter.createObservableUpDownCounter.bind(meter),
        addBatchObservableCallback: meter.addBatchObservableCallback.bind(meter),
        removeBatchObservableCallback: meter.removeBatchObservableCallback.bind(meter),
        createCounter<A extends Attributes>(counterName: string, counterOptions?: MetricOptions): Counter<A> {
          const counter = meter.createCounter<A>(counterName, counterOptions);
          const signal = PROCESSED[counterName];
          if (signal === undefined) return counter;
          return {
            add(value, attributes, context) {
              // Called inside the application's span.end() or log call: it must not throw there.
              try {
                if (attributes?.['error.type'] === QUEUE_FULL) dropped(signal, value);
              } catch {}
              counter.add(value, attributes, context);
            },
          };
        },
      };
    },
  };
}

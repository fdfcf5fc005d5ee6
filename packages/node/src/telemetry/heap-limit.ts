import { getHeapStatistics } from 'node:v8';
import type { MeterProvider } from '@opentelemetry/api';

/**
 * Records `v8js.memory.heap.limit`, which the semantic conventions define and
 * @opentelemetry/instrumentation-runtime-node 0.36 declares but never records. Without it, heap
 * usage cannot be put against the limit (`v8js_memory_heap_limit_bytes` in Prometheus), and an
 * alert on a heap near its limit could never fire.
 */
export function recordHeapLimit(meterProvider: MeterProvider): void {
  meterProvider
    .getMeter('@otelkit/node')
    .createObservableGauge('v8js.memory.heap.limit', {
      unit: 'By',
      description: 'Heap size limit of the V8 isolate (--max-old-space-size and friends).',
    })
    .addCallback((result) => result.observe(getHeapStatistics().heap_size_limit));
}

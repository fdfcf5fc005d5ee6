import { increaseInRange, RuntimeMetrics as M, SdkProcessorMetrics } from './names.js';
import { dashboard, JOB_OF_SERVICE, jobServiceVariable, stat, thresholds, timeseries } from './panels.js';

const JOB = JOB_OF_SERVICE;
const PROCESSORS = [
  ['spans', SdkProcessorMetrics.spans],
  ['log records', SdkProcessorMetrics.logRecords],
] as const;

/**
 * Node.js runtime health of the services @otelkit/node instruments: event loop, heap, GC, HTTP,
 * and whether their telemetry leaves them.
 */
export function nodeRuntime() {
  return dashboard(
    'otelkit-node-runtime',
    'otelkit / Node runtime',
    'Event-loop delay and utilisation, V8 heap, garbage collection, HTTP server latency and the telemetry export queues of Node services (Prometheus job = service.name, or service.namespace/service.name).',
    ['node'],
  )
    .withVariable(jobServiceVariable(M.eventLoopUtilization))
    .withPanel(
      timeseries(
        'Event-loop delay p99',
        's',
        [{ expr: `max by (job) (${M.eventLoopDelayP99}{${JOB}})`, legend: '{{job}}' }],
        {
          thresholds: thresholds(0.1, 0.5),
        },
      ),
    )
    .withPanel(
      timeseries(
        'Event-loop utilisation',
        'percentunit',
        [{ expr: `max by (job) (${M.eventLoopUtilization}{${JOB}})`, legend: '{{job}}' }],
        { thresholds: thresholds(0.7, 0.9) },
      ),
    )
    .withPanel(
      timeseries('V8 heap used', 'bytes', [
        { expr: `sum by (job) (${M.heapUsed}{${JOB}})`, legend: '{{job}}' },
      ]),
    )
    .withPanel(
      timeseries('V8 heap used by space', 'bytes', [
        {
          expr: `sum by (job, v8js_heap_space_name) (${M.heapUsed}{${JOB}})`,
          legend: '{{job}} {{v8js_heap_space_name}}',
        },
      ]),
    )
    .withPanel(
      timeseries('GC time per second (share of wall clock)', 'percentunit', [
        { expr: `sum by (job) (rate(${M.gcDurationSum}{${JOB}}[$__rate_interval]))`, legend: '{{job}}' },
      ]),
    )
    .withPanel(
      timeseries('GC pause p99', 's', [
        {
          expr: `histogram_quantile(0.99, sum by (le, job) (rate(${M.gcDurationBucket}{${JOB}}[$__rate_interval])))`,
          legend: '{{job}}',
        },
      ]),
    )
    .withPanel(
      timeseries('HTTP server requests/s by route', 'reqps', [
        {
          expr: `sum by (job, http_route) (rate(${M.httpServerDurationCount}{${JOB}}[$__rate_interval]))`,
          legend: '{{job}} {{http_route}}',
        },
      ]),
    )
    .withPanel(
      timeseries('HTTP server p95 by route', 's', [
        {
          expr: `histogram_quantile(0.95, sum by (le, job, http_route) (rate(${M.httpServerDurationBucket}{${JOB}}[$__rate_interval])))`,
          legend: '{{job}} {{http_route}}',
        },
      ]),
    )
    .withPanel(
      stat(
        'Telemetry lost before export, in range',
        'none',
        PROCESSORS.map(([signal, { processed }]) => ({
          // Zero while nothing is lost, so the panel shows the services it watches. A burst's
          // drops make a new series with its count already in it: increaseInRange counts those.
          expr:
            `${increaseInRange(`${processed}{${JOB}, error_type!=""}`, 'job, error_type')} ` +
            `or on (job) ${increaseInRange(`${processed}{${JOB}}`, 'job')} * 0`,
          legend: `{{job}} ${signal} {{error_type}}`,
        })),
        {
          w: 12,
          description:
            'Spans and log records the SDK processed but never exported: queue_full when its batch queue was full, otherwise the error of the export that failed after its retries.',
        },
      ),
    )
    .withPanel(
      timeseries(
        'Export queue fill',
        'percentunit',
        PROCESSORS.map(([signal, { queueSize, queueCapacity }]) => ({
          expr: `max by (job) (${queueSize}{${JOB}} / ${queueCapacity}{${JOB}})`,
          legend: `{{job}} ${signal}`,
        })),
        { thresholds: thresholds(0.5, 0.9) },
      ),
    );
}

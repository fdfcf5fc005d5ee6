import { CollectorMetrics as C, COLLECTOR_SCRAPE_JOB } from '@otelkit/conventions';
import { dashboard, stat, timeseries } from './panels.js';

const JOB = `{job="${COLLECTOR_SCRAPE_JOB}"}`;
const rate = (metric: string, by: string) => `sum by (${by}) (rate(${metric}${JOB}[$__rate_interval]))`;
/** Rate of a failure counter by `by`, zero-filled from its success counterpart so 0 shows as 0. */
const failures = (failed: string, ok: string, by: string) => `(${rate(failed, by)} or ${rate(ok, by)} * 0)`;

/** The Collector's own health: intake, refusals, exports, failures and sending queues. */
export function collectorHealth() {
  return dashboard(
    'otelkit-collector',
    'otelkit / Collector health',
    "The otelkit Collector's own telemetry (its Prometheus endpoint, counters without _total): what receivers accept and refuse, what exporters send and fail, and how full the persistent sending queues are.",
    ['collector'],
  )
    .withPanel(stat('Collector up', 'none', [{ expr: `max(up${JOB})` }]))
    .withPanel(
      stat('Spans accepted/s', 'reqps', [
        { expr: `sum(rate(${C.receiverAcceptedSpans}${JOB}[$__rate_interval]))` },
      ]),
    )
    .withPanel(
      stat('Spans refused/s', 'reqps', [
        { expr: `sum(${failures(C.receiverRefusedSpans, C.receiverAcceptedSpans, 'receiver')})` },
      ]),
    )
    .withPanel(
      stat('Export failures/s', 'reqps', [
        { expr: `sum(${failures(C.exporterSendFailedSpans, C.exporterSentSpans, 'exporter')})` },
      ]),
    )
    .withPanel(
      timeseries('Accepted by receiver (items/s)', 'reqps', [
        { expr: rate(C.receiverAcceptedSpans, 'receiver'), legend: 'spans {{receiver}}' },
        { expr: rate(C.receiverAcceptedLogRecords, 'receiver'), legend: 'logs {{receiver}}' },
        { expr: rate(C.receiverAcceptedMetricPoints, 'receiver'), legend: 'metric points {{receiver}}' },
      ]),
    )
    .withPanel(
      timeseries('Refused spans/s by receiver (memory limiter, bad data)', 'reqps', [
        {
          expr: failures(C.receiverRefusedSpans, C.receiverAcceptedSpans, 'receiver'),
          legend: '{{receiver}}',
        },
      ]),
    )
    .withPanel(
      timeseries('Spans sent/s by exporter', 'reqps', [
        { expr: rate(C.exporterSentSpans, 'exporter'), legend: '{{exporter}}' },
      ]),
    )
    .withPanel(
      timeseries('Span send failures/s by exporter', 'reqps', [
        {
          expr: failures(C.exporterSendFailedSpans, C.exporterSentSpans, 'exporter'),
          legend: '{{exporter}}',
        },
      ]),
    )
    .withPanel(
      timeseries(
        'Sending queue fill',
        'percentunit',
        [
          {
            expr: `max by (exporter) (${C.exporterQueueSize}${JOB}) / max by (exporter) (${C.exporterQueueCapacity}${JOB})`,
            legend: '{{exporter}}',
          },
        ],
        { w: 24 },
      ),
    );
}

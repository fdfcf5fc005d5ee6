import { CollectorMetrics as C, COLLECTOR_SCRAPE_JOB } from '@otelkit/conventions';
import { dashboard, stat, timeseries } from './panels.js';

const JOB = `{job="${COLLECTOR_SCRAPE_JOB}"}`;
const rate = (metric: string, by: string) => `sum by (${by}) (rate(${metric}${JOB}[$__rate_interval]))`;
/** Rate of a failure counter by `by`, zero-filled from its success counterpart so 0 shows as 0. */
const failures = (failed: string, ok: string, by: string) => `(${rate(failed, by)} or ${rate(ok, by)} * 0)`;

/** Each signal's exporter failure and success counters, and its name in legends. */
const SIGNALS = [
  [C.exporterSendFailedSpans, C.exporterSentSpans, 'spans'],
  [C.exporterSendFailedMetricPoints, C.exporterSentMetricPoints, 'metric points'],
  [C.exporterSendFailedLogRecords, C.exporterSentLogRecords, 'logs'],
] as const;

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
      stat('Export failures/s (all signals)', 'reqps', [
        {
          // Each term on its own falls back to 0: a pipeline without one signal's exporter still adds up.
          expr: SIGNALS.map(
            ([failed, sent]) => `(sum(${failures(failed, sent, 'exporter')}) or vector(0))`,
          ).join(' + '),
        },
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
      timeseries(
        'Sent by exporter (items/s)',
        'reqps',
        SIGNALS.map(([, sent, signal]) => ({
          expr: rate(sent, 'exporter'),
          legend: `${signal} {{exporter}}`,
        })),
      ),
    )
    .withPanel(
      timeseries(
        'Send failures by exporter (items/s, dropped after retries or refused by the backend)',
        'reqps',
        SIGNALS.map(([failed, sent, signal]) => ({
          expr: failures(failed, sent, 'exporter'),
          legend: `${signal} {{exporter}}`,
        })),
      ),
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

import { PipelineLabels, SpanMetrics } from '@otelkit/conventions';

/**
 * Values and names the dashboards need that @otelkit/conventions does not (yet) pin: the span
 * metrics' enum label values, the `http.route` dimension's label, and the metric names of the
 * OpenTelemetry Node runtime and HTTP instrumentations as Prometheus stores them.
 */
export const SPAN_KIND_SERVER = 'SPAN_KIND_SERVER';
/** `status_code` value of failed spans. */
export const STATUS_ERROR = 'STATUS_CODE_ERROR';
/** Label of the span metrics' `http.route` dimension. */
export const HTTP_ROUTE = 'http_route';

/** Node runtime and HTTP server metrics (OpenTelemetry semantic conventions, Prometheus names). */
export const RuntimeMetrics = {
  eventLoopDelayP99: 'nodejs_eventloop_delay_p99_seconds',
  eventLoopUtilization: 'nodejs_eventloop_utilization_ratio',
  heapUsed: 'v8js_memory_heap_used_bytes',
  gcDurationBucket: 'v8js_gc_duration_seconds_bucket',
  gcDurationCount: 'v8js_gc_duration_seconds_count',
  gcDurationSum: 'v8js_gc_duration_seconds_sum',
  httpServerDurationBucket: 'http_server_request_duration_seconds_bucket',
  httpServerDurationCount: 'http_server_request_duration_seconds_count',
} as const;

/**
 * What the SDK's batch processors say of themselves (semantic conventions `otel.sdk.processor.*`,
 * Prometheus names): items processed, with `error_type` for those lost (`queue_full` when a full
 * queue dropped them), and each queue's size and capacity.
 */
export const SdkProcessorMetrics = {
  spans: {
    processed: 'otel_sdk_processor_span_processed_total',
    queueSize: 'otel_sdk_processor_span_queue_size',
    queueCapacity: 'otel_sdk_processor_span_queue_capacity',
  },
  logRecords: {
    processed: 'otel_sdk_processor_log_processed_total',
    queueSize: 'otel_sdk_processor_log_queue_size',
    queueCapacity: 'otel_sdk_processor_log_queue_capacity',
  },
} as const;

/**
 * Availability objective of a service without an SLO spec in prometheus/slos: 99.9 % of server
 * spans not in error. A spec's own objective reaches the dashboards as `slo:objective:ratio`.
 */
export const SLO_OBJECTIVE = 0.999;

/** The recording rule prometheus/slos/generate.ts writes for each SLO: its objective, e.g. 0.995. */
export const SLO_OBJECTIVE_SERIES = 'slo:objective:ratio';

const { serviceName, spanKind, statusCode } = PipelineLabels;

/** Selector of the server spans of the services matching `service` (a regex or a `$var`). */
export const serverSpans = (service = '$service', extra = ''): string =>
  `{${serviceName}=~"${service}", ${spanKind}="${SPAN_KIND_SERVER}"${extra ? `, ${extra}` : ''}}`;

/** `sum by (by) (rate(calls{...}[window]))`. */
export const callRate = (selector: string, by: string, window = '$__rate_interval'): string =>
  `sum by (${by}) (rate(${SpanMetrics.calls}${selector}[${window}]))`;

/**
 * Rate of erroring server spans, zero-filled: series without errors show 0 instead of vanishing,
 * so an error panel is never empty while the service has traffic.
 */
export const errorRate = (service: string, by: string, window = '$__rate_interval', extra = ''): string => {
  const errors = serverSpans(service, [`${statusCode}="${STATUS_ERROR}"`, extra].filter(Boolean).join(', '));
  return `(${callRate(errors, by, window)} or ${callRate(serverSpans(service, extra), by, window)} * 0)`;
};

/** Share of server spans in error over `window`, by `by`. */
export const errorRatio = (service: string, by: string, window = '$__rate_interval', extra = ''): string =>
  `${errorRate(service, by, window, extra)} / ${callRate(serverSpans(service, extra), by, window)}`;

/** Quantile `q` of server span duration by `by` (always including `le`). */
export const latencyQuantile = (q: number, selector: string, by: string): string =>
  `histogram_quantile(${q}, sum by (le, ${by}) (rate(${SpanMetrics.durationBucket}${selector}[$__rate_interval])))`;

/**
 * The error ratio each service may spend under its availability SLO, by service: 1 − the spec's
 * objective where prometheus/slos has one, else 1 − {@link SLO_OBJECTIVE}, for every service with
 * server spans over `window`.
 */
export const availabilityBudget = (service: string, window: string): string =>
  `(1 - max by (${serviceName}) (${SLO_OBJECTIVE_SERIES}{${serviceName}=~"${service}", slo="availability"})) ` +
  `or on (${serviceName}) (0 * ${callRate(serverSpans(service), serviceName, window)} + ${Number((1 - SLO_OBJECTIVE).toFixed(6))})`;

/**
 * How much the counters of `series` (a metric with its selector) grew over the dashboard's time
 * range, summed by `by` (all together when empty). The SDKs create a series on its first add(),
 * so it appears with its first count already in it, and increase() ignores a series' first
 * sample: an error seen once would count 0. A series with no sample in the hour before the range
 * is new, and all of its last value counts, as in the alert rules (prometheus/rules/alerts.yml).
 */
export const increaseInRange = (series: string, by = ''): string => {
  const fresh = `(last_over_time(${series}[$__range]) unless count_over_time(${series}[1h] offset $__range))`;
  return `sum${by ? ` by (${by})` : ''} (${fresh} or increase(${series}[$__range]))`;
};

/**
 * Prometheus names of the series the otelkit Collector pipeline produces, as they appear after
 * Prometheus' OTLP translation (dots to underscores, unit and `_total` suffixes added).
 *
 * They are decided here once: the Collector config, dashboards, alert rules and tests all use
 * these names, so a rename upstream fails a test instead of emptying a dashboard.
 */
export const SpanMetrics = {
  /** Counter of spans by `service_name`, `span_name`, `span_kind`, `status_code` and HTTP dimensions. */
  calls: 'traces_span_metrics_calls_total',
  /** Classic histogram of span durations in seconds; buckets carry trace-id exemplars. */
  durationBucket: 'traces_span_metrics_duration_seconds_bucket',
  /** Count series of the span duration histogram. */
  durationCount: 'traces_span_metrics_duration_seconds_count',
  /** Sum series of the span duration histogram. */
  durationSum: 'traces_span_metrics_duration_seconds_sum',
} as const;

/** Service-graph connector series: one edge per `client`/`server` pair. */
export const ServiceGraphMetrics = {
  /** Requests seen between a client and a server service. */
  requests: 'traces_service_graph_request_total',
  /** Requests between a client and a server that failed. */
  failedRequests: 'traces_service_graph_request_failed_total',
  /** Server-side latency histogram of an edge, in seconds. */
  serverDurationBucket: 'traces_service_graph_request_server_seconds_bucket',
  /** Client-side latency histogram of an edge, in seconds. */
  clientDurationBucket: 'traces_service_graph_request_client_seconds_bucket',
} as const;

/** Labels the pipeline puts on span metrics and service-graph series. */
export const PipelineLabels = {
  /** `service.name` of the span's resource on span metrics. */
  serviceName: 'service_name',
  /** Span name on span metrics. */
  spanName: 'span_name',
  /** `SPAN_KIND_SERVER`, `SPAN_KIND_CLIENT`, ... on span metrics. */
  spanKind: 'span_kind',
  /** `STATUS_CODE_OK`, `STATUS_CODE_ERROR` or `STATUS_CODE_UNSET` on span metrics. */
  statusCode: 'status_code',
  /** Calling service on service-graph series. */
  client: 'client',
  /** Called service on service-graph series. */
  server: 'server',
} as const;

/**
 * The Collector's own metrics as Prometheus scrapes them from its telemetry endpoint. Its
 * Prometheus exporter exposes counters without a `_total` suffix and Prometheus 3 keeps the
 * exposed name, unlike the OTLP-ingested series above. Locked by test/pipeline.e2e.test.ts.
 */
export const CollectorMetrics = {
  /** Spans accepted by a receiver. */
  receiverAcceptedSpans: 'otelcol_receiver_accepted_spans',
  /** Spans a receiver refused (bad data or memory pressure). */
  receiverRefusedSpans: 'otelcol_receiver_refused_spans',
  /** Log records accepted by a receiver. */
  receiverAcceptedLogRecords: 'otelcol_receiver_accepted_log_records',
  /** Metric points accepted by a receiver. */
  receiverAcceptedMetricPoints: 'otelcol_receiver_accepted_metric_points',
  /** Metric points a receiver refused (bad data or memory pressure). */
  receiverRefusedMetricPoints: 'otelcol_receiver_refused_metric_points',
  /** Spans an exporter delivered. */
  exporterSentSpans: 'otelcol_exporter_sent_spans',
  /** Spans an exporter gave up on. */
  exporterSendFailedSpans: 'otelcol_exporter_send_failed_spans',
  /** Metric points an exporter delivered. */
  exporterSentMetricPoints: 'otelcol_exporter_sent_metric_points',
  /** Metric points an exporter gave up on. */
  exporterSendFailedMetricPoints: 'otelcol_exporter_send_failed_metric_points',
  /** Log records an exporter delivered. */
  exporterSentLogRecords: 'otelcol_exporter_sent_log_records',
  /** Log records an exporter gave up on. */
  exporterSendFailedLogRecords: 'otelcol_exporter_send_failed_log_records',
  /** Items waiting in an exporter's sending queue. */
  exporterQueueSize: 'otelcol_exporter_queue_size',
  /** Capacity of an exporter's sending queue. */
  exporterQueueCapacity: 'otelcol_exporter_queue_capacity',
} as const;

/** Prometheus `job` of the Collector's self-scrape. */
export const COLLECTOR_SCRAPE_JOB = 'otel-collector';

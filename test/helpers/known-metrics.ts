import {
  CollectorMetrics,
  ErrorsMetric,
  SecurityEventsMetric,
  ServiceGraphMetrics,
  SpanMetrics,
  WebVitalsMetrics,
} from '@otelkit/conventions';

/** Every Prometheus series name @otelkit/conventions fixes; rules and dashboards add upstream ones. */
export const CONVENTION_METRICS: readonly string[] = [
  ...Object.values(SpanMetrics),
  ...Object.values(ServiceGraphMetrics),
  ...Object.values(CollectorMetrics),
  ErrorsMetric.prometheusName,
  SecurityEventsMetric.prometheusName,
  WebVitalsMetrics.bucket,
  WebVitalsMetrics.count,
];

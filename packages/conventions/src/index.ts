export {
  ERROR_EVENT_NAME,
  ErrorAttributes,
  type ErrorOrigin,
  ErrorOrigins,
  ErrorsMetric,
} from './errors.js';
export {
  COLLECTOR_SCRAPE_JOB,
  CollectorMetrics,
  PipelineLabels,
  ServiceGraphMetrics,
  SpanMetrics,
} from './pipeline-metrics.js';
export { REDACTED, ResourceAttributes } from './resource-attributes.js';
export {
  SECURITY_EVENT_NAME,
  SecurityAttributes,
  SecurityEventsMetric,
  type SecurityEventType,
  SecurityEventTypes,
  type SecurityOutcome,
  SecurityOutcomes,
} from './security.js';
export {
  WEB_VITAL_DURATION_SCALE,
  WEB_VITALS_SCOPE,
  WebVitalAttributes,
  WebVitalNames,
  WebVitalsMetrics,
  WebVitalThresholds,
} from './web-vitals.js';

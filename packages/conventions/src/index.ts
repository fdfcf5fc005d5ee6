export {
  COLLECTOR_SCRAPE_JOB,
  CollectorMetrics,
  PipelineLabels,
  ServiceGraphMetrics,
  SpanMetrics,
} from './pipeline-metrics.js';
export { REDACTED, ResourceAttributes } from './resource-attributes.js';

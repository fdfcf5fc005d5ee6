/**
 * Resource attributes otelkit relies on, and what Prometheus makes of them on OTLP ingest:
 * `service.name` (with `service.namespace`) becomes `job`, `service.instance.id` becomes
 * `instance`, the rest lands on `target_info`.
 */
export const ResourceAttributes = {
  /** Logical service name; Prometheus `job`, Loki `service_name`. */
  serviceName: 'service.name',
  /** Optional namespace; prefixes `job` as `namespace/name`. */
  serviceNamespace: 'service.namespace',
  /** Unique instance id; Prometheus `instance`. */
  serviceInstanceId: 'service.instance.id',
  /** Deployed version of the service. */
  serviceVersion: 'service.version',
  /** Deployment environment; the Collector fills it in when the SDK did not. */
  deploymentEnvironment: 'deployment.environment.name',
} as const;

/** The placeholder the Collector writes where it removed a secret from a URL or log line. */
export const REDACTED = '[REDACTED]';

/**
 * Health endpoints for @otelkit/node: `/health/live`, `/health/ready` and a deep `/health`,
 * backed by a registry of checks with timeouts, built-in checks and adapters for node:http,
 * Express and Fastify.
 *
 * @packageDocumentation
 */
export {
  expressHealth,
  type FastifyHealthOptions,
  type FastifyHealthPlugin,
  type FastifyInstanceLike,
  type FastifyReplyLike,
  fastifyHealth,
  withHealth,
} from './adapters.js';
export {
  BUILTIN_CHECK_NAMES,
  type BuiltinChecksOptions,
  type DisposableCheck,
  type EventLoopLagCheckOptions,
  eventLoopLagCheck,
  type HeapCheckOptions,
  heapCheck,
  registerBuiltinChecks,
  telemetryExportCheck,
} from './builtin-checks.js';
export {
  HEALTH_PATHS,
  type HealthEndpoint,
  type HealthResponse,
  handleHealthRequest,
  healthEndpointOf,
  healthResponse,
  isHealthPath,
  matchHealthRequest,
} from './handlers.js';
export {
  type CheckOptions,
  type CheckReport,
  type CheckResult,
  DEFAULT_CHECK_TIMEOUT_MS,
  defaultHealthRegistry,
  type HealthCheck,
  HealthRegistry,
  type HealthRegistryOptions,
  type HealthReport,
  type HealthStatus,
  registerCheck,
  unregisterCheck,
} from './health-registry.js';

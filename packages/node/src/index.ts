export {
  DEFAULT_INSTRUMENTATIONS,
  type Env,
  type EnvReading,
  readEnvironment,
  type TransportOverrides,
} from './config/env.js';
export type {
  BatchOptions,
  DetectorName,
  InstrumentationName,
  LogRecordLimitOptions,
  OtlpCompression,
  OtlpProtocol,
  PropagatorName,
  ResolvedConfig,
  SamplerName,
  SignalExporter,
  SignalOptions,
  SpanLimitOptions,
  StartOptions,
  TlsFiles,
} from './config/options.js';
export * from './errors/index.js';
export * from './health/index.js';
export {
  CORRELATION_HEADERS,
  correlationIdOf,
  correlationMiddleware,
  currentCorrelationId,
  runWithCorrelationId,
} from './logging/correlation.js';
export { createLogger, type LoggerOptions } from './logging/create-logger.js';
export { type OtelkitSdk, shutdown, start } from './sdk/start.js';
export * from './security/index.js';
export { type DroppedCounts, type ExportStatus, exportStatus } from './telemetry/export-status.js';

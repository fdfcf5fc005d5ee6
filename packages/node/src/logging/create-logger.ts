import { trace } from '@opentelemetry/api';
import winston from 'winston';
import { runningSdk } from '../sdk/start.js';
import { currentCorrelationId } from './correlation.js';

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /**
   * `service` field of every line. Default: the running SDK's `service.name`, else
   * `OTEL_SERVICE_NAME`, else `unknown_service`.
   */
  service?: string;
  /** Lowest level written. Default `LOG_LEVEL` or `info`. */
  level?: string;
  /** Fields added to every line. */
  defaultFields?: Record<string, unknown>;
}

/** Adds the active trace context and the request's correlation id to each record. */
const context = winston.format((info) => {
  const span = trace.getActiveSpan()?.spanContext();
  if (span && trace.isSpanContextValid(span)) {
    info.trace_id ??= span.traceId;
    info.span_id ??= span.spanId;
    info.trace_flags ??= `0${span.traceFlags.toString(16)}`;
  }
  const correlationId = currentCorrelationId();
  if (correlationId) info.correlation_id ??= correlationId;
  return info;
});

/**
 * A winston logger for new code: one JSON object per line on stdout with timestamp, level,
 * service, message, trace_id/span_id of the active span and the request's correlation id.
 * When @otelkit/node is running, its records also go to the Collector over OTLP, once.
 */
export function createLogger(options: LoggerOptions = {}): winston.Logger {
  return winston.createLogger({
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    defaultMeta: {
      service:
        options.service ??
        runningSdk()?.config.serviceName ??
        process.env.OTEL_SERVICE_NAME ??
        'unknown_service',
      ...options.defaultFields,
    },
    format: winston.format.combine(
      winston.format.timestamp(),
      context(),
      winston.format.errors({ stack: true }),
      winston.format.json(),
    ),
    transports: [new winston.transports.Console()],
  });
}

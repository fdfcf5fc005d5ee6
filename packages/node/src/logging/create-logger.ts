import { trace } from '@opentelemetry/api';
import type winston from 'winston';
import { lazyRequire } from '../sdk/lazy-require.js';
import { runningSdk } from '../sdk/start.js';
import { currentCorrelationId } from './correlation.js';

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /**
   * `service` field of every line. Default: the running SDK's `service.name`, else
   * `OTEL_SERVICE_NAME`, else `unknown_service`.
   */
  service?: string | undefined;
  /**
   * Lowest level written, one of winston's npm levels in any case. Default `LOG_LEVEL`, else
   * `info`; an invalid one is reported on one line and replaced by `info`.
   */
  level?: string | undefined;
  /** Fields added to every line. */
  defaultFields?: Record<string, unknown> | undefined;
}

/** Adds the active trace context and the request's correlation id to each record. */
function addContext(info: winston.Logform.TransformableInfo): winston.Logform.TransformableInfo {
  const span = trace.getActiveSpan()?.spanContext();
  if (span && trace.isSpanContextValid(span)) {
    info.trace_id ??= span.traceId;
    info.span_id ??= span.spanId;
    info.trace_flags ??= `0${span.traceFlags.toString(16)}`;
  }
  const correlationId = currentCorrelationId();
  if (correlationId) info.correlation_id ??= correlationId;
  return info;
}

// winston's default (npm) levels. A level outside them makes winston write nothing at all.
const LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;
const reported = new Set<string>();

/** The level to use: `wanted` in any case when it is one of {@link LEVELS}, else `info`, said once. */
function levelOf(wanted: string | undefined, source: string): string {
  if (wanted === undefined || wanted.trim() === '') return 'info';
  const level = wanted.trim().toLowerCase();
  if ((LEVELS as readonly string[]).includes(level)) return level;
  if (!reported.has(`${source}=${wanted}`)) {
    reported.add(`${source}=${wanted}`);
    process.stderr.write(
      `otelkit: ${source}="${wanted}" is invalid: expected one of ${LEVELS.join(', ')}; using info\n`,
    );
  }
  return 'info';
}

/**
 * A winston logger for new code: one JSON object per line on stdout with timestamp, level,
 * service, message, trace_id/span_id of the active span and the request's correlation id.
 * When @otelkit/node is running, its records also go to the Collector over OTLP, once.
 */
export function createLogger(options: LoggerOptions = {}): winston.Logger {
  // Loaded here, not with this package: `start()` called from code must run before winston
  // loads, or the winston instrumentation cannot patch it, and an import of @otelkit/node that
  // loaded winston would come first. require() keeps the module after the first call.
  const winston = lazyRequire('winston') as typeof import('winston');
  return winston.createLogger({
    level:
      options.level !== undefined
        ? levelOf(options.level, 'createLogger({ level })')
        : levelOf(process.env.LOG_LEVEL, 'LOG_LEVEL'),
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
      winston.format(addContext)(),
      winston.format.errors({ stack: true }),
      winston.format.json(),
    ),
    transports: [new winston.transports.Console()],
  });
}

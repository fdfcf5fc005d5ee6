import { type DiagLogFunction, type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import type { LogLevelName } from '../config/options.js';

const LEVELS: Record<Exclude<LogLevelName, 'none'>, DiagLogLevel> = {
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};

// Every level goes to stderr, as otelkit's own warnings do. The SDK's console logger prints info
// and debug on stdout, which is often the application's log stream, read line by line as JSON.
const toStderr: DiagLogFunction = (message, ...args) => console.error(message, ...args);
const STDERR_LOGGER: DiagLogger = {
  error: toStderr,
  warn: toStderr,
  info: toStderr,
  debug: toStderr,
  verbose: toStderr,
};

/**
 * Prints the OpenTelemetry SDK's diagnostics (exporter errors, instrumentation patching) on
 * stderr from `level` up, as `OTEL_LOG_LEVEL` asks; `none` leaves them off. Off is the default
 * because every failed export would then print a line, where otelkit prints one warning.
 *
 * @returns what turns them off again, for shutdown.
 */
export function enableDiagnostics(level: LogLevelName): () => void {
  if (level === 'none') return () => {};
  diag.setLogger(STDERR_LOGGER, { logLevel: LEVELS[level], suppressOverrideMessage: true });
  return () => diag.disable();
}

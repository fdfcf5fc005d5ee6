import { DiagConsoleLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import type { LogLevelName } from '../config/options.js';

const LEVELS: Record<Exclude<LogLevelName, 'none'>, DiagLogLevel> = {
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};

/**
 * Prints the OpenTelemetry SDK's diagnostics (exporter errors, instrumentation patching) on the
 * console from `level` up, as `OTEL_LOG_LEVEL` asks; `none` leaves them off. Off is the default
 * because every failed export would then print a line, where otelkit prints one warning.
 *
 * @returns what turns them off again, for shutdown.
 */
export function enableDiagnostics(level: LogLevelName): () => void {
  if (level === 'none') return () => {};
  diag.setLogger(new DiagConsoleLogger(), { logLevel: LEVELS[level], suppressOverrideMessage: true });
  return () => diag.disable();
}

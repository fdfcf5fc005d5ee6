/**
 * Names of the error telemetry `@otelkit/node` emits: the attributes on exception span events and
 * error log records, the event name of those log records, and the error counter.
 *
 * `exception.type`, `exception.message` and `exception.stacktrace` are the stable OpenTelemetry
 * semantic conventions; `exception.fingerprint` is ours, in the same namespace so that error
 * trackers and Grafana queries find it next to the others.
 */
export const ErrorAttributes = {
  /** Exception class name (`TypeError`, `NotFoundError`), or `typeof` for thrown non-objects. */
  type: 'exception.type',
  /** Exception message, with anything that looks like a secret masked. */
  message: 'exception.message',
  /** Stack trace as Node prints it (plus `Caused by:` sections), secrets masked. */
  stacktrace: 'exception.stacktrace',
  /**
   * 16 hex characters identifying where an error comes from: its type plus its top stack frames
   * with line numbers and machine-specific path prefixes removed. Repeats of the same error share
   * it, so it groups occurrences the way an error tracker groups issues. The message is not part
   * of it, because messages carry ids.
   */
  fingerprint: 'exception.fingerprint',
  /** How the error reached us; one of {@link ErrorOrigins}. Only on log records and span events. */
  origin: 'otelkit.error.origin',
  /** Machine-readable code of an `OtelkitError` (`NOT_FOUND`) or a Node system error (`ENOENT`). */
  code: 'otelkit.error.code',
  /**
   * How many occurrences of one error (one fingerprint) a span stands for, when it stands for more
   * than one: `@otelkit/web` sends the first few occurrences per page view as spans of their own
   * and the rest as one summary span carrying this count, so an error thrown in a loop cannot flood
   * the user's connection or the Collector. Absent means one. Occurrences = spans without it plus
   * the sum of it.
   */
  occurrences: 'otelkit.error.occurrences',
} as const;

/** Values of {@link ErrorAttributes.origin}. */
export const ErrorOrigins = {
  /** Passed to `recordError()` by application code. */
  handled: 'handled',
  /** Reached the process' `uncaughtException` event. */
  uncaughtException: 'uncaught_exception',
  /** A promise rejection nobody handled. */
  unhandledRejection: 'unhandled_rejection',
} as const;

/** One of the {@link ErrorOrigins} values. */
export type ErrorOrigin = (typeof ErrorOrigins)[keyof typeof ErrorOrigins];

/**
 * `EventName` of the OTLP log record emitted for every recorded error. Loki releases that read the
 * OTLP `event_name` field store it as `event_name` structured metadata; with older ones, select
 * error records by their `exception_fingerprint` structured metadata, which every one carries.
 */
export const ERROR_EVENT_NAME = 'otelkit.error';

/**
 * Counter of recorded errors. Its attributes are only the exception type and fingerprint, both
 * bounded by the code base rather than by traffic, so the series count stays sane.
 */
export const ErrorsMetric = {
  /** OpenTelemetry instrument name. */
  name: 'otelkit.errors',
  /** UCUM annotation; Prometheus drops it when translating the name. */
  unit: '{error}',
  /** Instrument description. */
  description: 'Errors recorded by the application, by exception type and fingerprint.',
  /** Attribute keys on the data points. */
  attributes: {
    /** See {@link ErrorAttributes.type}. */
    type: ErrorAttributes.type,
    /** See {@link ErrorAttributes.fingerprint}. */
    fingerprint: ErrorAttributes.fingerprint,
  },
  /** Name of the series once Prometheus has ingested it over OTLP (monotonic sum: `_total`). */
  prometheusName: 'otelkit_errors_total',
  /** Label names of the series in Prometheus (dots become underscores). */
  prometheusLabels: {
    /** Exception type. */
    type: 'exception_type',
    /** Exception fingerprint. */
    fingerprint: 'exception_fingerprint',
  },
} as const;

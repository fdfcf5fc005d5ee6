import { inspect } from 'node:util';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import {
  ERROR_EVENT_NAME,
  ErrorAttributes,
  type ErrorOrigin,
  ErrorOrigins,
  ErrorsMetric,
} from '@otelkit/conventions';
import {
  type EventAttributes,
  maskSecrets,
  redactDeep,
  type SanitizedAttributes,
  sanitizeAttributes,
} from '../security/sanitize-attributes.js';
import { httpStatusOf } from './error-classes.js';
import { exceptionFingerprint, exceptionType, stackOf } from './fingerprint.js';
import { counterFor, otelkitLogger } from './instruments.js';
import { readProperty } from './read-property.js';

/** Name of the span event semantic conventions use for exceptions (what `recordException` writes). */
const EXCEPTION_EVENT = 'exception';

// Bounds on what one error may put on the wire: messages that embed whole payloads and deep
// cause chains would otherwise make single records of hundreds of kilobytes.
const MAX_MESSAGE_LENGTH = 4096;
const MAX_STACKTRACE_LENGTH = 16384;
const MAX_CAUSE_DEPTH = 3;

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… [truncated ${text.length - max} chars]`;
}

/** The message of any thrown value; plain objects are printed with their secrets redacted. */
function messageOf(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error !== null && typeof error === 'object') {
    const message = readProperty(error, 'message');
    if (typeof message === 'string') return message;
    try {
      return inspect(redactDeep(error), {
        depth: 3,
        breakLength: Number.POSITIVE_INFINITY,
        maxStringLength: 1000,
      });
    } catch {
      return '[object]';
    }
  }
  try {
    return String(error);
  } catch {
    return '';
  }
}

/** The stack, followed by the stacks of up to three `cause`s the way Java prints them. */
function stacktraceOf(error: unknown): string | undefined {
  const stack = stackOf(error);
  if (stack === undefined) return undefined;
  let text = stack;
  let current: unknown = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH; depth++) {
    if (current === null || typeof current !== 'object') break;
    const cause = readProperty(current, 'cause');
    if (cause === undefined || cause === current) break;
    text += `\nCaused by: ${stackOf(cause) ?? `${exceptionType(cause)}: ${messageOf(cause)}`}`;
    current = cause;
  }
  return text;
}

function codeOf(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const code = readProperty(error, 'code');
  return typeof code === 'string' && /^[A-Za-z0-9_.:-]{1,64}$/.test(code) ? code : undefined;
}

/** What {@link recordErrorFrom} needs besides the error. */
export interface RecordErrorOptions {
  /** How the error reached us. */
  origin: ErrorOrigin;
  /** Severity of the log record; when omitted, WARN for errors mapping to 4xx, ERROR otherwise. */
  severity?: SeverityNumber | undefined;
}

/**
 * recordError() with the origin and severity as parameters; the crash handlers use it to record
 * uncaught exceptions as FATAL. Never throws. Returns the fingerprint.
 */
export function recordErrorFrom(
  error: unknown,
  attributes: EventAttributes | undefined,
  options: RecordErrorOptions,
): string {
  let fingerprint = '';
  try {
    fingerprint = exceptionFingerprint(error);
    const type = exceptionType(error);
    const message = truncate(maskSecrets(messageOf(error)), MAX_MESSAGE_LENGTH);
    const rawStack = stacktraceOf(error);
    const code = codeOf(error);
    // A status below 500 means the error is the client's (validation, not found): worth recording,
    // but not a failure of this service. Semantic conventions leave server spans unset for 4xx,
    // and the span-metrics error rate behind the SLO alerts must not count them either.
    const clientError = httpStatusOf(error) < 500;

    const exceptionAttributes: SanitizedAttributes = {
      [ErrorAttributes.type]: type,
      [ErrorAttributes.message]: message,
      [ErrorAttributes.fingerprint]: fingerprint,
      [ErrorAttributes.origin]: options.origin,
    };
    if (rawStack !== undefined) {
      exceptionAttributes[ErrorAttributes.stacktrace] = truncate(
        maskSecrets(rawStack),
        MAX_STACKTRACE_LENGTH,
      );
    }
    if (code !== undefined) exceptionAttributes[ErrorAttributes.code] = code;
    // The exception attributes come last so that context cannot overwrite them.
    const allAttributes: SanitizedAttributes = { ...sanitizeAttributes(attributes), ...exceptionAttributes };

    try {
      const span = trace.getActiveSpan();
      if (span?.isRecording()) {
        // addEvent('exception') is what span.recordException() does, but recordException() takes
        // no extra attributes and we need the fingerprint and context on the event.
        span.addEvent(EXCEPTION_EVENT, allAttributes);
        if (!clientError) span.setStatus({ code: SpanStatusCode.ERROR, message: `${type}: ${message}` });
      }
    } catch {
      // Telemetry must never break the code path that is already handling an error.
    }

    try {
      const severity = options.severity ?? (clientError ? SeverityNumber.WARN : SeverityNumber.ERROR);
      otelkitLogger().emit({
        eventName: ERROR_EVENT_NAME,
        severityNumber: severity,
        severityText: SeverityNumber[severity],
        body: message === '' ? type : message,
        attributes: allAttributes,
        // Explicit, so the record carries the trace and span id of the code that recorded it.
        context: context.active(),
      });
    } catch {
      // As above.
    }

    try {
      counterFor(ErrorsMetric).add(1, {
        [ErrorsMetric.attributes.type]: type,
        [ErrorsMetric.attributes.fingerprint]: fingerprint,
      });
    } catch {
      // As above.
    }
  } catch {
    // As above; whatever was computed is returned.
  }
  return fingerprint;
}

/**
 * Records an error the application caught: an `exception` event with `exception.type`,
 * `exception.message`, `exception.stacktrace` and `exception.fingerprint` on the active span (whose
 * status becomes ERROR unless the error maps to a 4xx status, see `httpStatusOf`), one OTLP log
 * record (event name `otelkit.error`, severity ERROR, or WARN for 4xx errors, carrying the
 * active trace and span ids), and one increment of the `otelkit.errors` counter by type and
 * fingerprint.
 *
 * Any thrown value is accepted (strings, plain objects). `context` becomes attributes of the event
 * and log record, with secrets redacted (see `sanitizeAttributes`); messages and stacks have
 * secrets masked too. Never throws.
 *
 * @returns the error's fingerprint, e.g. to show to a user as a reference.
 */
export function recordError(error: unknown, context?: EventAttributes): string {
  return recordErrorFrom(error, context, { origin: ErrorOrigins.handled });
}

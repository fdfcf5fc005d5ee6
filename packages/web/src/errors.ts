import { type Attributes, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import {
  ErrorAttributes,
  ErrorOrigins,
  REDACTED,
  SECURITY_EVENT_NAME,
  SecurityAttributes,
  SecurityEventTypes,
  SecurityOutcomes,
} from '@otelkit/conventions';
import { fingerprint, parseStack } from './fingerprint.js';
import { isSecretKey, scrubText, scrubUrl } from './privacy.js';

/** Name of the span that carries one uncaught error. */
export const ERROR_SPAN = 'exception';
/** Attribute holding the parsed frames as JSON: `[{function, url, line, column}]`, top first. */
export const ERROR_FRAMES = 'exception.frames';
/** How the error reached us (@otelkit/conventions `otelkit.error.origin`), as in @otelkit/node. */
export const ERROR_ORIGIN = ErrorAttributes.origin;

/**
 * Error spans sent per fingerprint and page view. Later occurrences of the same error are only
 * counted, and sent as one summary span (with {@link ErrorAttributes.occurrences}) when the page
 * is hidden or the page view ends: an error thrown every frame would otherwise send a span every
 * 16 ms, about 200 KB/s from the user's device, for one finding.
 */
export const MAX_ERRORS_PER_FINGERPRINT = 5;
/** Distinct fingerprints per page view; a page throwing more has enough to fix, and memory stays bounded. */
const MAX_FINGERPRINTS = 50;
const MAX_FRAMES = 20;
/** Distinct CSP violations reported per page load; a page that violates more has one bug to fix. */
const MAX_CSP_REPORTS = 50;
const MAX_STACK = 4000;

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  const name = (value as { name?: unknown }).name;
  if (typeof name === 'string' && name !== '') return name;
  const ctor = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof ctor === 'string' && ctor !== '' ? ctor : 'Object';
}

function messageOf(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string') return value;
  try {
    // Rejected with an object (`Promise.reject({ code, token })`): its secret-named fields go
    // masked, as attributes' do; the text is scrubbed again with the span.
    return (
      JSON.stringify(value, (key, field) => (key !== '' && isSecretKey(key) ? REDACTED : field)) ??
      String(value)
    );
  } catch {
    return String(value);
  }
}

/** The attributes of an error span: type, message, stack, parsed frames and the fingerprint. */
export function errorAttributes(
  value: unknown,
  origin: string,
  fallback?: { message?: string; filename?: string; lineno?: number; colno?: number },
): Attributes {
  const type = typeOf(value);
  const message = messageOf(value) || fallback?.message || '';
  const stack = value instanceof Error && typeof value.stack === 'string' ? value.stack : undefined;
  let frames = parseStack(stack, MAX_FRAMES);
  if (frames.length === 0 && fallback?.filename) {
    // Errors without a stack (thrown primitives) still say where: ErrorEvent's location.
    frames = [
      {
        function: '<anonymous>',
        url: fallback.filename,
        ...(fallback.lineno ? { line: fallback.lineno } : {}),
        ...(fallback.colno ? { column: fallback.colno } : {}),
      },
    ];
  }
  return {
    [ErrorAttributes.type]: type,
    [ErrorAttributes.message]: scrubText(message.slice(0, 1000)),
    ...(stack ? { [ErrorAttributes.stacktrace]: scrubText(stack.slice(0, MAX_STACK)) } : {}),
    [ERROR_FRAMES]: JSON.stringify(frames.map((frame) => ({ ...frame, url: scrubUrl(frame.url) }))),
    [ErrorAttributes.fingerprint]: fingerprint(type, frames, message),
    [ERROR_ORIGIN]: origin,
  };
}

/**
 * Whether a CSP violation's blocked URL is our own export: the OTLP URL itself, or the Collector's
 * bare origin, which is what browsers report when they strip a cross-origin URL. Not the whole
 * origin: a Collector behind the page's own origin must not hide the page's other violations.
 */
function ownExport(collectorUrl: string | undefined): (blocked: string) => boolean {
  try {
    const url = collectorUrl ? new URL(collectorUrl, location.href) : undefined;
    return (blocked) => !!url && (blocked === url.origin || blocked.startsWith(url.href));
  } catch {
    return () => false;
  }
}

/** What {@link watchErrors} returns: sends what the per-fingerprint limit held back. */
export interface ErrorWatch {
  /**
   * Sends one summary span per fingerprint whose occurrences were held back since the last call.
   * Call when the page is hidden: it may be the last chance.
   */
  flush(): void;
  /** Flushes, then starts the per-page-view limits afresh. Call before a page view ends. */
  reset(): void;
}

/** Occurrences of one fingerprint in the current page view. */
interface Occurrences {
  /** Spans sent for it. */
  sent: number;
  /** Occurrences counted, not sent, since the last summary. */
  held: number;
  /** Epoch ms of the first held occurrence: the summary span starts there. */
  first: number;
  /** Epoch ms of the last held occurrence: the summary span ends there. */
  last: number;
  /** Attributes of the last held occurrence. */
  attributes: Attributes;
}

/**
 * Reports uncaught errors and unhandled rejections as `exception` spans (status ERROR, so tail
 * sampling keeps them) under the current page view, with an `exception` event for trace viewers
 * (type and message; the stack only once, as the span's attribute). The first
 * {@link MAX_ERRORS_PER_FINGERPRINT} occurrences of each fingerprint in a page view are sent as
 * they happen; the rest are counted and sent as one summary span by {@link ErrorWatch.flush}.
 * CSP violations become security events with the attribute names of @otelkit/conventions, each
 * distinct one (directive and blocked URL) once per page load.
 *
 * @param tracer where the spans go
 * @param collectorUrl the OTLP URL exports go to: violations it causes itself are not reported
 * @returns the hooks that send held-back occurrences, for the page's hide and page view end
 */
export function watchErrors(tracer: Tracer, collectorUrl?: string): ErrorWatch {
  const send = (attributes: Attributes, start?: number, end?: number) => {
    const span = tracer.startSpan(ERROR_SPAN, { attributes, ...(start ? { startTime: start } : {}) });
    span.addEvent('exception', {
      [ErrorAttributes.type]: attributes[ErrorAttributes.type],
      [ErrorAttributes.message]: attributes[ErrorAttributes.message],
    });
    span.setStatus({ code: SpanStatusCode.ERROR, message: String(attributes[ErrorAttributes.message]) });
    span.end(end);
  };
  const seen = new Map<string, Occurrences>();
  const report = (value: unknown, origin: string, fallback?: ErrorEvent) => {
    try {
      const attributes = errorAttributes(value, origin, fallback);
      const key = String(attributes[ErrorAttributes.fingerprint]);
      let entry = seen.get(key);
      if (!entry) {
        if (seen.size >= MAX_FINGERPRINTS) return;
        entry = { sent: 0, held: 0, first: 0, last: 0, attributes };
        seen.set(key, entry);
      }
      if (entry.sent < MAX_ERRORS_PER_FINGERPRINT) {
        entry.sent++;
        send(attributes);
        return;
      }
      const now = Date.now();
      if (entry.held === 0) entry.first = now;
      entry.held++;
      entry.last = now;
      entry.attributes = attributes;
    } catch {
      // Reporting an error must never raise another one.
    }
  };
  const flush = () => {
    for (const entry of seen.values()) {
      if (entry.held === 0) continue;
      try {
        send({ ...entry.attributes, [ErrorAttributes.occurrences]: entry.held }, entry.first, entry.last);
      } catch {
        // As above.
      }
      entry.held = 0;
    }
  };
  addEventListener('error', (event) => {
    // Resource load failures (img, script) also fire `error` on window in the capture phase only;
    // this listener is bubble-phase, so it sees script errors.
    report(event.error ?? event.message, ErrorOrigins.uncaughtException, event);
  });
  addEventListener('unhandledrejection', (event) => report(event.reason, ErrorOrigins.unhandledRejection));
  const isOwnExport = ownExport(collectorUrl);
  const reported = new Set<string>();
  document.addEventListener('securitypolicyviolation', (event) => {
    try {
      // A policy (even report-only) without the Collector in connect-src: each export violates,
      // the report would be exported and violate again, an endless loop of our own making.
      if (isOwnExport(event.blockedURI)) return;
      // A violation in a loop (a blocked image in a list, a polling fetch) is one finding.
      const key = `${event.effectiveDirective} ${event.blockedURI}`;
      if (reported.has(key) || reported.size >= MAX_CSP_REPORTS) return;
      reported.add(key);
      tracer
        .startSpan(SECURITY_EVENT_NAME, {
          attributes: {
            [SecurityAttributes.type]: SecurityEventTypes.suspiciousActivity,
            [SecurityAttributes.outcome]:
              event.disposition === 'enforce' ? SecurityOutcomes.blocked : SecurityOutcomes.success,
            [SecurityAttributes.action]: `csp.${event.effectiveDirective}`,
            [SecurityAttributes.reason]: event.violatedDirective,
            [SecurityAttributes.resource]: event.blockedURI ? scrubUrl(event.blockedURI) : 'inline',
            'csp.source_file': event.sourceFile ? scrubUrl(event.sourceFile) : '',
            'csp.line_number': event.lineNumber,
          },
        })
        .end();
    } catch {
      // As above.
    }
  });
  return {
    flush,
    reset: () => {
      flush();
      seen.clear();
    },
  };
}

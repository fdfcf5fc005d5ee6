/**
 * @otelkit/web: browser RUM on OpenTelemetry web. One call, {@link initWeb}, gives page views and
 * route changes, document load, fetch and XHR traces joined to the server's, Core Web Vitals,
 * errors with fingerprints, CSP violations, sessions and an unload-safe transport.
 *
 * @packageDocumentation
 */
export { ERROR_FRAMES, ERROR_ORIGIN, ERROR_SPAN, errorAttributes } from './errors.js';
export { fingerprint, normaliseFrameUrl, parseStack, type StackFrame } from './fingerprint.js';
export { initWeb, type WebHandle, type WebOptions } from './init.js';
export { PAGE_VIEW_END_REASON, PAGE_VIEW_SPAN, PAGE_VIEW_TRIGGER } from './navigation.js';
export { scrubAttributes, scrubText, scrubUrl } from './privacy.js';
export {
  SESSION_INACTIVITY_MS,
  SESSION_MAX_MS,
  type SessionState,
  type SessionStorageKind,
} from './session.js';
export { PAGE_PATH, SESSION_ID } from './tracing.js';
export type { BeforeSend, SendableSpan, TransportStats } from './transport.js';
export { type AnyMetric, attributionOf } from './vitals.js';

export {
  type CrashHandlerOptions,
  DEFAULT_CRASH_FLUSH_TIMEOUT_MS,
  type FlushFunction,
  installCrashHandlers,
} from './crash-handlers.js';
export {
  ConflictError,
  httpStatusOf,
  isOtelkitError,
  NotFoundError,
  OtelkitError,
  type OtelkitErrorBody,
  type OtelkitErrorOptions,
  PermissionError,
  RateLimitedError,
  type RetryableErrorOptions,
  UnavailableError,
  ValidationError,
} from './error-classes.js';
export { exceptionFingerprint, exceptionType, normaliseStackFrames } from './fingerprint.js';
export { recordError } from './record-error.js';

/*
 * Optional error classes for application code: throw `new NotFoundError('no such invoice')` deep in
 * a service and map it to a response at the edge with `httpStatusOf(err)`. The class name is the
 * `exception.type` recordError() reports, so each class groups separately in error telemetry.
 */
import { STATUS_CODES } from 'node:http';

/** Options every otelkit error class accepts. */
export interface OtelkitErrorOptions {
  /** Machine-readable code for API clients, e.g. `INVOICE_NOT_FOUND`. Defaults per class. */
  code?: string | undefined;
  /** Structured detail for API clients, e.g. the fields that failed validation. */
  details?: Readonly<Record<string, unknown>> | undefined;
  /**
   * Whether the message may be shown to API clients. Defaults to true below 500 (the client
   * caused it and needs to know why) and false from 500 (internals are not the client's business).
   */
  expose?: boolean | undefined;
  /** The underlying error, kept as the standard `cause`. */
  cause?: unknown | undefined;
}

/** Options of the classes whose responses carry a `Retry-After` header. */
export interface RetryableErrorOptions extends OtelkitErrorOptions {
  /** Seconds after which the client may retry; send it as `Retry-After`. */
  retryAfterSeconds?: number | undefined;
}

/** What {@link OtelkitError.toJSON} returns: a response body safe to send to a client. */
export interface OtelkitErrorBody {
  /** The error's code. */
  code: string;
  /** The message if exposable, else a generic one. */
  message: string;
  /** The HTTP status the error maps to. */
  status: number;
  /** The error's details, when it has any and they are exposable. */
  details?: Readonly<Record<string, unknown>>;
}

/** Brand shared by every copy of this module, so ESM and CommonJS copies recognise each other's errors. */
const OTELKIT_ERROR = Symbol.for('otelkit.error');

/**
 * Base class of otelkit's error classes: an `Error` that knows the HTTP status it maps to.
 * Subclass it for your own statuses; `name` comes from the subclass, so stacks and
 * `exception.type` read `InvoiceLockedError`, not `Error`.
 */
export class OtelkitError extends Error {
  /** HTTP status this error maps to. */
  readonly httpStatus: number;
  /** Machine-readable code for API clients. */
  readonly code: string;
  /** Structured detail for API clients, if any. */
  readonly details?: Readonly<Record<string, unknown>>;
  /** Whether the message may be shown to API clients. */
  readonly expose: boolean;

  /**
   * @param message what went wrong, for people.
   * @param httpStatus the HTTP status it maps to, 400 to 599 (default 500; anything else is 500,
   *   as {@link httpStatusOf} would answer).
   * @param options code, details, expose and cause.
   */
  constructor(message: string, httpStatus = 500, options: OtelkitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    // `new.target.name` makes subclasses name themselves. Set before anything reads `stack`: V8
    // formats the stack's first line lazily from `name`.
    this.name = new.target.name;
    this.httpStatus = validStatus(httpStatus) ?? 500;
    this.code = options.code ?? 'INTERNAL';
    if (options.details !== undefined) this.details = options.details;
    this.expose = options.expose ?? this.httpStatus < 500;
    Object.defineProperty(this, OTELKIT_ERROR, { value: true });
  }

  /** A response body for clients: the message and details only when {@link expose} allows. */
  toJSON(): OtelkitErrorBody {
    const body: OtelkitErrorBody = {
      code: this.code,
      // The status's own reason phrase: a 503 says "Service Unavailable", not a 500's words.
      message: this.expose ? this.message : (STATUS_CODES[this.httpStatus] ?? 'Internal Server Error'),
      status: this.httpStatus,
    };
    if (this.expose && this.details !== undefined) body.details = this.details;
    return body;
  }
}

/** The request is malformed or fails validation. HTTP 400. */
export class ValidationError extends OtelkitError {
  /** @param message what is wrong with the input. @param options code (default `VALIDATION_FAILED`), details, expose, cause. */
  constructor(message = 'Validation failed', options: OtelkitErrorOptions = {}) {
    super(message, 400, { ...options, code: options.code ?? 'VALIDATION_FAILED' });
  }
}

/** The requested resource does not exist (or is hidden from the caller). HTTP 404. */
export class NotFoundError extends OtelkitError {
  /** @param message what was not found. @param options code (default `NOT_FOUND`), details, expose, cause. */
  constructor(message = 'Not found', options: OtelkitErrorOptions = {}) {
    super(message, 404, { ...options, code: options.code ?? 'NOT_FOUND' });
  }
}

/** The caller is known but not allowed to do this. HTTP 403. */
export class PermissionError extends OtelkitError {
  /** @param message what was refused. @param options code (default `PERMISSION_DENIED`), details, expose, cause. */
  constructor(message = 'Permission denied', options: OtelkitErrorOptions = {}) {
    super(message, 403, { ...options, code: options.code ?? 'PERMISSION_DENIED' });
  }
}

/** The request conflicts with the resource's current state (duplicate, stale version). HTTP 409. */
export class ConflictError extends OtelkitError {
  /** @param message what conflicts. @param options code (default `CONFLICT`), details, expose, cause. */
  constructor(message = 'Conflict', options: OtelkitErrorOptions = {}) {
    super(message, 409, { ...options, code: options.code ?? 'CONFLICT' });
  }
}

/** The caller exceeded a rate limit. HTTP 429. */
export class RateLimitedError extends OtelkitError {
  /** Seconds after which the client may retry, for the `Retry-After` header. */
  readonly retryAfterSeconds?: number;

  /** @param message which limit. @param options retryAfterSeconds, code (default `RATE_LIMITED`), details, expose, cause. */
  constructor(message = 'Too many requests', options: RetryableErrorOptions = {}) {
    super(message, 429, { ...options, code: options.code ?? 'RATE_LIMITED' });
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** A dependency or the service itself is temporarily unavailable. HTTP 503. */
export class UnavailableError extends OtelkitError {
  /** Seconds after which the client may retry, for the `Retry-After` header. */
  readonly retryAfterSeconds?: number;

  /** @param message what is unavailable. @param options retryAfterSeconds, code (default `UNAVAILABLE`), details, expose (default false), cause. */
  constructor(message = 'Service unavailable', options: RetryableErrorOptions = {}) {
    super(message, 503, { ...options, code: options.code ?? 'UNAVAILABLE' });
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** Whether `error` is an {@link OtelkitError}, including one from another copy of this package. */
export function isOtelkitError(error: unknown): error is OtelkitError {
  return (
    error instanceof OtelkitError ||
    (typeof error === 'object' &&
      error !== null &&
      (error as Record<symbol, unknown>)[OTELKIT_ERROR] === true)
  );
}

function validStatus(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 599
    ? value
    : undefined;
}

/**
 * The HTTP status to answer with for `error`: an {@link OtelkitError}'s `httpStatus`; otherwise a
 * 4xx/5xx `status` or `statusCode` the error carries (http-errors, Express body parsers and Fastify
 * set them); otherwise 500.
 */
export function httpStatusOf(error: unknown): number {
  if (typeof error !== 'object' || error === null) return 500;
  try {
    const candidate = error as { httpStatus?: unknown; status?: unknown; statusCode?: unknown };
    return (
      validStatus(candidate.httpStatus) ??
      validStatus(candidate.status) ??
      validStatus(candidate.statusCode) ??
      500
    );
  } catch {
    return 500;
  }
}

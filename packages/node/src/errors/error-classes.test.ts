import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  httpStatusOf,
  isOtelkitError,
  NotFoundError,
  OtelkitError,
  PermissionError,
  RateLimitedError,
  UnavailableError,
  ValidationError,
} from './error-classes.js';

describe('error classes', () => {
  it.each([
    [new ValidationError('bad date'), 'ValidationError', 400, 'VALIDATION_FAILED'],
    [new NotFoundError('no invoice'), 'NotFoundError', 404, 'NOT_FOUND'],
    [new PermissionError('not yours'), 'PermissionError', 403, 'PERMISSION_DENIED'],
    [new ConflictError('stale version'), 'ConflictError', 409, 'CONFLICT'],
    [new RateLimitedError('slow down'), 'RateLimitedError', 429, 'RATE_LIMITED'],
    [new UnavailableError('db down'), 'UnavailableError', 503, 'UNAVAILABLE'],
    [new OtelkitError('boom'), 'OtelkitError', 500, 'INTERNAL'],
  ])('%s maps to its status, name and code', (error, name, status, code) => {
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(OtelkitError);
    expect(error.name).toBe(name);
    expect(error.stack?.split('\n')[0]).toBe(`${name}: ${error.message}`);
    expect(error.httpStatus).toBe(status);
    expect(httpStatusOf(error)).toBe(status);
    expect(error.code).toBe(code);
    expect(isOtelkitError(error)).toBe(true);
  });

  it('names application subclasses after themselves', () => {
    class InvoiceLockedError extends OtelkitError {
      constructor() {
        super('invoice is locked', 423, { code: 'INVOICE_LOCKED' });
      }
    }
    const error = new InvoiceLockedError();
    expect(error.name).toBe('InvoiceLockedError');
    expect(httpStatusOf(error)).toBe(423);
  });

  it('exposes messages of client errors only', () => {
    const notFound = new NotFoundError('no invoice 7', { details: { id: 7 } });
    expect(notFound.expose).toBe(true);
    expect(notFound.toJSON()).toEqual({
      code: 'NOT_FOUND',
      message: 'no invoice 7',
      status: 404,
      details: { id: 7 },
    });
    const unavailable = new UnavailableError('pg pool exhausted at 10.0.0.5', {
      details: { host: '10.0.0.5' },
    });
    expect(unavailable.expose).toBe(false);
    expect(unavailable.toJSON()).toEqual({
      code: 'UNAVAILABLE',
      message: 'Service Unavailable',
      status: 503,
    });
    expect(new ValidationError('x', { expose: false }).toJSON().message).toBe('Bad Request');
    expect(new OtelkitError('boom').toJSON().message).toBe('Internal Server Error');
  });

  it('maps a status outside 400-599 to 500, as httpStatusOf does', () => {
    const moved = new OtelkitError('moved', 302);
    expect(moved.httpStatus).toBe(500);
    expect(httpStatusOf(moved)).toBe(500);
    expect(moved.toJSON()).toMatchObject({ status: 500, message: 'Internal Server Error' });
    expect(new OtelkitError('teapot', 418).httpStatus).toBe(418);
  });

  it('carries code, cause and retry-after', () => {
    const cause = new Error('redis said no');
    const limited = new RateLimitedError('quota', { retryAfterSeconds: 30, code: 'QUOTA', cause });
    expect(limited.retryAfterSeconds).toBe(30);
    expect(limited.code).toBe('QUOTA');
    expect(limited.cause).toBe(cause);
    expect(new UnavailableError('down', { retryAfterSeconds: 5 }).retryAfterSeconds).toBe(5);
    expect(new NotFoundError().message).toBe('Not found');
  });
});

describe('httpStatusOf', () => {
  it('reads 4xx/5xx status or statusCode from other libraries, and defaults to 500', () => {
    expect(httpStatusOf(Object.assign(new Error('too large'), { status: 413 }))).toBe(413);
    expect(httpStatusOf({ statusCode: 502 })).toBe(502);
    expect(httpStatusOf({ httpStatus: 404 })).toBe(404);
    expect(httpStatusOf({ status: 200 })).toBe(500);
    expect(httpStatusOf({ status: '404' })).toBe(500);
    expect(httpStatusOf(new Error('plain'))).toBe(500);
    expect(httpStatusOf('string')).toBe(500);
    expect(httpStatusOf(null)).toBe(500);
    expect(httpStatusOf(undefined)).toBe(500);
  });

  it('recognises errors from another copy of the package by their brand', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('otelkit.error')]: true, httpStatus: 409 });
    expect(isOtelkitError(foreign)).toBe(true);
    expect(isOtelkitError(new Error('x'))).toBe(false);
    expect(httpStatusOf(foreign)).toBe(409);
  });
});

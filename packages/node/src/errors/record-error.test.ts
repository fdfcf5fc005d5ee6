import { metrics, type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import type { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import type { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { ERROR_EVENT_NAME, ErrorAttributes, ErrorsMetric, REDACTED } from '@otelkit/conventions';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GlobalTestSdk, installGlobalTestSdk, uninstallGlobalTestSdk } from '../testing/global-sdk.js';
import { NotFoundError, ValidationError } from './error-classes.js';
import { exceptionFingerprint } from './fingerprint.js';
import { recordError } from './record-error.js';

let spans: InMemorySpanExporter;
let logRecords: InMemoryLogRecordExporter;
let sdk: GlobalTestSdk;

beforeEach(() => {
  sdk = installGlobalTestSdk();
  ({ spans, logRecords } = sdk);
});

afterEach(uninstallGlobalTestSdk);

const errorCounter = () => sdk.dataPoints(ErrorsMetric.name);

function inSpan<T>(fn: (span: Span) => T): T {
  return trace.getTracer('test').startActiveSpan('work', (span) => {
    try {
      return fn(span);
    } finally {
      span.end();
    }
  });
}

function loadInvoice(id: number): never {
  throw new TypeError(`invoice ${id} has no customer`);
}

function caught(fn: () => void): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('recordError', () => {
  it('records an exception event on the active span, sets it to ERROR, logs and counts', async () => {
    const error = caught(() => loadInvoice(7));
    const { traceId, spanId } = inSpan((span) => {
      const fingerprint = recordError(error, { 'invoice.id': 7, 'app.tenant': 'acme' });
      expect(fingerprint).toBe(exceptionFingerprint(error));
      return span.spanContext();
    });

    const [span] = spans.getFinishedSpans();
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.status.message).toBe('TypeError: invoice 7 has no customer');
    const event = span?.events.find((candidate) => candidate.name === 'exception');
    expect(event?.attributes).toMatchObject({
      [ErrorAttributes.type]: 'TypeError',
      [ErrorAttributes.message]: 'invoice 7 has no customer',
      [ErrorAttributes.fingerprint]: exceptionFingerprint(error),
      [ErrorAttributes.origin]: 'handled',
      'invoice.id': 7,
    });
    expect(String(event?.attributes?.[ErrorAttributes.stacktrace])).toContain('at loadInvoice');

    const [record] = logRecords.getFinishedLogRecords();
    expect(record?.eventName).toBe(ERROR_EVENT_NAME);
    expect(record?.severityText).toBe('ERROR');
    expect(record?.body).toBe('invoice 7 has no customer');
    expect(record?.spanContext?.traceId).toBe(traceId);
    expect(record?.spanContext?.spanId).toBe(spanId);
    expect(record?.attributes).toMatchObject({
      [ErrorAttributes.type]: 'TypeError',
      [ErrorAttributes.fingerprint]: exceptionFingerprint(error),
      'app.tenant': 'acme',
    });
    expect(String(record?.attributes[ErrorAttributes.stacktrace])).toMatch(
      /^TypeError: invoice 7 has no customer\n\s+at /,
    );

    expect(await errorCounter()).toEqual([
      {
        attributes: {
          [ErrorAttributes.type]: 'TypeError',
          [ErrorAttributes.fingerprint]: exceptionFingerprint(error),
        },
        value: 1,
      },
    ]);
  });

  it('counts the same error thrown twice as one series, and a different one as another', async () => {
    recordError(caught(() => loadInvoice(1)));
    recordError(caught(() => loadInvoice(2)));
    recordError(caught(() => JSON.parse('{')));
    const points = await errorCounter();
    expect(points).toHaveLength(2);
    expect(points.find((point) => point.attributes[ErrorAttributes.type] === 'TypeError')?.value).toBe(2);
    expect(points.find((point) => point.attributes[ErrorAttributes.type] === 'SyntaxError')?.value).toBe(1);
  });

  it('works without an active span and keeps cardinality to type and fingerprint', async () => {
    recordError(new Error('no span'), { 'request.id': 'abc' });
    expect(logRecords.getFinishedLogRecords()).toHaveLength(1);
    expect(logRecords.getFinishedLogRecords()[0]?.spanContext).toBeUndefined();
    const [point] = await errorCounter();
    expect(Object.keys(point?.attributes ?? {}).sort()).toEqual([
      ErrorAttributes.fingerprint,
      ErrorAttributes.type,
    ]);
  });

  it('records client errors (4xx) as WARN without failing the span', () => {
    inSpan(() => {
      recordError(new NotFoundError('no invoice 9'));
      recordError(new ValidationError('bad date'));
    });
    const [span] = spans.getFinishedSpans();
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    expect(span?.events.map((event) => event.attributes?.[ErrorAttributes.type])).toEqual([
      'NotFoundError',
      'ValidationError',
    ]);
    const records = logRecords.getFinishedLogRecords();
    expect(records.map((record) => record.severityText)).toEqual(['WARN', 'WARN']);
    expect(records[0]?.attributes[ErrorAttributes.code]).toBe('NOT_FOUND');
  });

  it('redacts secrets from context, message and stack, and keeps its own attributes authoritative', () => {
    const error = new Error(
      'login failed with Authorization: Bearer abcDEF123456ghi for https://bob:hunter2@db.internal',
    );
    recordError(error, {
      password: 'hunter2',
      'http.request.header.cookie': 'sid=abc',
      note: 'token=s3cr3t-v4lue',
      'user.id': 'u-42',
      [ErrorAttributes.type]: 'Spoofed',
    });
    const [record] = logRecords.getFinishedLogRecords();
    const serialised = JSON.stringify(record?.attributes) + JSON.stringify(record?.body);
    expect(serialised).not.toContain('hunter2');
    expect(serialised).not.toContain('abcDEF123456ghi');
    expect(serialised).not.toContain('s3cr3t');
    expect(record?.attributes).toMatchObject({
      password: REDACTED,
      'http.request.header.cookie': REDACTED,
      'user.id': 'u-42',
      [ErrorAttributes.type]: 'Error',
    });
    expect(record?.body).toBe(
      `login failed with Authorization: Bearer ${REDACTED} for https://${REDACTED}@db.internal`,
    );
  });

  it('handles thrown non-errors', async () => {
    recordError('plain string');
    recordError({ message: 'object with message', code: 'E_THING' });
    recordError({ reason: 'no message', apiKey: 'k-123456789' });
    recordError(null);
    recordError(undefined);
    const records = logRecords.getFinishedLogRecords();
    expect(records.map((record) => record.attributes[ErrorAttributes.type])).toEqual([
      'string',
      'Object',
      'Object',
      'null',
      'undefined',
    ]);
    expect(records[0]?.body).toBe('plain string');
    expect(records[1]?.attributes[ErrorAttributes.code]).toBe('E_THING');
    expect(records[2]?.body).toContain("reason: 'no message'");
    expect(records[2]?.body).not.toContain('k-123456789');
    expect(records[0]?.attributes[ErrorAttributes.stacktrace]).toBeUndefined();
    expect((await errorCounter()).reduce((sum, point) => sum + Number(point.value), 0)).toBe(5);
  });

  it('appends the cause chain to the stack trace', () => {
    const root = new Error('connection reset');
    recordError(new Error('query failed', { cause: root }));
    const stack = String(logRecords.getFinishedLogRecords()[0]?.attributes[ErrorAttributes.stacktrace]);
    expect(stack).toContain('Error: query failed');
    expect(stack).toContain('\nCaused by: Error: connection reset');
  });

  it('bounds huge messages', () => {
    recordError(new Error('x'.repeat(100_000)));
    expect(String(logRecords.getFinishedLogRecords()[0]?.body).length).toBeLessThan(5000);
  });

  it('never throws, even when the telemetry providers do', () => {
    logs.disable();
    metrics.disable();
    const broken = {
      getLogger: () => {
        throw new Error('logger broken');
      },
      getMeter: () => {
        throw new Error('meter broken');
      },
    };
    logs.setGlobalLoggerProvider(broken);
    metrics.setGlobalMeterProvider(broken);
    expect(() => recordError(new Error('still fine'))).not.toThrow();
    expect(recordError(new Error('still fine'))).toMatch(/^[0-9a-f]{16}$/);
  });
});

import { trace } from '@opentelemetry/api';
import type { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import {
  REDACTED,
  SECURITY_EVENT_NAME,
  SecurityAttributes,
  SecurityEventsMetric,
  type SecurityEventType,
  type SecurityOutcome,
} from '@otelkit/conventions';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type GlobalTestSdk, installGlobalTestSdk, uninstallGlobalTestSdk } from '../testing/global-sdk.js';
import { securityEvent } from './security-event.js';

let logRecords: InMemoryLogRecordExporter;
let sdk: GlobalTestSdk;

beforeEach(() => {
  sdk = installGlobalTestSdk();
  ({ logRecords } = sdk);
});

afterEach(uninstallGlobalTestSdk);

const securityCounter = () => sdk.dataPoints(SecurityEventsMetric.name);

describe('securityEvent', () => {
  it('emits one log record with the fixed schema, in the active trace', () => {
    const spanContext = trace.getTracer('test').startActiveSpan('POST /login', (span) => {
      securityEvent({
        type: 'authentication',
        outcome: 'failure',
        action: 'login',
        reason: 'bad_password',
        resource: '/login',
        userId: 'u-42',
        ip: '203.0.113.9',
        userAgent: 'curl/8.5.0',
        attributes: { 'auth.method': 'password', 'login.attempt': 3 },
      });
      span.end();
      return span.spanContext();
    });

    const records = logRecords.getFinishedLogRecords();
    expect(records).toHaveLength(1);
    const [record] = records;
    expect(record?.eventName).toBe(SECURITY_EVENT_NAME);
    expect(record?.severityText).toBe('WARN');
    expect(record?.body).toBe('security authentication failure: login (bad_password)');
    expect(record?.instrumentationScope.name).toBe('@otelkit/node');
    expect(record?.spanContext?.traceId).toBe(spanContext.traceId);
    expect(record?.attributes).toEqual({
      [SecurityAttributes.type]: 'authentication',
      [SecurityAttributes.outcome]: 'failure',
      [SecurityAttributes.action]: 'login',
      [SecurityAttributes.reason]: 'bad_password',
      [SecurityAttributes.resource]: '/login',
      [SecurityAttributes.userId]: 'u-42',
      [SecurityAttributes.clientAddress]: '203.0.113.9',
      [SecurityAttributes.userAgent]: 'curl/8.5.0',
      'auth.method': 'password',
      'login.attempt': 3,
    });
  });

  it("takes Express's req.ip, which may be undefined, as the README shows", () => {
    const req: { ip?: string | undefined } = {};
    securityEvent({ type: 'authentication', outcome: 'failure', userId: 'bob', ip: req.ip });
    const [record] = logRecords.getFinishedLogRecords();
    expect(record?.attributes[SecurityAttributes.clientAddress]).toBeUndefined();
    expect(record?.attributes[SecurityAttributes.type]).toBe('authentication');
  });

  it('logs successes at INFO and everything else at WARN', () => {
    const outcomes: SecurityOutcome[] = ['success', 'failure', 'denied', 'blocked'];
    for (const outcome of outcomes) securityEvent({ type: 'authorization', outcome });
    expect(logRecords.getFinishedLogRecords().map((record) => record.severityText)).toEqual([
      'INFO',
      'WARN',
      'WARN',
      'WARN',
    ]);
  });

  it('counts by type and outcome only', async () => {
    securityEvent({ type: 'authentication', outcome: 'failure', userId: 'a', ip: '10.0.0.1' });
    securityEvent({ type: 'authentication', outcome: 'failure', userId: 'b', ip: '10.0.0.2' });
    securityEvent({ type: 'authentication', outcome: 'success', userId: 'a' });
    securityEvent({ type: 'rate_limit', outcome: 'blocked', attributes: { 'limit.name': 'api' } });
    const points = await securityCounter();
    const byLabels = Object.fromEntries(
      points.map((point) => [
        `${point.attributes[SecurityEventsMetric.attributes.type]}/${point.attributes[SecurityEventsMetric.attributes.outcome]}`,
        point.value,
      ]),
    );
    expect(byLabels).toEqual({
      'authentication/failure': 2,
      'authentication/success': 1,
      'rate_limit/blocked': 1,
    });
    for (const point of points) {
      expect(Object.keys(point.attributes).sort()).toEqual([
        SecurityAttributes.outcome,
        SecurityAttributes.type,
      ]);
    }
  });

  it('never lets secrets out, and keeps the user id and ip', () => {
    securityEvent({
      type: 'authentication',
      outcome: 'failure',
      action: 'login',
      reason: 'rejected Authorization: Bearer abcDEF123456ghi',
      userId: 'u-42',
      ip: '203.0.113.9',
      attributes: {
        password: 'hunter2',
        'http.request.header.cookie': 'session=s3cr3t',
        sessionId: 's-123456',
        'payment.card': '4111 1111 1111 1111',
        'request.url': 'https://api.example.com/login?api_key=k3y123&next=/home',
      },
    });
    const [record] = logRecords.getFinishedLogRecords();
    const serialised = JSON.stringify(record?.attributes) + JSON.stringify(record?.body);
    for (const secret of ['hunter2', 's3cr3t', 's-123456', '4111', 'k3y123', 'abcDEF123456ghi']) {
      expect(serialised).not.toContain(secret);
    }
    expect(record?.attributes).toMatchObject({
      password: REDACTED,
      sessionId: REDACTED,
      'request.url': `https://api.example.com/login?api_key=${REDACTED}&next=/home`,
      [SecurityAttributes.userId]: 'u-42',
      [SecurityAttributes.clientAddress]: '203.0.113.9',
    });
  });

  it('keeps the schema authoritative over extra attributes', () => {
    securityEvent({
      type: 'authorization',
      outcome: 'denied',
      attributes: { [SecurityAttributes.outcome]: 'success', [SecurityAttributes.type]: 'session' },
    });
    expect(logRecords.getFinishedLogRecords()[0]?.attributes).toMatchObject({
      [SecurityAttributes.type]: 'authorization',
      [SecurityAttributes.outcome]: 'denied',
    });
  });

  it('reports unknown types as other and unknown outcomes as failure', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    securityEvent({ type: 'made-up' as SecurityEventType, outcome: 'maybe' as SecurityOutcome });
    securityEvent({ type: 'made-up' as SecurityEventType, outcome: 'maybe' as SecurityOutcome });
    securityEvent({ type: 'login' as SecurityEventType, outcome: 'success' });
    // Each distinct mistake once, where a developer sees it without turning on diagnostics.
    const lines = stderr.mock.calls.map(([line]) => String(line));
    stderr.mockRestore();
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^otelkit: securityEvent\(\) type "made-up" is not one of authentication, .*; reported as "other"\n$/,
    );
    expect(lines[1]).toMatch(
      /^otelkit: securityEvent\(\) outcome "maybe" is not one of success, .*; reported as "failure"\n$/,
    );
    expect(lines[2]).toMatch(/type "login" is not one of/);
    expect(logRecords.getFinishedLogRecords()[0]?.attributes).toMatchObject({
      [SecurityAttributes.type]: 'other',
      [SecurityAttributes.outcome]: 'failure',
    });
    expect((await securityCounter())[0]?.attributes).toEqual({
      [SecurityAttributes.type]: 'other',
      [SecurityAttributes.outcome]: 'failure',
    });
  });

  it('bounds free-text fields', () => {
    securityEvent({ type: 'input_validation', outcome: 'blocked', userAgent: 'x'.repeat(10_000) });
    expect(
      String(logRecords.getFinishedLogRecords()[0]?.attributes[SecurityAttributes.userAgent]),
    ).toHaveLength(512);
  });

  it('masks before bounding, so the cut cannot strand half a secret', () => {
    // The cut at 512 falls inside the password, before the `@` that marks it as one.
    const prefix = `${'x'.repeat(480)} postgres://app:`;
    securityEvent({
      type: 'authentication',
      outcome: 'failure',
      reason: `${prefix}SuperSecretPassword@db:5432/app refused`,
    });
    const [record] = logRecords.getFinishedLogRecords();
    const reason = String(record?.attributes[SecurityAttributes.reason]);
    expect(JSON.stringify(record?.attributes) + JSON.stringify(record?.body)).not.toContain('SuperSecret');
    expect(reason).toHaveLength(512);
    expect(reason).toContain(`x postgres://${REDACTED}@db:5432`);
  });

  it('never throws', () => {
    expect(() => securityEvent(undefined as unknown as Parameters<typeof securityEvent>[0])).not.toThrow();
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('no');
        },
      },
    ) as Parameters<typeof securityEvent>[0];
    expect(() => securityEvent(hostile)).not.toThrow();
  });
});

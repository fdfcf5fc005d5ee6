/**
 * The public option types of @otelkit/node as an application with `exactOptionalPropertyTypes`
 * (this repository enables it in every tsconfig, test/ included) writes them: values read from the
 * environment or a request are often `string | undefined`, and each optional field must take
 * them. `pnpm typecheck` compiles this file; the assertions only keep vitest from reporting an
 * empty test.
 */
import type {
  CheckOptions,
  LoggerOptions,
  OtelkitErrorOptions,
  SecurityEvent,
  StartOptions,
} from '@otelkit/node';
import { describe, expect, it } from 'vitest';

describe('@otelkit/node option types', () => {
  it('take undefined in every optional field', () => {
    const env: Record<string, string | undefined> = {};
    const request: { ip?: string | undefined } = {};
    const start: StartOptions = { serviceName: env.SERVICE, endpoint: env.ENDPOINT, sampleRatio: undefined };
    const event: SecurityEvent = {
      type: 'authentication',
      outcome: 'failure',
      ip: request.ip,
      userId: env.USER,
    };
    const check: CheckOptions = { critical: undefined, timeoutMs: undefined };
    const logger: LoggerOptions = { level: env.LOG_LEVEL };
    const error: OtelkitErrorOptions = { code: env.CODE, details: undefined };
    expect([start, event, check, logger, error].every((value) => typeof value === 'object')).toBe(true);
  });
});

import * as transportModule from '@opentelemetry/winston-transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import winston from 'winston';
import { type GlobalTestSdk, installGlobalTestSdk, uninstallGlobalTestSdk } from '../testing/global-sdk.js';
import { patchWinstonTransportSplat } from './winston-splat.js';

let sdk: GlobalTestSdk;
beforeAll(() => {
  sdk = installGlobalTestSdk();
});
afterAll(uninstallGlobalTestSdk);

/** The records the upstream transport emits for what `log` writes through format.splat(). */
function emitted(log: (logger: winston.Logger) => void) {
  sdk.logRecords.reset();
  const logger = winston.createLogger({
    format: winston.format.combine(winston.format.splat(), winston.format.json()),
    transports: [new transportModule.OpenTelemetryTransportV3()],
  });
  log(logger);
  return sdk.logRecords.getFinishedLogRecords().map((r) => ({ body: r.body, attributes: r.attributes }));
}

describe('patchWinstonTransportSplat', () => {
  it('keeps %s and %d arguments from becoming an exception, and keeps real errors', () => {
    const plain = (logger: winston.Logger) => logger.info('user %s logged in after %d ms', 'bob', 35);
    // Unpatched, the upstream transport takes 'bob' for the exception: the bug worked around.
    expect(emitted(plain)[0]?.attributes['exception.message']).toBe('bob');

    patchWinstonTransportSplat(transportModule);
    patchWinstonTransportSplat(transportModule);
    const [record] = emitted(plain);
    expect(record?.body).toBe('user bob logged in after 35 ms');
    expect(record?.attributes).not.toHaveProperty('exception.message');
    // Objects formatted into the message are values too, whatever fields they have.
    const objects = emitted((logger) => {
      logger.info('loaded %s', { name: 'inventory-config' });
      logger.info('upstream answered %j', { message: 'ok', code: 200 });
    });
    for (const r of objects) expect(r.attributes).not.toHaveProperty('exception.type');

    // Errors still become the record's exception: passed after the message, or under `err`.
    const failures = emitted((logger) => {
      logger.error('payment failed', new Error('card declined'));
      logger.error('payment %s failed', 'p-2', { err: new Error('card declined') });
    });
    expect(failures.map((r) => r.attributes['exception.message'])).toEqual([
      'card declined',
      'card declined',
    ]);
    expect(failures[1]?.body).toBe('payment p-2 failed');
  });
});

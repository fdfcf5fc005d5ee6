import { join } from 'node:path';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { LogRecord } from '@opentelemetry/api-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leanWinstonLogRecords } from '../../scripts/upstream-rewrites.mjs';
import { BundledUpstream, upstreamPackageDir } from '../testing/bundled-upstream.js';

type EmitLogRecord = (
  record: object,
  logger: { emit(record: LogRecord): void },
  severityMapping?: Record<string, number>,
  logSeverity?: number,
) => void;

const utils = join(upstreamPackageDir('@opentelemetry/winston-transport'), 'build', 'src', 'utils.js');
const bundles = new BundledUpstream();
const LEVEL = Symbol.for('level');
const SPLAT = Symbol.for('splat');
const MESSAGE = Symbol.for('message');
const CONTEXT = Symbol.for('opentelemetry.js.contrib.winston.context');

/** A winston record as a logger hands it to its transports, with `fields` besides. */
function info(level: string, message: unknown, fields: Record<string | symbol, unknown> = {}): object {
  return { level, message, ...fields, [LEVEL]: level, [MESSAGE]: JSON.stringify({ level, message }) };
}

function withCause(): Error {
  const error = new Error('charge failed', {
    cause: Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }),
  });
  return Object.assign(error, { code: 402 });
}

/** Records of every shape the transport treats apart. */
function records(): object[] {
  const inherited = Object.assign(
    Object.create({ fromPrototype: 'not an attribute' }),
    info('info', 'inherits'),
  );
  const hidden = info('info', 'hidden field');
  Object.defineProperty(hidden, 'secret', { value: 's3cr3t', enumerable: false });
  return [
    info('info', 'said hello', { name: 'world' }),
    info('warn', 'correlated', {
      trace_id: 'ab'.repeat(16),
      span_id: 'cd'.repeat(8),
      trace_flags: '01',
      user: 7,
    }),
    info('info', 'an event', { 'otel.event.name': 'checkout.completed', orderId: 'o-1' }),
    info('info', 'not an event name', { 'otel.event.name': 42 }),
    info('error', 'failed', { err: withCause(), orderId: 'o-2' }),
    info('error', 'failed', {
      error: { name: 'PaymentError', message: 'declined', stack: 'PaymentError: declined' },
    }),
    info('error', 'splat', { [SPLAT]: ['alice', new TypeError('bad input')] }),
    info('error', 'boom', {
      stack: 'RangeError: boom\n    at f (a.js:1:1)',
      code: 'E_RANGE',
      name: 'RangeError',
      other: 1,
    }),
    info('info', 'numeric keys', { 10: 'ten', 2: 'two', b: 'bee', a: 'ay' }),
    info(
      'info',
      { structured: 'body' },
      { nested: { a: [1, 2, { b: 3 }] }, when: new Date(0), none: null, list: ['x', 1] },
    ),
    info('debug', 'with context', { [CONTEXT]: ROOT_CONTEXT, requestId: 'r-1' }),
    info('silly', 'unknown level'),
    inherited,
    hidden,
  ];
}

describe('the lean-winston-log-records rewrite of winston-transport', () => {
  let upstream: EmitLogRecord;
  let lean: EmitLogRecord;
  beforeAll(async () => {
    const source = `export { emitLogRecord } from ${JSON.stringify(utils)};`;
    upstream = (await bundles.load<{ emitLogRecord: EmitLogRecord }>('upstream', source, [])).emitLogRecord;
    lean = (await bundles.load<{ emitLogRecord: EmitLogRecord }>('lean', source, [leanWinstonLogRecords]))
      .emitLogRecord;
  });
  afterAll(() => bundles.dispose());

  /** What `emit` hands the logger for each record. */
  const emitted = (emit: EmitLogRecord, all: object[], logSeverity?: number) => {
    const out: LogRecord[] = [];
    for (const record of all)
      emit(record, { emit: (logRecord) => out.push(logRecord) }, undefined, logSeverity);
    return out;
  };

  it('is in effect: the bundled function no longer copies the record', () => {
    expect(lean.toString()).not.toContain('...');
    expect(upstream.toString()).toContain('...');
  });

  it('hands the logger the same log records, with their attributes in the same order', () => {
    // One set of records for both, so that their errors' stacks are the same.
    const all = records();
    const before = emitted(upstream, all);
    const after = emitted(lean, all);
    expect(before).toHaveLength(all.length);
    expect(after).toStrictEqual(before);
    expect(after.map((r) => Object.keys(r.attributes ?? {}))).toEqual(
      before.map((r) => Object.keys(r.attributes ?? {})),
    );
    expect(after.map((r) => Object.keys(r))).toEqual(before.map((r) => Object.keys(r)));
    // The cases above are what they claim to be.
    expect(after[1].attributes).toEqual({ user: 7 });
    expect(after[2].eventName).toBe('checkout.completed');
    expect(after[4].exception).toBeInstanceOf(Error);
    expect(after[10].context).toBe(ROOT_CONTEXT);
  });

  it('drops the same records below the minimum severity', () => {
    const all = records();
    const kept = emitted(lean, all, 13);
    expect(kept).toStrictEqual(emitted(upstream, all, 13));
    expect(kept.length).toBeLessThan(all.length);
  });
});

const SPLAT = Symbol.for('splat');
const PATCHED = Symbol.for('otelkit.winstonTransport.splatPatched');

/** The part of `@opentelemetry/winston-transport`'s exports this patch touches. */
export interface WinstonTransportModule {
  /** The transport class instrumentation-winston adds to every logger. */
  OpenTelemetryTransportV3: { prototype: { log(info: object, callback: () => void): void } };
}

// What the transport may take for an exception: an Error, or an object carrying a stack. A plain
// object passed for %s or %j ({ name: 'inventory-config' }) is a value, not an error.
const isError = (value: unknown) =>
  value instanceof Error ||
  (typeof value === 'object' && value !== null && typeof (value as { stack?: unknown }).stack === 'string');

/**
 * Works around `@opentelemetry/winston-transport` 0.34, the newest, taking any string or number
 * among a record's splat arguments for an exception: `log.info('user %s logged in', 'bob')` got
 * `exception.message: "bob"`, and every `%s`/`%d` log line of an application looked like an
 * error in Loki; so did an object with a `name` or `message` passed for `%s` or `%j`. The
 * transport now sees only the errors among them (an `Error` passed after the message still
 * becomes the record's exception); the values are in the message already, formatted by
 * `format.splat()`. Other transports see the record unchanged.
 */
export function patchWinstonTransportSplat(module: WinstonTransportModule): void {
  const prototype = module.OpenTelemetryTransportV3
    .prototype as WinstonTransportModule['OpenTelemetryTransportV3']['prototype'] & {
    [PATCHED]?: true;
  };
  if (prototype[PATCHED]) return;
  const original = prototype.log;
  prototype.log = function log(info: object, callback: () => void): void {
    const splat = (info as { [SPLAT]?: unknown })[SPLAT];
    const handed =
      Array.isArray(splat) && !splat.every(isError) ? { ...info, [SPLAT]: splat.filter(isError) } : info;
    original.call(this, handed, callback);
  };
  prototype[PATCHED] = true;
}

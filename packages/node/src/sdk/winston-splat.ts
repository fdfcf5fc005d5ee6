const SPLAT = Symbol.for('splat');
const PATCHED = Symbol.for('otelkit.winstonTransport.splatPatched');

/** The part of `@opentelemetry/winston-transport`'s exports this patch touches. */
export interface WinstonTransportModule {
  /** The transport class instrumentation-winston adds to every logger. */
  OpenTelemetryTransportV3: { prototype: { log(info: object, callback: () => void): void } };
}

const isObject = (value: unknown) => typeof value === 'object' && value !== null;

/**
 * Works around `@opentelemetry/winston-transport` 0.34, the newest, taking any string or number
 * among a record's splat arguments for an exception: `log.info('user %s logged in', 'bob')` got
 * `exception.message: "bob"`, and every `%s`/`%d` log line of an application looked like an
 * error in Loki. The transport now sees only the objects among them (an `Error` passed after the
 * message still becomes the record's exception); the strings and numbers are in the message
 * already, formatted by `format.splat()`. Other transports see the record unchanged.
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
      Array.isArray(splat) && !splat.every(isObject) ? { ...info, [SPLAT]: splat.filter(isObject) } : info;
    original.call(this, handed, callback);
  };
  prototype[PATCHED] = true;
}

import { DEFAULT_INSTRUMENTATIONS, isPathPattern } from './env.js';
import { isHttpUrl } from './env-values.js';
import type { InstrumentationName, OtlpProtocol, StartOptions } from './options.js';

const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc'];

/** `start()` options with the unusable values taken out, and one line per value taken out. */
export interface CheckedStartOptions {
  /** The options without the invalid values, so that the environment or the default applies. */
  options: StartOptions;
  /** One line per invalid value, in the style of the environment's problems. */
  problems: string[];
}

/**
 * Checks the values of `start(options)` the way the `OTEL_*` variables are checked: a value the
 * SDK cannot use is reported on one line and dropped, so the environment or the default applies.
 * Without this, `sampleRatio: NaN` recorded no span at all and `endpoint: 'not a url'` turned
 * the whole SDK off; JavaScript callers and values read from config files reach here unchecked.
 */
export function checkStartOptions(options: StartOptions): CheckedStartOptions {
  const checked: StartOptions = { ...options };
  const problems: string[] = [];
  const reject = (key: keyof StartOptions, expected: string) => {
    problems.push(
      `otelkit: start({ ${key}: ${show(options[key])} }) is invalid: expected ${expected}; using the environment or the default`,
    );
    delete checked[key];
  };
  if (options.serviceName !== undefined && !nonEmptyString(options.serviceName)) {
    reject('serviceName', 'a non-empty string');
  }
  if (options.serviceVersion !== undefined && !nonEmptyString(options.serviceVersion)) {
    reject('serviceVersion', 'a non-empty string');
  }
  if (options.endpoint !== undefined && !isHttpUrl(options.endpoint)) {
    reject('endpoint', 'an http:// or https:// URL such as http://collector:4318');
  }
  if (options.protocol !== undefined && !PROTOCOLS.includes(options.protocol)) {
    reject('protocol', `one of ${PROTOCOLS.join(', ')}`);
  }
  if (options.sampleRatio !== undefined && !inRange(options.sampleRatio, 0, 1)) {
    reject('sampleRatio', 'a number from 0 to 1');
  }
  if (options.metricExportIntervalMs !== undefined && !inRange(options.metricExportIntervalMs, 1, Infinity)) {
    reject('metricExportIntervalMs', 'a number of milliseconds above 0');
  }
  if (options.shutdownTimeoutMs !== undefined && !inRange(options.shutdownTimeoutMs, 0, Infinity)) {
    reject('shutdownTimeoutMs', 'a number of milliseconds, 0 or more');
  }
  if (options.instrumentations !== undefined) {
    const known = Array.isArray(options.instrumentations)
      ? options.instrumentations.filter((name): name is InstrumentationName =>
          (DEFAULT_INSTRUMENTATIONS as readonly unknown[]).includes(name),
        )
      : undefined;
    if (known === undefined || known.length !== options.instrumentations.length) {
      problems.push(
        `otelkit: start({ instrumentations: ${show(options.instrumentations)} }) is invalid: expected an array of ${DEFAULT_INSTRUMENTATIONS.join(', ')}; ${known ? 'using the known names only' : 'using the environment or the default'}`,
      );
      if (known) checked.instrumentations = known;
      else delete checked.instrumentations;
    }
  }
  if (options.ignorePaths !== undefined) {
    const valid = (path: unknown) => typeof path === 'string' && isPathPattern(path);
    const list: unknown[] | undefined = Array.isArray(options.ignorePaths) ? options.ignorePaths : undefined;
    const rejected = list?.filter((path) => !valid(path)) ?? [];
    if (list === undefined || rejected.length > 0) {
      // With no valid entry left, the environment's list applies rather than none at all.
      const kept = (list?.filter(valid) ?? []) as string[];
      problems.push(
        `otelkit: start({ ignorePaths: ${show(options.ignorePaths)} }) is invalid${list ? ` at ${rejected.map(show).join(', ')}` : ''}: expected an array of paths starting with "/", a trailing "/*" for everything below one (e.g. ["/metrics", "/internal/*"]); ${kept.length > 0 ? 'using the valid paths only' : 'using the environment or the default'}`,
      );
      if (kept.length > 0) checked.ignorePaths = kept;
      else delete checked.ignorePaths;
    }
  }
  return { options: checked, problems };
}

function nonEmptyString(value: unknown): boolean {
  return typeof value === 'string' && value.trim() !== '';
}

function inRange(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return JSON.stringify(value);
  return String(value);
}

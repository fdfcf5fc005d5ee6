import type { WebOptions } from './init.js';

/** `initWeb` options with unusable values replaced, and one line per replacement. */
export interface CheckedWebOptions {
  /** The options to start with. */
  options: WebOptions;
  /** What was wrong, for one `console.warn` each. */
  problems: string[];
}

type Replace = <K extends keyof WebOptions>(
  key: K,
  expected: string,
  value: WebOptions[K] | undefined,
) => void;

/**
 * Checks the options of `initWeb` the way a script-tag user can get them wrong: plain JavaScript
 * has no types to catch a string where an array goes. Before, such a value threw half-way through
 * start-up, and the page was left with some instrumentation registered, no page views and nothing
 * on the console. A value that cannot be used is replaced (by its default, or by the array a lone
 * URL pattern was meant to be) with one line saying so.
 */
export function checkWebOptions(given: unknown): CheckedWebOptions {
  const problems: string[] = [];
  if (typeof given !== 'object' || given === null) {
    return {
      options: { serviceName: 'unknown_service' },
      problems: [
        'initWeb() needs an options object such as { serviceName: "shop-web" }; using serviceName "unknown_service"',
      ],
    };
  }
  const options = { ...(given as WebOptions) };
  const replace: Replace = (key, expected, value) => {
    problems.push(`initWeb({ ${key}: ${show(options[key])} }) is invalid: expected ${expected}`);
    if (value === undefined) delete options[key];
    else options[key] = value;
  };
  if (typeof options.serviceName !== 'string' || options.serviceName.trim() === '') {
    replace(
      'serviceName',
      'a non-empty string such as "shop-web"; using "unknown_service"',
      'unknown_service',
    );
  }
  for (const key of ['propagateTraceHeaderCorsUrls', 'ignoreUrls'] as const) {
    const value: unknown = options[key];
    if (value === undefined || (Array.isArray(value) && value.every(isUrlPattern))) continue;
    if (isUrlPattern(value)) options[key] = [value];
    else replace(key, 'an array of URL prefixes or RegExps; ignored', undefined);
  }
  if (options.endpoint !== undefined && typeof options.endpoint !== 'string') {
    replace('endpoint', 'a URL string; using the default', undefined);
  }
  if (options.sampleRate !== undefined && !isNumberIn(options.sampleRate, 0, 1)) {
    replace('sampleRate', 'a number from 0 to 1; using 1', undefined);
  }
  for (const key of ['maxBufferedSpans', 'batchDelayMs', 'exportTimeoutMs'] as const) {
    const value = options[key];
    if (value !== undefined && !isNumberIn(value, 0, Number.MAX_SAFE_INTEGER)) {
      replace(key, 'a number, 0 or more; using the default', undefined);
    }
  }
  for (const key of ['beforeSend', 'pagePath'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'function') {
      replace(key, 'a function; ignored', undefined);
    }
  }
  return { options, problems };
}

function isUrlPattern(value: unknown): value is string | RegExp {
  return typeof value === 'string' || value instanceof RegExp;
}

function isNumberIn(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
}

function show(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (value instanceof RegExp || typeof value === 'number') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

import { accessSync, constants } from 'node:fs';

/** An environment to read settings from: `process.env` or a plain object in tests. */
export type Env = Record<string, string | undefined>;

/**
 * Records a rejected value: the variable, the value, the form it should have had and what is
 * used instead. Every reader below reports through it, so each bad value is one line.
 */
export type Reject = (name: string, value: string, expected: string, using: string) => void;

/**
 * Typed readers of environment variables. Each returns its fallback for an unset or empty
 * variable, and for an invalid one after reporting it through `reject`; none throws.
 */
export interface EnvValues {
  /** The trimmed value, or undefined when unset or blank. */
  text(name: string): string | undefined;
  /** `true` or `false`, in any case. */
  bool(name: string, fallback: boolean): boolean;
  /** A whole number from `min` to `max` (milliseconds unless `unit` says otherwise). */
  integer(name: string, fallback: number, min: number, max: number, unit?: string): number;
  /** A whole number from `min` up; an `Infinity` fallback means "no limit". */
  count(name: string, fallback: number, min: number): number;
  /** One of `allowed`, in any case. */
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T;
  /**
   * `key=value,…` with percent-encoded values; invalid pairs are dropped, the rest kept, and all
   * of them reported on one line. `secretValues` keeps the values out of that line.
   */
  keyValues(name: string, secretValues?: boolean): Record<string, string>;
  /** An http:// or https:// URL, without trailing slashes. */
  url(name: string, fallback: string): string;
  /** A path this process can read; one it cannot is reported, `using` saying what happens without it. */
  readableFile(name: string, using: string): string | undefined;
}

/** Whether `value` is an absolute http:// or https:// URL, as the OTLP endpoints must be. */
export function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/** Readers over `env` that report each invalid value through `reject`. */
export function envValues(env: Env, reject: Reject): EnvValues {
  const text = (name: string) => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const wholeNumber = (name: string, fallback: number, ok: (n: number) => boolean, expected: string) => {
    const value = text(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (Number.isInteger(parsed) && ok(parsed)) return parsed;
    reject(name, value, expected, fallback === Number.POSITIVE_INFINITY ? 'no limit' : String(fallback));
    return fallback;
  };
  return {
    text,
    bool(name, fallback) {
      const value = text(name);
      if (value === undefined) return fallback;
      if (/^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
      reject(name, value, 'true or false', String(fallback));
      return fallback;
    },
    integer(name, fallback, min, max, unit = 'milliseconds') {
      const expected = `a whole number of ${unit} from ${min} to ${max}`;
      return wholeNumber(name, fallback, (n) => n >= min && n <= max, expected);
    },
    count(name, fallback, min) {
      return wholeNumber(name, fallback, (n) => n >= min, `a whole number of at least ${min}`);
    },
    oneOf(name, allowed, fallback) {
      const value = text(name);
      if (value === undefined) return fallback;
      const lower = value.toLowerCase();
      const match = allowed.find((candidate) => candidate === lower);
      if (match !== undefined) return match;
      reject(name, value, `one of ${allowed.join(', ')}`, fallback);
      return fallback;
    },
    keyValues(name, secretValues = false) {
      const value = text(name);
      if (value === undefined) return {};
      const out: Record<string, string> = {};
      const faults: string[] = [];
      for (const pair of value.split(',')) {
        if (!pair.trim()) continue;
        const at = pair.indexOf('=');
        const key = at > 0 ? pair.slice(0, at).trim() : '';
        if (!key) {
          faults.push('a pair without a key');
          continue;
        }
        try {
          out[key] = decodeURIComponent(pair.slice(at + 1).trim());
        } catch {
          faults.push(`the value of "${key}"`);
        }
      }
      if (faults.length > 0) {
        // Headers carry API keys and tokens: the line names the keys, never the values.
        const shown = secretValues
          ? value.replace(/=[^,]*/g, '=***').replace(/(^|,)[^=,]+(?=,|$)/g, '$1***')
          : value;
        const expected = `comma-separated key=value pairs, values percent-encoded (check ${faults.join(', ')})`;
        reject(name, shown, expected, 'the valid pairs only');
      }
      return out;
    },
    url(name, fallback) {
      const value = text(name);
      if (value === undefined) return fallback;
      if (isHttpUrl(value)) return value.replace(/\/+$/, '');
      reject(
        name,
        value,
        'an http:// or https:// URL such as http://localhost:4318',
        fallback || 'the default',
      );
      return fallback;
    },
    readableFile(name, using) {
      const value = text(name);
      if (value === undefined) return undefined;
      try {
        accessSync(value, constants.R_OK);
        return value;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
        reject(name, value, `the path of a file this process can read (${code})`, using);
        return undefined;
      }
    },
  };
}

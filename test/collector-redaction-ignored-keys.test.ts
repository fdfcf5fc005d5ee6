import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from '@otelkit/stack';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Redaction {
  ignored_keys?: string[];
  blocked_key_patterns: string[];
}

const config = parse(readFileSync(join(repoRoot(), 'collector', 'config.yaml'), 'utf8')) as {
  processors: { redaction: Redaction };
};
const { ignored_keys: ignored = [], blocked_key_patterns: keyPatterns } = config.processors.redaction;

// The semantic conventions resolve from @otelkit/stack, whose dependency they are.
const semconv = createRequire(join(repoRoot(), 'packages', 'stack', 'package.json'))(
  '@opentelemetry/semantic-conventions/incubating',
) as Record<string, unknown>;

/** Attributes the semantic conventions type as `int`, which the redaction processor never masks by value. */
const INTEGER_ATTRIBUTES = new Set([
  'http.response.status_code',
  'server.port',
  'client.port',
  'network.peer.port',
  'network.local.port',
]);

/** Whether the semantic conventions give `key` a fixed list of values (`<KEY>_VALUE_<NAME>` constants). */
function isEnum(key: string): boolean {
  const prefix = `${key.toUpperCase().replace(/\./g, '_')}_VALUE_`;
  return Object.keys(semconv).some((name) => name.startsWith(prefix));
}

/** A Go pattern as a JS RegExp; only a leading `(?i)` is translated, any other inline flag fails. */
function goPattern(pattern: string): RegExp {
  const insensitive = pattern.startsWith('(?i)');
  const body = insensitive ? pattern.slice(4) : pattern;
  if (/\(\?[a-zA-Z]/.test(body)) throw new Error(`untranslated inline flag in ${pattern}`);
  return new RegExp(body, insensitive ? 'i' : '');
}

describe('the redaction processor’s ignored keys (collector/config.yaml)', () => {
  it('are a few of the attributes nearly every span and HTTP data point carries', () => {
    expect(ignored).toEqual(expect.arrayContaining(['http.request.method', 'http.response.status_code']));
  });

  it.each(ignored)('%s holds no secret: an integer or one of a fixed list of values', (key) => {
    expect(INTEGER_ATTRIBUTES.has(key) || isEnum(key)).toBe(true);
  });

  it.each(ignored)('%s matches no blocked key pattern, so ignoring it masks nothing less', (key) => {
    for (const pattern of keyPatterns) expect(goPattern(pattern).test(key), pattern).toBe(false);
  });

  it('checks the rule it claims: a free-text or secret-named key fails it', () => {
    expect(isEnum('http.route')).toBe(false);
    expect(isEnum('http.request.method')).toBe(true);
    expect(keyPatterns.some((p) => goPattern(p).test('client_secret'))).toBe(true);
  });
});

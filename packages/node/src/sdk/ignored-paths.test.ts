import { describe, expect, it } from 'vitest';
import { pathMatcher } from './ignored-paths.js';

describe('pathMatcher', () => {
  it('matches exact paths, and a /* pattern with everything below it', () => {
    const ignored = pathMatcher(['/metrics', '/internal/*']);
    for (const path of ['/metrics', '/internal', '/internal/', '/internal/stats/deep'])
      expect(ignored(path), path).toBe(true);
    for (const path of ['/metrics/x', '/internals', '/api/internal/stats', '/', '/metrics-report'])
      expect(ignored(path), path).toBe(false);
  });

  it('reaches a path in the forms a router takes it in', () => {
    const ignored = pathMatcher(['/healthz', '/Internal/*']);
    // Express matches in any case and with a trailing slash; Fastify percent-decodes; a proxy or
    // client may send the absolute form.
    for (const path of [
      '/healthz/',
      '/HEALTHZ',
      '/%68ealthz',
      'http://127.0.0.1:8080/healthz',
      '/internal/Stats',
      '/INTERNAL',
    ])
      expect(ignored(path), path).toBe(true);
    for (const path of ['/healthz/x', '/%zzhealthz', 'not a url', '/%2Fhealthz'])
      expect(ignored(path), path).toBe(false);
  });

  it('matches nothing without patterns, and everything with /*', () => {
    expect(pathMatcher([])('/health')).toBe(false);
    const all = pathMatcher(['/*']);
    expect(all('/')).toBe(true);
    expect(all('/any/path')).toBe(true);
  });
});

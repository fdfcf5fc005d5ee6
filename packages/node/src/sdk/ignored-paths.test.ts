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

  it('matches without one trailing slash, as Express routes by default', () => {
    const ignored = pathMatcher(['/healthz', '/internal/*']);
    for (const path of ['/healthz/', '/internal/', '/internal/stats/'])
      expect(ignored(path), path).toBe(true);
    for (const path of ['/healthz/x', '/healthz//', '*', '127.0.0.1:443', 'not a url'])
      expect(ignored(path), path).toBe(false);
    // A load balancer's default check is often /; Express 4 routes // elsewhere.
    const root = pathMatcher(['/']);
    expect(root('/')).toBe(true);
    expect(root('//')).toBe(false);
  });

  it('keeps forms that some router sends to another route', () => {
    const ignored = pathMatcher(['/metrics', '/healthz', '/internal/*']);
    for (const path of [
      // Fastify and most routers are case-sensitive: /Metrics may be a /:page request.
      '/Metrics',
      '/INTERNAL/stats',
      // Express matches the encoded path: /internal%2Fstats is one segment, not /internal/stats.
      '/internal%2Fstats',
      '/%6Detrics',
      // Dot segments are not resolved by routers, so /api/../metrics is an /api/* request.
      '/api/../metrics',
      // Express reads the host of an absolute-form target its own way: http://h;/healthz is a 404.
      'http://h;/healthz',
      'http://127.0.0.1:8080/healthz',
    ])
      expect(ignored(path), path).toBe(false);
  });

  it('matches nothing without patterns, and everything with /*', () => {
    expect(pathMatcher([])('/health')).toBe(false);
    const all = pathMatcher(['/*']);
    expect(all('/')).toBe(true);
    expect(all('/any/path')).toBe(true);
  });
});

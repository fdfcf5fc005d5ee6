import { describe, expect, it } from 'vitest';
import { pathMatcher } from './ignored-paths.js';

describe('pathMatcher', () => {
  it('matches exact paths, and a /* pattern with everything below it', () => {
    const ignored = pathMatcher(['/metrics', '/internal/*']);
    for (const path of ['/metrics', '/internal', '/internal/', '/internal/stats/deep'])
      expect(ignored(path), path).toBe(true);
    for (const path of ['/metrics/x', '/Metrics', '/internals', '/api/internal/stats', '/'])
      expect(ignored(path), path).toBe(false);
  });

  it('matches nothing without patterns, and everything with /*', () => {
    expect(pathMatcher([])('/health')).toBe(false);
    const all = pathMatcher(['/*']);
    expect(all('/')).toBe(true);
    expect(all('/any/path')).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { scrubAttributes, scrubText, scrubUrl } from './privacy.js';

describe('privacy scrubbing', () => {
  it('masks secret query parameters, credentials and fragments in URLs', () => {
    expect(scrubUrl('https://u:p@api.example.com/x?token=abc&page=2&api_key=k#access_token=t')).toBe(
      'https://api.example.com/x?token=[REDACTED]&page=2&api_key=[REDACTED]',
    );
  });
  it('masks emails, bearer tokens and JWTs in text', () => {
    const out = scrubText(
      'user jane.doe@example.com sent Bearer abcdefghijkl and eyJhbGciOi.eyJzdWIiOiIx.c2lnbmF0dXJl',
    );
    expect(out).not.toMatch(/jane|abcdefghijkl|eyJ/);
    expect(out).toContain('[REDACTED:email]');
  });
  it('masks URL credentials with an empty user or an @ in the password', () => {
    expect(scrubText('connect ECONNREFUSED redis://:s3cretPass@redis:6379')).toBe(
      'connect ECONNREFUSED redis://[REDACTED]@redis:6379',
    );
    expect(scrubText('login failed for postgres://app:p@ss@db/orders')).toBe(
      'login failed for postgres://[REDACTED]@db/orders',
    );
  });

  it('masks values of secret-named attributes whatever they look like', () => {
    expect(scrubAttributes({ 'app.password': 'hunter2', 'url.full': '/a?secret=s', n: 3 })).toEqual({
      'app.password': '[REDACTED]',
      'url.full': '/a?secret=[REDACTED]',
      n: 3,
    });
  });

  it('scrubs URL-valued attributes as URLs: every secret parameter name, no fragment', () => {
    const url =
      'https://shop.example/api/cart?sessionid=s1&Session=s2&authorization=a1&X-Amz-Signature=sig1&page=2#state=frag&access_token=t';
    const clean =
      'https://shop.example/api/cart?sessionid=[REDACTED]&Session=[REDACTED]&authorization=[REDACTED]&X-Amz-Signature=[REDACTED]&page=2';
    expect(
      scrubAttributes({
        'url.full': url,
        'http.url': url,
        'http.request.header.referer': [url],
        'url.query': 'session=s3&page=2',
        'url.fragment': 'access_token=t',
      }),
    ).toEqual({
      'url.full': clean,
      'http.url': clean,
      'http.request.header.referer': [clean],
      'url.query': 'session=[REDACTED]&page=2',
    });
    // Relative URLs cannot be parsed alone: the text rules and the fragment rule still apply.
    expect(scrubAttributes({ 'url.full': '/api/me?sessionid=s1&a=1#frag' })).toEqual({
      'url.full': '/api/me?sessionid=[REDACTED]&a=1',
    });
  });

  it('masks the same parameter names in free text as in URLs', () => {
    expect(scrubText('GET /api/me?sessionid=s1&authorization=a1&session=s2 failed')).toBe(
      'GET /api/me?sessionid=[REDACTED]&authorization=[REDACTED]&session=[REDACTED] failed',
    );
  });
});

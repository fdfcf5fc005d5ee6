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
});

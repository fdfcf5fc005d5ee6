import { describe, expect, it } from 'vitest';
import { RequestDurationAttributes } from './request-duration-attributes.js';

describe('RequestDurationAttributes', () => {
  it('gives one frozen object per combination, with only the attributes known', () => {
    const series = new RequestDurationAttributes();
    const ok = series.get('GET', 'http', '1.1', 200, '/orders/:id', undefined);
    expect(ok).toEqual({
      'http.request.method': 'GET',
      'url.scheme': 'http',
      'network.protocol.version': '1.1',
      'http.response.status_code': 200,
      'http.route': '/orders/:id',
    });
    expect(Object.isFrozen(ok)).toBe(true);
    expect(series.get('GET', 'http', '1.1', 200, '/orders/:id', undefined)).toBe(ok);
    const failed = series.get('GET', 'http', '1.1', 500, '/orders/:id', '500');
    expect(failed).toMatchObject({ 'http.response.status_code': 500, 'error.type': '500' });
    expect(failed).not.toBe(ok);
    // The client left before the response: no status, an error type, no route.
    expect(series.get('POST', 'https', '2.0', undefined, undefined, 'aborted')).toEqual({
      'http.request.method': 'POST',
      'url.scheme': 'https',
      'network.protocol.version': '2.0',
      'error.type': 'aborted',
    });
  });

  it('keeps no more than 2,000 series: past them each request gets a fresh object', () => {
    const series = new RequestDurationAttributes();
    for (let i = 0; i < 2000; i++) series.get('GET', 'http', '1.1', 200, `/r${i}`, undefined);
    const past = series.get('GET', 'http', '1.1', 200, '/r2000', undefined);
    expect(Object.isFrozen(past)).toBe(false);
    expect(series.get('GET', 'http', '1.1', 200, '/r2000', undefined)).not.toBe(past);
    expect(series.get('GET', 'http', '1.1', 200, '/r0', undefined)).toBe(
      series.get('GET', 'http', '1.1', 200, '/r0', undefined),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { fingerprint, normaliseFrameUrl, parseStack } from './fingerprint.js';

const chrome = (
  line: number,
  origin = 'https://shop.example.com',
  query = '?v=1',
) => `TypeError: Cannot read properties of undefined (reading 'id')
    at renderOrder (${origin}/assets/app.3f2a9c1b.js${query}:${line}:15)
    at HTMLButtonElement.<anonymous> (${origin}/assets/app.3f2a9c1b.js${query}:${line + 40}:7)`;

describe('browser error fingerprints', () => {
  it('parses V8 and Gecko frames', () => {
    expect(parseStack(chrome(10))).toEqual([
      {
        function: 'renderOrder',
        url: 'https://shop.example.com/assets/app.3f2a9c1b.js?v=1',
        line: 10,
        column: 15,
      },
      {
        function: 'HTMLButtonElement.<anonymous>',
        url: 'https://shop.example.com/assets/app.3f2a9c1b.js?v=1',
        line: 50,
        column: 7,
      },
    ]);
    expect(parseStack('renderOrder@https://a.example/app.js:3:9\n@https://a.example/app.js:9:1')).toEqual([
      { function: 'renderOrder', url: 'https://a.example/app.js', line: 3, column: 9 },
      { function: '<anonymous>', url: 'https://a.example/app.js', line: 9, column: 1 },
    ]);
  });

  it('ignores lines, columns, origins, query strings and content hashes, not type or call path', () => {
    const a = fingerprint('TypeError', parseStack(chrome(10)), 'x 1');
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprint('TypeError', parseStack(chrome(99, 'https://cdn.example.net', '?v=2')), 'x 2')).toBe(
      a,
    );
    expect(fingerprint('RangeError', parseStack(chrome(10)), 'x 1')).not.toBe(a);
    expect(
      fingerprint('TypeError', parseStack(chrome(10).replace('renderOrder', 'renderCart')), ''),
    ).not.toBe(a);
    expect(normaliseFrameUrl('https://h/assets/app.3f2a9c1b.js?v=1#x')).toBe('/assets/app.js');
    expect(normaliseFrameUrl('https://h/assets/main.3f2a9c1b4d5e6f7a8b9c.js')).toBe('/assets/main.js');
    // Vite/Rollup hashes of two builds of one app: base64url, with - and _, sometimes no digit.
    expect(normaliseFrameUrl('https://h/assets/main-BNYIIeT-.js')).toBe('/assets/main.js');
    expect(normaliseFrameUrl('https://h/assets/main-BGF6OVoR.js')).toBe('/assets/main.js');
    expect(normaliseFrameUrl('https://h/assets/index-legacy-Bx7_cdQz.js')).toBe('/assets/index-legacy.js');
    expect(normaliseFrameUrl('https://h/assets/chunk-AB12CD34.mjs')).toBe('/assets/chunk.mjs');
    // Names stay.
    expect(normaliseFrameUrl('https://h/js/app-settings.js')).toBe('/js/app-settings.js');
    expect(normaliseFrameUrl('https://h/node_modules/.vite/deps/react-dom_client.js?v=1a2b')).toBe(
      '/node_modules/.vite/deps/react-dom_client.js',
    );
  });

  it('falls back to the normalised message without frames', () => {
    expect(fingerprint('string', [], 'order 12 failed')).toBe(fingerprint('string', [], 'order 13 failed'));
    expect(fingerprint('string', [], 'order failed')).not.toBe(fingerprint('string', [], 'cart failed'));
  });
});

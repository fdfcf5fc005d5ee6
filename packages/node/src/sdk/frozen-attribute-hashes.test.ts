import type { Attributes } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { hashFrozenAttributesOnce } from './frozen-attribute-hashes.js';

/** A hash that counts its calls, keyed like sdk-metrics' own. */
function countingHash() {
  const hash = Object.assign(
    (attributes: Attributes) => {
      hash.calls += 1;
      return JSON.stringify(Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : 1)));
    },
    { calls: 0 },
  );
  return hash;
}

describe('hashFrozenAttributesOnce', () => {
  it('hashes a frozen object of primitives once, and gives the same hash each time', () => {
    const hash = countingHash();
    const once = hashFrozenAttributesOnce(hash);
    const attributes = Object.freeze({ 'http.request.method': 'GET', 'http.response.status_code': 200 });
    const hashes = [once(attributes), once(attributes), once(attributes)];
    expect(hash.calls).toBe(1);
    expect(new Set(hashes)).toEqual(new Set([hash(attributes)]));
  });

  it('hashes every other object each time: unfrozen, or frozen around a mutable array', () => {
    const hash = countingHash();
    const once = hashFrozenAttributesOnce(hash);
    const open: Attributes = { route: '/a' };
    const before = once(open);
    open.route = '/b';
    expect(once(open)).not.toBe(before);
    const values = ['a'];
    const holdsArray = Object.freeze({ values });
    const first = once(holdsArray);
    values.push('b');
    expect(once(holdsArray)).not.toBe(first);
    expect(hash.calls).toBe(4);
  });
});

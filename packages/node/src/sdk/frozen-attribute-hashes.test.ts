import type { Attributes } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
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

  it('hashes every other object each time: unfrozen, or frozen around a mutable array or a getter', () => {
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
    let route = '/a';
    const withGetter = Object.freeze({
      get route() {
        return route;
      },
    });
    const viaGetter = once(withGetter);
    route = '/b';
    expect(once(withGetter)).not.toBe(viaGetter);
    expect(hash.calls).toBe(6);
  });
});

describe('sdk-metrics with a frozen attributes object', () => {
  /** A reader the test collects from by hand. */
  class HandReader extends MetricReader {
    protected override async onShutdown(): Promise<void> {}
    protected override async onForceFlush(): Promise<void> {}
  }

  it('records it as one series and leaves it as it is (a write to it would throw)', async () => {
    const reader = new HandReader();
    const provider = new MeterProvider({ readers: [reader] });
    const histogram = provider.getMeter('test').createHistogram('http.server.request.duration');
    const attributes = Object.freeze({ 'http.request.method': 'GET', 'http.response.status_code': 200 });
    histogram.record(0.1, attributes);
    histogram.record(0.2, attributes);
    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    const points = resourceMetrics.scopeMetrics[0]?.metrics[0]?.dataPoints ?? [];
    expect(points).toHaveLength(1);
    expect(points[0]?.attributes).toBe(attributes);
    expect(points[0]?.value).toMatchObject({ count: 2 });
    await provider.shutdown();
  });
});

import { defaultTextMapSetter, ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { SampledOnlyPropagator, toUrlPatterns } from './propagation.js';

const spanContext = (traceFlags: TraceFlags) => ({
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags,
});

describe('trace header propagation', () => {
  it('injects traceparent for a sampled span and nothing for an unsampled one', () => {
    const propagator = new SampledOnlyPropagator();
    const sampled: Record<string, string> = {};
    propagator.inject(
      trace.setSpanContext(ROOT_CONTEXT, spanContext(TraceFlags.SAMPLED)),
      sampled,
      defaultTextMapSetter,
    );
    expect(sampled.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');

    // `-00` would make a parent-based backend drop its own trace, errors included.
    const unsampled: Record<string, string> = {};
    propagator.inject(
      trace.setSpanContext(ROOT_CONTEXT, spanContext(TraceFlags.NONE)),
      unsampled,
      defaultTextMapSetter,
    );
    expect(unsampled).toEqual({});
    const none: Record<string, string> = {};
    propagator.inject(ROOT_CONTEXT, none, defaultTextMapSetter);
    expect(none).toEqual({});
    expect(propagator.fields()).toContain('traceparent');
  });

  it('turns string URLs into anchored, escaped prefixes and keeps RegExps', () => {
    const custom = /orders$/;
    const [prefix, regexp] = toUrlPatterns(['http://api.example.com:8080/v1', custom]) as [RegExp, RegExp];
    expect(regexp).toBe(custom);
    expect(prefix.test('http://api.example.com:8080/v1')).toBe(true);
    expect(prefix.test('http://api.example.com:8080/v1/orders/1?x=1')).toBe(true);
    // Anchored: not somewhere inside another URL; escaped: `.` is a dot, not any character.
    expect(prefix.test('http://evil.test/?u=http://api.example.com:8080/v1')).toBe(false);
    expect(prefix.test('http://apiXexample.com:8080/v1')).toBe(false);
  });
});

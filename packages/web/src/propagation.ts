import {
  type Context,
  isSpanContextValid,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * Propagates only what the browser records. An unsampled session (`sampleRate`) would otherwise
 * send `traceparent: …-00`, and a backend that follows its parent's decision (the Node SDK's
 * `parentbased_always_on`) would drop its own server traces, errors included. Browser sampling
 * is meant to reduce browser telemetry only; without a header the backend starts its own root
 * trace and samples it by its own rules.
 */
export class SampledOnlyPropagator implements TextMapPropagator {
  /** @param inner what is injected for sampled spans; default W3C trace context and baggage, as the SDK registers */
  constructor(
    private readonly inner: TextMapPropagator = new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
  ) {}

  /** Injects through the inner propagator when the active span is valid and sampled; else nothing. */
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const span = trace.getSpanContext(context);
    if (!span || !isSpanContextValid(span) || (span.traceFlags & TraceFlags.SAMPLED) === 0) return;
    this.inner.inject(context, carrier, setter);
  }

  /** Extracts through the inner propagator (the browser rarely extracts; kept for completeness). */
  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    return this.inner.extract(context, carrier, getter);
  }

  /** The headers the inner propagator may set. */
  fields(): string[] {
    return this.inner.fields();
  }
}

/**
 * `propagateTraceHeaderCorsUrls` and `ignoreUrls` as the instrumentations need them. Their
 * `urlMatches` (@opentelemetry/core) compares a string for equality with the full request URL,
 * so `'https://api.example.com'` would never match `https://api.example.com/orders/1`; strings
 * are documented as prefixes here, so each becomes an anchored, escaped prefix RegExp. RegExps
 * are passed on unchanged.
 */
export function toUrlPatterns(urls: readonly (string | RegExp)[]): RegExp[] {
  return urls.map((url) =>
    typeof url === 'string' ? new RegExp(`^${url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`) : url,
  );
}

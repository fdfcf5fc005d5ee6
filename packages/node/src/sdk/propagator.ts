import type { TextMapPropagator } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import { JaegerPropagator } from '@opentelemetry/propagator-jaeger';
import type { PropagatorName } from '../config/options.js';

const FACTORIES: Record<PropagatorName, () => TextMapPropagator> = {
  tracecontext: () => new W3CTraceContextPropagator(),
  baggage: () => new W3CBaggagePropagator(),
  b3: () => new B3Propagator(),
  b3multi: () => new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER }),
  jaeger: () => new JaegerPropagator(),
};

/**
 * The propagator `OTEL_PROPAGATORS` names: each format is read from incoming requests and written
 * on outgoing ones. `null` for none, which `NodeTracerProvider.register()` takes as "leave the
 * no-op propagator".
 */
export function buildPropagator(names: readonly PropagatorName[]): TextMapPropagator | null {
  if (names.length === 0) return null;
  return new CompositePropagator({ propagators: names.map((name) => FACTORIES[name]()) });
}

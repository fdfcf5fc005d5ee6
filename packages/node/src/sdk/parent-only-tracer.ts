import { context, INVALID_SPAN_CONTEXT, type Tracer, trace } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';

/**
 * Makes `instrumentation` record spans only under an active span, for an instrumentation that has
 * no `requireParentSpan` option of its own (mysql2's). A pool's keep-alive query, or the schema
 * reads at start-up, would otherwise each be a trace of one span, while pg, ioredis and
 * node-redis are configured to leave them out. Outside a span it gets a non-recording span, which
 * it uses as usual.
 */
export function requireParentSpan<T extends Instrumentation>(instrumentation: T): T {
  // The instrumentation reads `this.tracer` for every span; the SDK's getter sits on its prototype
  // and changes when a tracer provider is set.
  const prototype = Object.getPrototypeOf(instrumentation) as object;
  let wrapped: { inner: Tracer; outer: Tracer } | undefined;
  Object.defineProperty(instrumentation, 'tracer', {
    configurable: true,
    get: () => {
      const inner = Reflect.get(prototype, 'tracer', instrumentation) as Tracer;
      if (wrapped?.inner !== inner) wrapped = { inner, outer: parentOnly(inner) };
      return wrapped.outer;
    },
  });
  return instrumentation;
}

function parentOnly(tracer: Tracer): Tracer {
  const startSpan: Tracer['startSpan'] = (name, options, parent = context.active()) =>
    trace.getSpan(parent)
      ? tracer.startSpan(name, options, parent)
      : trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
  // startActiveSpan calls this.startSpan, so it follows the same rule.
  return Object.assign(Object.create(tracer) as Tracer, { startSpan });
}

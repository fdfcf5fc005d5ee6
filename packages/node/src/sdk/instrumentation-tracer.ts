import { context, INVALID_SPAN_CONTEXT, type Tracer, trace } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';

/**
 * Gives `instrumentation` the tracer `wrap` makes of its own, for what an upstream instrumentation
 * has no option for. It reads `this.tracer` for every span; the SDK's getter sits on its
 * prototype and changes when a tracer provider is set, so the wrapped one follows it.
 */
export function wrapTracer<T extends Instrumentation>(
  instrumentation: T,
  wrap: (tracer: Tracer) => Tracer,
): T {
  const prototype = Object.getPrototypeOf(instrumentation) as object;
  let wrapped: { inner: Tracer; outer: Tracer } | undefined;
  Object.defineProperty(instrumentation, 'tracer', {
    configurable: true,
    get: () => {
      const inner = Reflect.get(prototype, 'tracer', instrumentation) as Tracer;
      if (wrapped?.inner !== inner) wrapped = { inner, outer: wrap(inner) };
      return wrapped.outer;
    },
  });
  return instrumentation;
}

/** A tracer whose `startSpan` is `startSpan`; startActiveSpan calls this.startSpan, so it follows. */
function withStartSpan(tracer: Tracer, startSpan: Tracer['startSpan']): Tracer {
  return Object.assign(Object.create(tracer) as Tracer, { startSpan });
}

/**
 * Records spans only under an active span, as `requireParentSpan` does where an instrumentation
 * has it (mysql2's has not). A pool's keep-alive query, or the schema reads at start-up, would
 * otherwise each be a trace of one span. Outside a span it gives a non-recording span, which the
 * instrumentation uses as usual.
 */
export function parentOnly(tracer: Tracer): Tracer {
  return withStartSpan(tracer, (name, options, parent = context.active()) =>
    trace.getSpan(parent)
      ? tracer.startSpan(name, options, parent)
      : trace.wrapSpanContext(INVALID_SPAN_CONTEXT),
  );
}

/**
 * Names a database span by its statement's first word. mysql2's instrumentation takes the text up
 * to the first space, so a statement written over several lines is named "SELECT\n\t\tid," or
 * "\n\t\t": one span name per statement, each a series of its own in the RED metrics.
 */
export function namedByStatementVerb(tracer: Tracer): Tracer {
  return withStartSpan(tracer, (name, options, parent) => {
    const text = options?.attributes?.['db.query.text'];
    const verb = typeof text === 'string' ? /^\s*(\S+)/.exec(text)?.[1] : undefined;
    return tracer.startSpan(verb ?? name, options, parent);
  });
}

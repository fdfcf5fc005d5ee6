import { context, createContextKey, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { PageContextManager } from './tracing.js';

const pageSpan = trace.wrapSpanContext({
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: 1,
});
const otherSpan = trace.wrapSpanContext({ ...pageSpan.spanContext(), spanId: '00f067aa0ba902b7' });

function manager(): PageContextManager {
  const contexts = new PageContextManager();
  contexts.setPageSpan(pageSpan);
  return contexts;
}

describe('PageContextManager', () => {
  it('makes the page view the parent when nothing else is active, and steps aside for a span', () => {
    const contexts = manager();
    expect(trace.getSpan(contexts.active())).toBe(pageSpan);
    const inner = trace.setSpan(ROOT_CONTEXT, otherSpan);
    expect(trace.getSpan(contexts.with(inner, () => contexts.active()))).toBe(otherSpan);
    contexts.setPageSpan(undefined);
    expect(contexts.active()).toBe(ROOT_CONTEXT);
  });

  it('leaves a context made without a span on purpose alone: a new trace stays new', () => {
    const contexts = manager();
    context.setGlobalContextManager(contexts);
    try {
      const detached = trace.deleteSpan(context.active());
      expect(trace.getSpan(contexts.with(detached, () => contexts.active()))).toBeUndefined();
      const key = createContextKey('baggage-like');
      const withValue = ROOT_CONTEXT.setValue(key, 'kept');
      expect(contexts.with(withValue, () => contexts.active())).toBe(withValue);
    } finally {
      context.disable();
    }
  });
});

import { createContextKey, ROOT_CONTEXT, trace } from '@opentelemetry/api';
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

  it("adds the page view to an active context without a span, e.g. another API copy's empty one", () => {
    const contexts = manager();
    const key = createContextKey('other copy');
    // An empty context that is not this copy's ROOT_CONTEXT object, as a second
    // @opentelemetry/api in the application's bundle would hand over.
    const foreignRoot = ROOT_CONTEXT.setValue(key, 1).deleteValue(key);
    expect(foreignRoot).not.toBe(ROOT_CONTEXT);
    expect(trace.getSpan(contexts.with(foreignRoot, () => contexts.active()))).toBe(pageSpan);
    const withBaggage = ROOT_CONTEXT.setValue(key, 'kept');
    const active = contexts.with(withBaggage, () => contexts.active());
    expect(trace.getSpan(active)).toBe(pageSpan);
    expect(active.getValue(key)).toBe('kept');
  });
});

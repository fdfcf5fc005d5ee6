import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InstrumentationBase } from '@opentelemetry/instrumentation';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireParentSpan } from './parent-only-tracer.js';

/** An instrumentation that makes one span per query, as mysql2's does, with `this.tracer`. */
class QueryInstrumentation extends InstrumentationBase {
  constructor() {
    super('query-test', '1.0.0', { enabled: false });
  }
  protected init() {
    return [];
  }
  query(name: string): void {
    this.tracer.startSpan(name).end();
  }
}

describe('requireParentSpan', () => {
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });
  afterAll(() => {
    context.disable();
  });

  it('records an instrumentation’s spans under an active span only', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const instrumentation = requireParentSpan(new QueryInstrumentation());
    instrumentation.setTracerProvider(provider);

    instrumentation.query('keep-alive');
    const request = provider.getTracer('test').startSpan('GET /items');
    context.with(trace.setSpan(context.active(), request), () => instrumentation.query('SELECT'));
    request.end();

    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name).sort()).toEqual(['GET /items', 'SELECT']);
    expect(spans.find((s) => s.name === 'SELECT')?.parentSpanContext?.spanId).toBe(
      request.spanContext().spanId,
    );
  });
});

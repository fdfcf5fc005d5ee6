import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InstrumentationBase } from '@opentelemetry/instrumentation';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { namedByStatementVerb, parentOnly, wrapTracer } from './instrumentation-tracer.js';

/** An instrumentation that makes one span per query with `this.tracer`, as mysql2's does. */
class QueryInstrumentation extends InstrumentationBase {
  constructor() {
    super('query-test', '1.0.0', { enabled: false });
  }
  protected init() {
    return [];
  }
  query(statement: string): void {
    // Named as mysql2 names it: the text up to the first space.
    const name = statement.slice(0, statement.indexOf(' ') >>> 0);
    this.tracer.startSpan(name, { attributes: { 'db.query.text': statement } }).end();
  }
}

describe('instrumentation tracers', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const underRequest = (work: () => void) => {
    const request = provider.getTracer('test').startSpan('GET /items');
    context.with(trace.setSpan(context.active(), request), work);
    request.end();
    return request;
  };
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });
  afterAll(() => {
    context.disable();
  });

  it('parentOnly records an instrumentation’s spans under an active span only', () => {
    exporter.reset();
    const instrumentation = wrapTracer(new QueryInstrumentation(), parentOnly);
    instrumentation.setTracerProvider(provider);
    instrumentation.query('SELECT 1 AS keepalive');
    const request = underRequest(() => instrumentation.query('SELECT id FROM items'));

    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name).sort()).toEqual(['GET /items', 'SELECT']);
    expect(spans.find((s) => s.name === 'SELECT')?.parentSpanContext?.spanId).toBe(
      request.spanContext().spanId,
    );
  });

  it('namedByStatementVerb names a statement written over several lines by its first word', () => {
    exporter.reset();
    const instrumentation = wrapTracer(new QueryInstrumentation(), namedByStatementVerb);
    instrumentation.setTracerProvider(provider);
    underRequest(() => {
      instrumentation.query('\n\t\tSELECT id\n\t\tFROM items');
      instrumentation.query('UPDATE items SET n = 1');
    });
    expect(
      exporter
        .getFinishedSpans()
        .map((s) => s.name)
        .sort(),
    ).toEqual(['GET /items', 'SELECT', 'UPDATE']);
  });
});

import { join } from 'node:path';
import type { Attributes, Tracer } from '@opentelemetry/api';
import type { ReadableSpan, Sampler, SamplingResult } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spanAttributesCopiedOnceForSampler } from '../../scripts/upstream-rewrites.mjs';
import { BundledUpstream, upstreamPackageDir } from '../testing/bundled-upstream.js';

interface SdkTrace {
  TracerProvider: new (config: object) => { getTracer(name: string): Tracer; forceFlush(): Promise<void> };
  SimpleSpanProcessor: new (options: { exporter: unknown }) => unknown;
  InMemorySpanExporter: new () => { getFinishedSpans(): ReadableSpan[] };
  Tracer: { prototype: { startSpan: () => unknown } };
}

// sdk-trace-base re-exports @opentelemetry/sdk-trace, whose ES-module build otelkit bundles.
const sdkTrace = upstreamPackageDir('@opentelemetry/sdk-trace-base', '@opentelemetry/sdk-trace');
const esnext = (file: string) => JSON.stringify(join(sdkTrace, 'build', 'esnext', file));
const bundles = new BundledUpstream();

/** A sampler that samples everything and adds `added` (when given) to the span's attributes. */
const adding = (added?: Attributes): Sampler => ({
  shouldSample: (): SamplingResult => ({ decision: 2, ...(added ? { attributes: added } : {}) }),
  toString: () => 'adding',
});

describe('the span-attributes-copied-once-for-sampler rewrite of sdk-trace', () => {
  let upstream: SdkTrace;
  let rewritten: SdkTrace;
  beforeAll(async () => {
    const source = [
      `export { TracerProvider, SimpleSpanProcessor, InMemorySpanExporter } from ${esnext('index.js')};`,
      `export { Tracer } from ${esnext('Tracer.js')};`,
    ].join('\n');
    upstream = await bundles.load<SdkTrace>('upstream', source, []);
    rewritten = await bundles.load<SdkTrace>('rewritten', source, [spanAttributesCopiedOnceForSampler]);
  });
  afterAll(() => bundles.dispose());

  /** Starts and ends one span with `attributes` under `sampler`; mutates the caller's objects after. */
  async function spanAttributes(
    sdk: SdkTrace,
    sampler: Sampler,
    attributes: Attributes,
  ): Promise<Attributes> {
    const exporter = new sdk.InMemorySpanExporter();
    const provider = new sdk.TracerProvider({
      sampler,
      spanProcessors: [new sdk.SimpleSpanProcessor({ exporter })],
    });
    const span = provider.getTracer('test').startSpan('GET /orders', { attributes });
    // What the caller does with its objects afterwards is not the span's business.
    attributes['http.route'] = '/changed';
    (attributes.tags as string[] | undefined)?.push('changed');
    span.end();
    await provider.forceFlush();
    const [finished] = exporter.getFinishedSpans();
    return finished.attributes;
  }

  const cases: Array<[string, Sampler, () => Attributes]> = [
    [
      'a sampler that adds nothing',
      adding(),
      () => ({ 'http.route': '/orders', tags: ['a', 'b'], count: 2 }),
    ],
    [
      'a sampler that adds an attribute',
      adding({ 'sampling.rule': 'keep' }),
      () => ({ 'http.route': '/orders', tags: ['a'] }),
    ],
    [
      'invalid values from the caller and the sampler',
      adding({ 'sampling.bad': { nested: true } as never }),
      () => ({ 'http.route': '/orders', bad: { nested: true } as never, '': 'empty key', fine: true }),
    ],
    ['no attributes', adding(), () => ({})],
  ];

  it('is in effect', () => {
    expect(String(rewritten.Tracer.prototype.startSpan)).toContain('samplingResult.attributes === void 0');
    expect(String(upstream.Tracer.prototype.startSpan)).not.toContain('samplingResult.attributes === void 0');
  });

  it.each(cases)('gives spans the same attributes with %s', async (_name, sampler, attributes) => {
    const before = await spanAttributes(upstream, sampler, attributes());
    const after = await spanAttributes(rewritten, sampler, attributes());
    expect(after).toStrictEqual(before);
    expect(Object.keys(after)).toEqual(Object.keys(before));
    expect(after['http.route']).not.toBe('/changed');
  });
});

import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { InMemorySpanExporter, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExportStatusTracker } from '../telemetry/export-status.js';
import { ExportGate, trackSpanExporter } from './tracked-exporters.js';

afterEach(() => vi.useRealTimers());

/** `inner` as start() wraps it, with a tracker nobody reads. */
const tracked = (inner: SpanExporter, gate: ExportGate) =>
  trackSpanExporter(
    inner,
    new ExportStatusTracker(
      () => 'x',
      () => {},
    ),
    gate,
  );

const exportOne = (exporter: ReturnType<typeof trackSpanExporter>) =>
  new Promise<ExportResult>((resolve) => exporter.export([{} as ReadableSpan], resolve));

describe('ExportGate', () => {
  it('refuses exports at once while closed, and lets them through again after its bound', async () => {
    // Only the clock: the in-memory exporter answers on a real timer.
    vi.useFakeTimers({ toFake: ['Date'] });
    const inner = new InMemorySpanExporter();
    const gate = new ExportGate();
    const exporter = trackSpanExporter(
      inner,
      new ExportStatusTracker(
        () => 'x',
        () => {},
      ),
      gate,
    );

    expect((await exportOne(exporter)).code).toBe(ExportResultCode.SUCCESS);
    gate.closeFor(60_000);
    const refused = await exportOne(exporter);
    expect(refused.code).toBe(ExportResultCode.FAILED);
    expect(refused.error?.message).toContain('the process is ending');
    expect(inner.getFinishedSpans()).toHaveLength(1);

    vi.setSystemTime(Date.now() + 60_001);
    expect((await exportOne(exporter)).code).toBe(ExportResultCode.SUCCESS);
    expect(inner.getFinishedSpans()).toHaveLength(2);
  });

  it('fails the exports under way when it closes, and answers each once', () => {
    let answerLate: ((result: ExportResult) => void) | undefined;
    const inner = {
      export: (_spans: ReadableSpan[], done: (result: ExportResult) => void) => {
        answerLate = done;
      },
      shutdown: async () => {},
    };
    const gate = new ExportGate();
    const exporter = tracked(inner, gate);
    const answers: ExportResult[] = [];
    exporter.export([{} as ReadableSpan], (result) => answers.push(result));
    expect(answers).toEqual([]);

    gate.closeFor(60_000);
    expect(answers).toHaveLength(1);
    expect(answers[0]?.code).toBe(ExportResultCode.FAILED);
    expect(answers[0]?.error?.message).toContain('the process is ending');

    answerLate?.({ code: ExportResultCode.SUCCESS });
    expect(answers).toHaveLength(1);
  });

  it('answers an export that throws as a failure, once, and forgets it', () => {
    const inner = {
      export: () => {
        throw new Error('serializer broke');
      },
      shutdown: async () => {},
    };
    const gate = new ExportGate();
    const exporter = tracked(inner, gate);
    const answers: ExportResult[] = [];
    exporter.export([{} as ReadableSpan], (result) => answers.push(result));
    expect(answers.map((a) => [a.code, a.error?.message])).toEqual([
      [ExportResultCode.FAILED, 'serializer broke'],
    ]);
    gate.closeFor(60_000);
    expect(answers).toHaveLength(1);
  });
});

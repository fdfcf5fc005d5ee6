import { ExportResultCode } from '@opentelemetry/core';
import { describe, expect, it } from 'vitest';
import { ExportStatusTracker } from './export-status.js';

const ok = { code: ExportResultCode.SUCCESS };
const failed = (message: string) => ({ code: ExportResultCode.FAILED, error: new Error(message) });

function tracker(start = 0) {
  const lines: string[] = [];
  let now = start;
  const t = new ExportStatusTracker(
    'http://collector:4318',
    (line) => lines.push(line),
    () => now,
  );
  return {
    t,
    lines,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('ExportStatusTracker', () => {
  it('names the endpoint of the signal that fails when the signals go to different places', () => {
    const lines: string[] = [];
    const endpoints: Record<string, string> = { traces: 'http://tempo:4318', metrics: 'http://mimir:4318' };
    const t = new ExportStatusTracker(
      (signal) => endpoints[signal] ?? '?',
      (line) => lines.push(line),
    );
    t.record(ok, 'traces');
    t.record(failed('503'), 'metrics');
    expect(lines).toEqual([
      'otelkit: cannot export metrics to http://mimir:4318 (503); the service keeps running, telemetry is retried and this is reported once until it recovers',
    ]);
  });

  it('says once that exports fail while the Collector is down, and once that they recovered', () => {
    const { t, lines, advance } = tracker();
    for (let i = 0; i < 5; i++) {
      for (const signal of ['traces', 'metrics', 'logs']) t.record(failed('connect ECONNREFUSED'), signal);
      advance(10_000);
    }
    expect(t.current).toMatchObject({ ok: false, failingSignals: ['traces', 'metrics', 'logs'] });
    expect(t.current.consecutiveFailures).toBe(15);
    for (const signal of ['traces', 'metrics', 'logs']) t.record(ok, signal);
    expect(lines).toEqual([
      'otelkit: cannot export traces to http://collector:4318 (connect ECONNREFUSED); the service keeps running, telemetry is retried and this is reported once until it recovers',
      'otelkit: telemetry export to http://collector:4318 recovered (logs); sending again',
    ]);
    expect(t.current).toMatchObject({ ok: true, failingSignals: [], consecutiveFailures: 0 });
  });

  it('does not promise retries once the process is on its way out', () => {
    const { t, lines } = tracker();
    t.ending();
    t.record(failed('connect ECONNREFUSED'), 'traces');
    expect(lines).toEqual([
      'otelkit: cannot export traces to http://collector:4318 (connect ECONNREFUSED); the process is ending, and telemetry not sent by then is lost',
    ]);
  });

  it('keeps one warning, and no false recoveries, when only one signal is refused', () => {
    // A backend that takes traces and logs but not metrics (traces sent straight to Tempo, say).
    const { t, lines, advance } = tracker();
    for (let i = 0; i < 10; i++) {
      t.record(ok, 'traces');
      t.record(failed('Not Found'), 'metrics');
      t.record(ok, 'logs');
      advance(60_000);
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^otelkit: cannot export metrics to http:\/\/collector:4318 \(Not Found\)/);
    expect(t.current).toMatchObject({ ok: false, failingSignals: ['metrics'], lastError: 'Not Found' });
  });

  it('lets a failure of a signal that is not exported again go stale after five minutes', () => {
    const { t, lines, advance } = tracker();
    t.record(failed('connect ECONNREFUSED'), 'logs');
    advance(60_000);
    t.record(ok, 'traces');
    expect(t.current.failingSignals).toEqual(['logs']);
    advance(5 * 60_000);
    expect(t.current).toMatchObject({ ok: true, failingSignals: [] });
    t.record(ok, 'metrics');
    expect(lines.at(-1)).toBe(
      'otelkit: telemetry export to http://collector:4318 recovered (metrics); sending again',
    );
  });
});

import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode } from '@opentelemetry/core';

/** Health of the telemetry export path, as the last exports saw it. */
export interface ExportStatus {
  /** False while any signal's exports fail (see {@link ExportStatus.failingSignals}). */
  ok: boolean;
  /** Signals whose last export failed, within the last few minutes (`traces`, `metrics`, `logs`). */
  failingSignals: string[];
  /** Message of the last failure, if any. */
  lastError?: string;
  /** Epoch ms of the last successful export of any signal. */
  lastSuccessAt?: number;
  /** Epoch ms of the last failed export of any signal. */
  lastFailureAt?: number;
  /** Consecutive failures of the failing signals since their last success. */
  consecutiveFailures: number;
  /** Items dropped before export since the SDK started, because the export queue was full; absent when none was. */
  dropped?: DroppedCounts;
}

/** Items dropped before export, per signal. */
export interface DroppedCounts {
  /** Spans dropped. */
  traces?: number;
  /** Log records dropped. */
  logs?: number;
}

/** The signals whose items wait in a batch queue, where a full queue drops them. */
export type DroppableSignal = 'traces' | 'logs';

const ITEMS: Record<DroppableSignal, [one: string, many: string]> = {
  traces: ['span', 'spans'],
  logs: ['log record', 'log records'],
};

/** "12 spans and 1 log record": the non-zero counts, for the warnings and the health check. */
export function describeDropped(counts: DroppedCounts): string {
  return (Object.keys(ITEMS) as DroppableSignal[])
    .filter((signal) => (counts[signal] ?? 0) > 0)
    .map((signal) => {
      const count = counts[signal] ?? 0;
      return `${count.toLocaleString('en-US')} ${ITEMS[signal][count === 1 ? 0 : 1]}`;
    })
    .join(' and ');
}

type Warn = (message: string) => void;

interface SignalState {
  failedAt?: number;
  consecutiveFailures: number;
}

/**
 * A failure older than this no longer counts when nothing of that signal was exported since:
 * a service that logged during an outage and never again would otherwise stay "failing".
 * Signals that keep failing fail more often than this (metrics every minute by default).
 */
const STALE_FAILURE_MS = 5 * 60_000;

/** Drops while exports succeed are reported at most this often, with the count since. */
const DROP_REPORT_INTERVAL_MS = 5 * 60_000;

/**
 * Tracks whether exports reach the Collector, per signal, and says so once: one warning when
 * exports start failing and one line when every signal exports again, instead of a line per
 * failed batch. Tracking per signal keeps a backend that accepts only some signals (traces
 * sent straight to Tempo, say) from reading as "recovered" at every successful trace export.
 * Items a full export queue dropped are said the same way: see {@link ExportStatusTracker.dropped}.
 */
export class ExportStatusTracker {
  private readonly signals = new Map<string, SignalState>();
  private failing = false;
  private isEnding = false;
  private lastError: string | undefined;
  private lastSuccessAt: number | undefined;
  private lastFailureAt: number | undefined;
  private readonly droppedTotal = new Map<DroppableSignal, number>();
  private readonly droppedUnreported = new Map<DroppableSignal, number>();
  private lastDropReportAt: number | undefined;

  /**
   * @param endpoint shown in the warning: one for every signal, or each signal's own.
   * @param warn where its lines go.
   * @param now the clock that ages failures (tests pass their own).
   */
  constructor(
    private readonly endpoint: string | ((signal: string) => string),
    private readonly warn: Warn = (message) => process.stderr.write(`${message}\n`),
    private readonly now: () => number = Date.now,
  ) {}

  /** The current status (a copy). */
  get current(): ExportStatus {
    const failing = this.failingSignals(this.now());
    return {
      ok: failing.length === 0,
      failingSignals: failing.map(([signal]) => signal),
      consecutiveFailures: failing.reduce((sum, [, state]) => sum + state.consecutiveFailures, 0),
      ...(this.lastError !== undefined && failing.length > 0 ? { lastError: this.lastError } : {}),
      ...(this.lastSuccessAt !== undefined ? { lastSuccessAt: this.lastSuccessAt } : {}),
      ...(this.lastFailureAt !== undefined ? { lastFailureAt: this.lastFailureAt } : {}),
      ...(this.droppedTotal.size > 0 ? { dropped: Object.fromEntries(this.droppedTotal) } : {}),
    };
  }

  /**
   * Records `count` items of `signal` that the batch processor dropped because its queue was full.
   * The SDK says so only in its diagnostics, which are off by default: the loss was silent. While
   * that signal's exports fail, the "cannot export" warning stands for it and the recovery line
   * gives the count;
   * while they succeed (a Collector slower than the service), one line at once and then at most
   * one every five minutes, with the count since the last.
   */
  dropped(signal: DroppableSignal, count: number): void {
    this.droppedTotal.set(signal, (this.droppedTotal.get(signal) ?? 0) + count);
    this.droppedUnreported.set(signal, (this.droppedUnreported.get(signal) ?? 0) + count);
    const now = this.now();
    // Its own signal failing: the "cannot export" warning stands for the drops.
    const state = this.signals.get(signal);
    if (state && isFailing(state, now)) return;
    if (this.lastDropReportAt !== undefined && now - this.lastDropReportAt < DROP_REPORT_INTERVAL_MS) return;
    const first = this.lastDropReportAt === undefined;
    this.lastDropReportAt = now;
    const endpoint = this.endpointOf(signal);
    const since = this.takeUnreported();
    const what = first ? `${ITEMS[signal][1]} are being dropped` : `${since} dropped since the last report`;
    this.warn(
      `otelkit: ${what} before export: the export queue was full, so the Collector at ${endpoint} ` +
        'is down, takes telemetry slower than this service makes it, or a burst outran the queue; ' +
        'raise OTEL_BSP_MAX_QUEUE_SIZE and OTEL_BLRP_MAX_QUEUE_SIZE, or give the Collector more CPU ' +
        '(reported at most every 5 minutes)',
    );
  }

  /** "12 spans and 1 log record", the drops not reported yet, or "" when there are none; clears them. */
  private takeUnreported(): string {
    const unreported = describeDropped(Object.fromEntries(this.droppedUnreported));
    this.droppedUnreported.clear();
    return unreported;
  }

  /**
   * From now on a failure is reported as final: the process is on its way out (a signal, a crash,
   * shutdown()), and saying that telemetry is retried while the service keeps running misled.
   * Items dropped and not yet reported are reported now.
   */
  ending(): void {
    this.isEnding = true;
    // The next periodic report, or the recovery line, will not come: say the drops not yet said.
    const unsaid = this.takeUnreported();
    if (unsaid !== '') {
      this.warn(`otelkit: ${unsaid} dropped before export since the last report (export queue full)`);
    }
  }

  /** Records the outcome of one export of `signal`. */
  record(result: ExportResult, signal: string): void {
    const now = this.now();
    const state = this.signals.get(signal) ?? { consecutiveFailures: 0 };
    this.signals.set(signal, state);
    if (result.code === ExportResultCode.SUCCESS) {
      delete state.failedAt;
      state.consecutiveFailures = 0;
      this.lastSuccessAt = now;
    } else {
      state.failedAt = now;
      state.consecutiveFailures += 1;
      this.lastFailureAt = now;
      this.lastError = result.error?.message ?? 'unknown error';
    }
    const failingNow = this.failingSignals(now).length > 0;
    const endpoint = this.endpointOf(signal);
    if (failingNow && !this.failing) {
      this.warn(
        `otelkit: cannot export ${signal} to ${endpoint} (${this.lastError}); ` +
          (this.isEnding
            ? 'the process is ending, and telemetry not sent by then is lost'
            : 'the service keeps running, telemetry is retried and this is reported once until it recovers'),
      );
    } else if (!failingNow && this.failing) {
      const unsaid = this.takeUnreported();
      const lost = unsaid === '' ? '' : `; ${unsaid} dropped meanwhile (queue full)`;
      this.warn(`otelkit: telemetry export to ${endpoint} recovered (${signal}); sending again${lost}`);
    }
    this.failing = failingNow;
  }

  private endpointOf(signal: string): string {
    return typeof this.endpoint === 'string' ? this.endpoint : this.endpoint(signal);
  }

  private failingSignals(now: number): [string, SignalState][] {
    return [...this.signals].filter(([, state]) => isFailing(state, now));
  }
}

/** Whether `state`'s signal failed its last export, recently enough to count. */
function isFailing(state: SignalState, now: number): boolean {
  return state.failedAt !== undefined && now - state.failedAt < STALE_FAILURE_MS;
}

/** The process-wide tracker, set when the SDK starts; health checks read it. */
let activeTracker: ExportStatusTracker | undefined;

/** Installs the tracker the SDK reports to. */
export function setExportStatusTracker(tracker: ExportStatusTracker | undefined): void {
  activeTracker = tracker;
}

/** Export status of the running SDK, or `undefined` when otelkit has not started. */
export function exportStatus(): ExportStatus | undefined {
  return activeTracker?.current;
}

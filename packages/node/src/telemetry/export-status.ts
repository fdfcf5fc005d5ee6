import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode } from '@opentelemetry/core';

/** Health of the telemetry export path, as the last exports saw it. */
export interface ExportStatus {
  /** False from the first failed export until the next successful one. */
  ok: boolean;
  /** Message of the last failure, if any. */
  lastError?: string;
  /** Epoch ms of the last successful export of any signal. */
  lastSuccessAt?: number;
  /** Epoch ms of the last failed export of any signal. */
  lastFailureAt?: number;
  /** Consecutive failures since the last success. */
  consecutiveFailures: number;
}

type Warn = (message: string) => void;

/**
 * Tracks whether exports reach the Collector, across all three signals, and says so once:
 * one warning when exports start failing and one line when they recover, instead of a line
 * per failed batch.
 */
export class ExportStatusTracker {
  private status: ExportStatus = { ok: true, consecutiveFailures: 0 };

  /** @param endpoint shown in the warning. @param warn where the two lines go. */
  constructor(
    private readonly endpoint: string,
    private readonly warn: Warn = (message) => process.stderr.write(`${message}\n`),
  ) {}

  /** The current status (a copy). */
  get current(): ExportStatus {
    return { ...this.status };
  }

  /** Records the outcome of one export. */
  record(result: ExportResult, signal: string): void {
    const now = Date.now();
    if (result.code === ExportResultCode.SUCCESS) {
      if (!this.status.ok) {
        this.warn(`otelkit: telemetry export to ${this.endpoint} recovered (${signal}); sending again`);
      }
      this.status = { ...this.status, ok: true, lastSuccessAt: now, consecutiveFailures: 0 };
      return;
    }
    const message = result.error?.message ?? 'unknown error';
    if (this.status.ok) {
      this.warn(
        `otelkit: cannot export ${signal} to ${this.endpoint} (${message}); the service keeps running, ` +
          'telemetry is retried and this is reported once until it recovers',
      );
    }
    this.status = {
      ...this.status,
      ok: false,
      lastError: message,
      lastFailureAt: now,
      consecutiveFailures: this.status.consecutiveFailures + 1,
    };
  }
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

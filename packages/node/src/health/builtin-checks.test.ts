import { ExportResultCode } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ExportStatusTracker, setExportStatusTracker } from '../telemetry/export-status.js';
import {
  BUILTIN_CHECK_NAMES,
  eventLoopLagCheck,
  heapCheck,
  registerBuiltinChecks,
  telemetryExportCheck,
} from './builtin-checks.js';
import { type CheckResult, defaultHealthRegistry, HealthRegistry } from './health-registry.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const blockFor = (ms: number) => {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // Busy-wait: stall the event loop on purpose.
  }
};

describe('event-loop lag check', () => {
  it('is healthy on an idle loop and degraded after a stall, then recovers', async () => {
    const lag = eventLoopLagCheck({ degradedMs: 100, unhealthyMs: 5000, resolutionMs: 10 });
    try {
      await sleep(100);
      const idle = lag.check() as CheckResult;
      expect(idle.status).toBe('healthy');
      expect(idle.detail).toMatch(/^p99 lag \d+\.\d ms \(max/);

      await sleep(50);
      blockFor(300);
      await sleep(50);
      const stalled = lag.check() as CheckResult;
      expect(stalled.status).toBe('degraded');
      expect(stalled.detail).toMatch(/> 100 ms/);

      // The window restarts at each run, so an old stall does not stick.
      await sleep(100);
      expect((lag.check() as CheckResult).status).toBe('healthy');
    } finally {
      lag.dispose();
    }
  });

  it('is unhealthy above the unhealthy threshold', async () => {
    const lag = eventLoopLagCheck({ degradedMs: 20, unhealthyMs: 100, resolutionMs: 10 });
    try {
      await sleep(50);
      lag.check();
      await sleep(30);
      blockFor(300);
      await sleep(30);
      const result = lag.check() as CheckResult;
      expect(result.status).toBe('unhealthy');
      expect(result.detail).toMatch(/> 100 ms/);
    } finally {
      lag.dispose();
    }
  });

  it('counts a stall in the first window, which spans start-up, as degraded at most', async () => {
    const lag = eventLoopLagCheck({ degradedMs: 20, unhealthyMs: 100, resolutionMs: 10 });
    try {
      await sleep(30);
      blockFor(300);
      await sleep(30);
      const first = lag.check() as CheckResult;
      expect(first.status).toBe('degraded');
      expect(first.detail).toMatch(/since start-up$/);
    } finally {
      lag.dispose();
    }
  });

  it('says when it has no samples yet or has been stopped', () => {
    const lag = eventLoopLagCheck();
    expect(lag.check()).toEqual({ status: 'healthy', detail: 'no samples yet' });
    lag.dispose();
    expect(lag.check()).toEqual({ status: 'healthy', detail: 'monitor stopped' });
  });
});

describe('heap check', () => {
  it('is healthy under the default thresholds in a test process', () => {
    const result = heapCheck()() as CheckResult;
    expect(result.status).toBe('healthy');
    expect(result.detail).toMatch(/^\d+\.\d MiB used of \d+\.\d MiB limit \(\d+\.\d %\)$/);
  });

  it('is degraded and unhealthy past the configured percentages', () => {
    expect((heapCheck({ degradedPercent: 0, unhealthyPercent: 100 })() as CheckResult).status).toBe(
      'degraded',
    );
    expect((heapCheck({ degradedPercent: 0, unhealthyPercent: 0 })() as CheckResult).status).toBe(
      'unhealthy',
    );
  });
});

describe('telemetry export check', () => {
  afterEach(() => setExportStatusTracker(undefined));

  it('is healthy when otelkit has not started', () => {
    expect(telemetryExportCheck()()).toEqual({ status: 'healthy', detail: 'otelkit not started' });
  });

  it('is degraded with the last error while exports fail, and healthy again after a success', () => {
    const tracker = new ExportStatusTracker('http://localhost:4318', () => {});
    setExportStatusTracker(tracker);
    const check = telemetryExportCheck();
    expect(check()).toEqual({ status: 'healthy', detail: 'no export yet' });

    tracker.record({ code: ExportResultCode.FAILED, error: new Error('connect ECONNREFUSED') }, 'traces');
    tracker.record({ code: ExportResultCode.FAILED, error: new Error('connect ECONNREFUSED') }, 'logs');
    const failing = check() as CheckResult;
    expect(failing.status).toBe('degraded');
    expect(failing.detail).toBe(
      'export of traces, logs failing (2 consecutive failures, no export has succeeded yet): connect ECONNREFUSED',
    );

    // Logs have not been exported since they failed: still degraded, for logs alone.
    tracker.record({ code: ExportResultCode.SUCCESS }, 'traces');
    expect(check()).toMatchObject({
      status: 'degraded',
      detail: expect.stringMatching(/^export of logs failing \(1 /),
    });
    tracker.record({ code: ExportResultCode.SUCCESS }, 'logs');
    expect(check()).toMatchObject({
      status: 'healthy',
      detail: expect.stringMatching(/^last export [\d.]+ s ago$/),
    });
  });

  it('says how many spans and log records a full export queue dropped, and stays healthy', () => {
    const tracker = new ExportStatusTracker('http://localhost:4318', () => {});
    setExportStatusTracker(tracker);
    tracker.record({ code: ExportResultCode.SUCCESS }, 'traces');
    tracker.dropped('traces', 40);
    tracker.dropped('logs', 2);
    expect(telemetryExportCheck()()).toEqual({
      status: 'healthy',
      detail: expect.stringMatching(
        /^last export [\d.]+ s ago; 40 spans and 2 log records dropped since start \(export queue full\)$/,
      ),
    });
  });

  it('never makes the service unhealthy', async () => {
    const tracker = new ExportStatusTracker('http://localhost:4318', () => {});
    setExportStatusTracker(tracker);
    tracker.record({ code: ExportResultCode.FAILED, error: new Error('down') }, 'metrics');
    const registry = new HealthRegistry();
    const dispose = registerBuiltinChecks(registry, { eventLoopLag: false, heap: false });
    try {
      const report = await registry.run();
      expect(report.status).toBe('degraded');
      expect(report.checks[BUILTIN_CHECK_NAMES.telemetryExport]).toMatchObject({
        status: 'degraded',
        critical: false,
      });
    } finally {
      dispose();
    }
  });
});

describe('registerBuiltinChecks', () => {
  it('registers the three checks, and the disposer removes them', async () => {
    const registry = new HealthRegistry();
    registry.registerCheck('app', () => {});
    const dispose = registerBuiltinChecks(registry);
    expect(registry.checkNames).toEqual(['app', 'event-loop-lag', 'heap', 'telemetry-export']);
    const report = await registry.run();
    expect(report.checks.heap?.critical).toBe(true);
    expect(report.checks['event-loop-lag']?.critical).toBe(true);
    expect(report.checks['telemetry-export']?.critical).toBe(false);
    dispose();
    expect(registry.checkNames).toEqual(['app']);
  });

  it('replaces earlier built-ins on the same registry and honours options', () => {
    const registry = new HealthRegistry();
    registerBuiltinChecks(registry);
    const dispose = registerBuiltinChecks(registry, { heap: false, eventLoopLag: { critical: false } });
    expect(registry.checkNames).toEqual(['event-loop-lag', 'telemetry-export']);
    dispose();
    expect(registry.checkNames).toEqual([]);
  });

  it('equips the process-wide registry', () => {
    expect(defaultHealthRegistry().checkNames).toEqual(
      expect.arrayContaining(['event-loop-lag', 'heap', 'telemetry-export']),
    );
    expect(defaultHealthRegistry()).toBe(defaultHealthRegistry());
  });
});

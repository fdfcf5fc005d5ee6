import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { describeDropped, type ExportStatus, exportStatus } from '../telemetry/export-status.js';
import type { CheckResult, HealthCheck, HealthRegistry, HealthStatus } from './health-registry.js';

/** Names under which {@link registerBuiltinChecks} registers the built-in checks. */
export const BUILTIN_CHECK_NAMES = {
  /** p99 event-loop delay since the previous run ({@link eventLoopLagCheck}). */
  eventLoopLag: 'event-loop-lag',
  /** Heap use against V8's `heap_size_limit` ({@link heapCheck}). */
  heap: 'heap',
  /** Whether exports to the Collector succeed ({@link telemetryExportCheck}); never critical. */
  telemetryExport: 'telemetry-export',
} as const;

/** Options of the event-loop lag check. */
export interface EventLoopLagCheckOptions {
  /** p99 lag above which the check is `degraded`, in ms. Default 100. */
  degradedMs?: number | undefined;
  /** p99 lag above which the check is `unhealthy`, in ms. Default 1000. */
  unhealthyMs?: number | undefined;
  /** Whether an unhealthy lag makes the service unready. Default `true`: it cannot serve in time. */
  critical?: boolean | undefined;
  /** Sampling interval of the delay monitor, in ms. Default 20. */
  resolutionMs?: number | undefined;
}

/** Options of the heap check. */
export interface HeapCheckOptions {
  /** Heap use (percent of `heap_size_limit`) above which the check is `degraded`. Default 85. */
  degradedPercent?: number | undefined;
  /** Heap use (percent of `heap_size_limit`) above which the check is `unhealthy`. Default 95. */
  unhealthyPercent?: number | undefined;
  /** Whether an unhealthy heap makes the service unready. Default `true`: shedding load lets GC catch up. */
  critical?: boolean | undefined;
}

/** Options of {@link registerBuiltinChecks}; `false` leaves a check out. */
export interface BuiltinChecksOptions {
  /** Event-loop lag check options, or `false` to leave it out. */
  eventLoopLag?: EventLoopLagCheckOptions | false | undefined;
  /** Heap check options, or `false` to leave it out. */
  heap?: HeapCheckOptions | false | undefined;
  /** `false` leaves the telemetry export check out. It is never critical. */
  telemetryExport?: boolean | undefined;
}

/** A check that holds a resource (a timer-driven monitor) and must be disposed of. */
export interface DisposableCheck {
  /** The check itself. */
  check: HealthCheck;
  /** Stops the underlying monitor. The check reports `healthy` with a note afterwards. */
  dispose(): void;
}

/**
 * Event-loop lag: p99 of the loop's scheduling delay since the previous run of this check (so one
 * stall an hour ago doesn't keep the service degraded), measured by `monitorEventLoopDelay`.
 */
export function eventLoopLagCheck(options: EventLoopLagCheckOptions = {}): DisposableCheck {
  const degradedMs = options.degradedMs ?? 100;
  const unhealthyMs = options.unhealthyMs ?? 1000;
  const resolutionMs = Math.max(1, Math.round(options.resolutionMs ?? 20));
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  let windowStart = Date.now();
  let disposed = false;
  // The first window opens with the SDK, before the application has loaded its modules; a stall
  // in it is start-up work, not lag the service keeps. It can degrade, never make unready.
  let firstWindow = true;

  const check = (): CheckResult => {
    if (disposed) return { status: 'healthy', detail: 'monitor stopped' };
    const windowSeconds = (Date.now() - windowStart) / 1000;
    // An empty histogram's percentiles are garbage (e.g. 511 ns), so say so instead.
    if (histogram.count === 0) return { status: 'healthy', detail: 'no samples yet' };
    // Samples are the time between timer ticks, so the interval itself is not lag.
    const p99 = Math.max(0, histogram.percentile(99) / 1e6 - resolutionMs);
    const max = Math.max(0, histogram.max / 1e6 - resolutionMs);
    histogram.reset();
    windowStart = Date.now();
    const startUp = firstWindow;
    firstWindow = false;
    const status: HealthStatus =
      p99 > unhealthyMs && !startUp ? 'unhealthy' : p99 > degradedMs ? 'degraded' : 'healthy';
    const limit =
      status === 'unhealthy' ? ` > ${unhealthyMs} ms` : status === 'degraded' ? ` > ${degradedMs} ms` : '';
    return {
      status,
      detail: `p99 lag ${p99.toFixed(1)} ms${limit} (max ${max.toFixed(1)} ms) over ${windowSeconds.toFixed(1)} s${startUp ? ' since start-up' : ''}`,
    };
  };

  return {
    check,
    dispose: () => {
      disposed = true;
      histogram.disable();
    },
  };
}

/** Heap: V8 heap used against the heap size limit (`--max-old-space-size` or V8's default). */
export function heapCheck(options: HeapCheckOptions = {}): HealthCheck {
  const degradedPercent = options.degradedPercent ?? 85;
  const unhealthyPercent = options.unhealthyPercent ?? 95;
  return (): CheckResult => {
    const { used_heap_size: used, heap_size_limit: limit } = getHeapStatistics();
    const percent = limit > 0 ? (used / limit) * 100 : 0;
    const status: HealthStatus =
      percent > unhealthyPercent ? 'unhealthy' : percent > degradedPercent ? 'degraded' : 'healthy';
    return {
      status,
      detail: `${mib(used)} MiB used of ${mib(limit)} MiB limit (${percent.toFixed(1)} %)`,
    };
  };
}

/**
 * Telemetry export: `degraded` while exports to the Collector fail, never `unhealthy`, because a
 * monitoring outage must not take the monitored service out of rotation.
 */
export function telemetryExportCheck(): HealthCheck {
  return (): CheckResult => {
    const status = exportStatus();
    if (status === undefined) return { status: 'healthy', detail: 'otelkit not started' };
    if (status.ok) {
      const last =
        status.lastSuccessAt === undefined
          ? 'no export yet'
          : `last export ${secondsAgo(status.lastSuccessAt)} s ago`;
      return { status: 'healthy', detail: `${last}${droppedSinceStart(status)}` };
    }
    const since =
      status.lastSuccessAt === undefined
        ? 'no export has succeeded yet'
        : `last success ${secondsAgo(status.lastSuccessAt)} s ago`;
    return {
      status: 'degraded',
      detail:
        `export of ${status.failingSignals.join(', ')} failing ` +
        `(${status.consecutiveFailures} consecutive failures, ${since}): ` +
        (status.lastError ?? 'unknown error') +
        droppedSinceStart(status),
    };
  };
}

/** "; 12 spans and 3 log records dropped since start (export queue full)", or nothing. */
function droppedSinceStart(status: ExportStatus): string {
  const dropped = describeDropped(status.dropped ?? {});
  return dropped === '' ? '' : `; ${dropped} dropped since start (export queue full)`;
}

/** Disposers of the built-ins on each registry, so registering again doesn't leak a monitor. */
const installed = new WeakMap<HealthRegistry, () => void>();

/** Whether {@link registerBuiltinChecks} installed built-ins on `registry` that are still there. */
export function hasBuiltinChecks(registry: HealthRegistry): boolean {
  return installed.has(registry);
}

/**
 * Registers the built-in checks (event-loop lag, heap, telemetry export) on a registry, replacing
 * any built-ins registered on it before.
 *
 * @returns a function that unregisters them and stops the event-loop monitor.
 */
export function registerBuiltinChecks(
  registry: HealthRegistry,
  options: BuiltinChecksOptions = {},
): () => void {
  installed.get(registry)?.();
  const disposers: (() => void)[] = [];

  if (options.eventLoopLag !== false) {
    const lag = eventLoopLagCheck(options.eventLoopLag ?? {});
    const unregister = registry.registerCheck(BUILTIN_CHECK_NAMES.eventLoopLag, lag.check, {
      critical: options.eventLoopLag?.critical ?? true,
    });
    disposers.push(() => {
      unregister();
      lag.dispose();
    });
  }
  if (options.heap !== false) {
    disposers.push(
      registry.registerCheck(BUILTIN_CHECK_NAMES.heap, heapCheck(options.heap ?? {}), {
        critical: options.heap?.critical ?? true,
      }),
    );
  }
  if (options.telemetryExport !== false) {
    disposers.push(
      registry.registerCheck(BUILTIN_CHECK_NAMES.telemetryExport, telemetryExportCheck(), {
        critical: false,
      }),
    );
  }

  const dispose = (): void => {
    for (const disposer of disposers) disposer();
    if (installed.get(registry) === dispose) installed.delete(registry);
  };
  installed.set(registry, dispose);
  return dispose;
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

function secondsAgo(epochMs: number): string {
  return Math.max(0, (Date.now() - epochMs) / 1000).toFixed(1);
}

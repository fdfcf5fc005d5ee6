import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { readEnvironment } from '../config/env.js';
import type { ResolvedConfig, StartOptions } from '../config/options.js';
import { checkStartOptions } from '../config/start-options.js';
import { installCrashHandlers } from '../errors/crash-handlers.js';
import { hasBuiltinChecks, registerBuiltinChecks } from '../health/builtin-checks.js';
import { isHealthPath } from '../health/handlers.js';
import { defaultHealthRegistry, useSdkServiceVersion } from '../health/health-registry.js';
import { within } from '../lifecycle/bounded.js';
import { installExitFlush } from '../lifecycle/exit-flush.js';
import { installExitSend, sendOnTheWayOut } from '../lifecycle/exit-send.js';
import { installSignalHandlers } from '../lifecycle/signals.js';
import {
  type ExportStatus,
  ExportStatusTracker,
  setExportStatusTracker,
} from '../telemetry/export-status.js';
import { recordHeapLimit } from '../telemetry/heap-limit.js';
import { enableDiagnostics } from './diagnostics.js';
import { watchDroppedItems } from './dropped-items.js';
import { ExitExport } from './exit-export.js';
import { holdExports, releaseExports } from './export-holds.js';
import { isOwnExport } from './export-targets.js';
import { signalExporters } from './exporters.js';
import { patchHttpBuiltinsForEsm } from './http-builtins-for-esm.js';
import { CONVENTIONAL_PROBE_PATHS, pathMatcher } from './ignored-paths.js';
import { createInstrumentations } from './instrumentations.js';
import { preloadedModules } from './preloaded-modules.js';
import { buildPropagator } from './propagator.js';
import { buildResource } from './resource.js';
import { buildSampler } from './sampler.js';
import { ExportGate, trackLogExporter, trackMetricExporter, trackSpanExporter } from './tracked-exporters.js';

/** The running SDK, as `start()` returns it. */
export interface OtelkitSdk {
  /** The configuration in effect. */
  readonly config: ResolvedConfig;
  /** Whether exports currently reach the Collector. */
  exportStatus(): ExportStatus | undefined;
  /** Exports everything buffered, waiting at most `timeoutMs` (default: the shutdown bound). */
  flush(timeoutMs?: number): Promise<void>;
  /** Flushes and stops every signal, waiting at most `timeoutMs`. Idempotent. */
  shutdown(timeoutMs?: number): Promise<void>;
}

const warn = (message: string) => process.stderr.write(`${message}\n`);

// How long exports are refused once a flush on the way out found the Collector unreachable:
// longer than a drain, short enough for a process that goes on running after a signal it handles.
const GATE_CLOSED_MS = 60_000;

let running: OtelkitSdk | undefined;
let ignoredOptionsReported = false;

function applyOptions(config: ResolvedConfig, options: StartOptions): ResolvedConfig {
  const signal = (s: ResolvedConfig['traces']): ResolvedConfig['traces'] => ({
    ...s,
    headers: { ...s.headers, ...options.headers },
  });
  return {
    ...config,
    serviceName: options.serviceName ?? config.serviceName,
    resourceAttributes: { ...config.resourceAttributes, ...options.resourceAttributes },
    traces: signal(config.traces),
    metrics: signal(config.metrics),
    logs: signal(config.logs),
    instrumentations: options.instrumentations ?? config.instrumentations,
    ...(options.sampleRatio !== undefined
      ? {
          sampler: 'parentbased_traceidratio' as const,
          samplerRatio: Math.min(1, Math.max(0, options.sampleRatio)),
        }
      : {}),
    metricExportIntervalMs: options.metricExportIntervalMs ?? config.metricExportIntervalMs,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? config.shutdownTimeoutMs,
    ignoreHealthProbes: options.ignoreHealthProbes ?? config.ignoreHealthProbes,
    ignorePaths: options.ignorePaths ?? config.ignorePaths,
  };
}

/** Which incoming requests get no span and no duration: health probes and the configured paths. */
function ignoredIncoming(config: ResolvedConfig): (path: string) => boolean {
  if (!config.ignoreHealthProbes) return pathMatcher(config.ignorePaths);
  const ignored = pathMatcher([...CONVENTIONAL_PROBE_PATHS, ...config.ignorePaths]);
  // isHealthPath also knows where the application mounted otelkit's endpoints.
  return (path) => isHealthPath(path) || ignored(path);
}

function disabledSdk(config: ResolvedConfig): OtelkitSdk {
  return { config, exportStatus: () => undefined, flush: async () => {}, shutdown: async () => {} };
}

/**
 * Starts tracing, metrics and logging for this process from the standard `OTEL_*` variables,
 * overridden by `options`. Synchronous, so it can run before the application's first module
 * from `--import` and `--require` alike. Calling it again returns the running SDK.
 *
 * It never throws: an invalid variable is reported on one line and replaced by its default, and
 * if the SDK itself cannot start the application runs uninstrumented with one warning.
 */
export function start(options?: StartOptions): OtelkitSdk {
  // JavaScript callers may pass null or a non-object; start() never throws.
  const given: StartOptions = typeof options === 'object' && options !== null ? options : {};
  if (running) {
    if (Object.values(given).some((value) => value !== undefined) && !ignoredOptionsReported) {
      ignoredOptionsReported = true;
      warn(
        'otelkit: start() already ran (from @otelkit/node/register or an earlier call), so the options of this call are ignored; ' +
          'set them as OTEL_* variables, or call start() first without the register flag',
      );
    }
    return running;
  }
  const { options: checked, problems: optionProblems } = checkStartOptions(given);
  for (const problem of optionProblems) warn(problem);
  // The transport options go in before the endpoints are derived from it.
  const { config: fromEnv, problems } = readEnvironment(process.env, checked);
  for (const problem of problems) warn(problem);
  const config = applyOptions(fromEnv, checked);
  if (config.disabled) {
    running = disabledSdk(config);
    return running;
  }
  try {
    running = startProviders(config, checked);
  } catch (error) {
    // What was registered before the failure would otherwise stay in place, half set up.
    releaseGlobals();
    warn(`otelkit: telemetry disabled, the SDK could not start (${(error as Error).message})`);
    running = disabledSdk(config);
  }
  return running;
}

/** The running SDK, if `start()` has run and `shutdown()` has not since. */
export function runningSdk(): OtelkitSdk | undefined {
  return running;
}

// Set once this SDK has registered its globals, so that a start() that fails before then leaves
// whatever the application registered itself alone.
let globalsRegistered = false;

/**
 * Unregisters the global providers, propagator, context manager and export tracker, so that a
 * later `start()` can register its own: the API refuses to replace a registered global.
 */
function releaseGlobals(): void {
  setExportStatusTracker(undefined);
  if (!globalsRegistered) return;
  globalsRegistered = false;
  trace.disable();
  metrics.disable();
  logs.disable();
  propagation.disable();
  context.disable();
}

function startProviders(config: ResolvedConfig, options: StartOptions): OtelkitSdk {
  const disableDiagnostics = enableDiagnostics(config.logLevel);
  // Usually one Collector for all three; each signal is named with its own when they differ.
  const origins: Record<string, string> = {};
  for (const [name, signal] of [
    ['traces', config.traces],
    ['metrics', config.metrics],
    ['logs', config.logs],
  ] as const) {
    if (signal.exporters.includes('otlp')) origins[name] = new URL(signal.endpoint).origin;
  }
  const exportOrigin =
    [...new Set(Object.values(origins))].join(', ') || new URL(config.traces.endpoint).origin;
  const tracker = new ExportStatusTracker((signal) => origins[signal] ?? exportOrigin, warn);
  setExportStatusTracker(tracker);
  const extra = options.serviceVersion ? { 'service.version': options.serviceVersion } : {};
  const resource = buildResource(config, extra, warn);
  useSdkServiceVersion(options.serviceVersion ?? config.resourceAttributes['service.version']);
  const exitExport = new ExitExport();
  const exitSendTarget = { origin: exportOrigin, timeoutMs: config.shutdownTimeoutMs };
  const gate = new ExportGate();
  holdExports(gate);

  const meterProvider = new MeterProvider({
    resource,
    readers: signalExporters('metrics', config.metrics, (e) => trackMetricExporter(e, tracker, gate)).map(
      (exporter) =>
        new PeriodicExportingMetricReader({
          exporter,
          exportIntervalMillis: config.metricExportIntervalMs,
          // The reader refuses a timeout longer than its interval.
          exportTimeoutMillis: Math.min(config.metricExportTimeoutMs, config.metricExportIntervalMs),
        }),
    ),
  });
  // The batch processors report themselves with the service's metrics, and a full queue to the tracker.
  const processorMeters = watchDroppedItems(
    config.metrics.exporters.length > 0 ? meterProvider : undefined,
    (signal, count) => {
      exitExport.droppedItems(count);
      tracker.dropped(signal, count);
    },
  );

  const tracerProvider = new NodeTracerProvider({
    resource,
    sampler: buildSampler(config),
    spanLimits: config.spanLimits,
    spanProcessors: signalExporters('trace', config.traces, (e) =>
      exitExport.spanExporter(trackSpanExporter(e, tracker, gate), config.traces),
    ).map((exporter) => exitExport.spanProcessor(exporter, config.spanBatch, processorMeters)),
  });
  tracerProvider.register({ propagator: buildPropagator(config.propagators) });
  globalsRegistered = true;
  metrics.setGlobalMeterProvider(meterProvider);
  if (config.instrumentations.includes('runtime-node')) recordHeapLimit(meterProvider);

  const loggerProvider = new LoggerProvider({
    resource,
    logRecordLimits: config.logRecordLimits,
    processors: signalExporters('logs', config.logs, (e) =>
      exitExport.logExporter(trackLogExporter(e, tracker, gate), config.logs),
    ).map((exporter) => exitExport.logProcessor(exporter, config.logBatch, processorMeters)),
  });
  logs.setGlobalLoggerProvider(loggerProvider);

  const ownExport = isOwnExport(config);
  const instrumentations = createInstrumentations(
    config.instrumentations,
    {
      ignoreIncoming: ignoredIncoming(config),
      ignoreOutgoing: ownExport,
    },
    warn,
  );
  const unregister = registerInstrumentations({
    instrumentations,
    tracerProvider,
    meterProvider,
    loggerProvider,
  });
  if (config.instrumentations.includes('http')) patchHttpBuiltinsForEsm();
  const preloaded = preloadedModules(config.instrumentations);
  if (preloaded.length > 0) {
    warn(
      `otelkit: ${preloaded.join(', ')} ${preloaded.length === 1 ? 'was' : 'were'} loaded before otelkit started, ` +
        'so not instrumented; load @otelkit/node/register first (--import or --require), or call start() before them',
    );
  }

  // Waits for the exports at most `timeoutMs`, and says so when that was not long enough: what is
  // still queued then is lost if the process exits, and that must not go unnoticed.
  const exportWithin = async (work: Promise<unknown>, timeoutMs: number): Promise<boolean> => {
    if (await within(work, timeoutMs)) return true;
    warn(
      `otelkit: telemetry was still being exported to ${exportOrigin} after ${timeoutMs} ms; ` +
        'what is left is lost if the process exits now (OTELKIT_SHUTDOWN_TIMEOUT_MS sets the wait)',
    );
    return false;
  };
  // Exports what is buffered, at most `timeoutMs`; resolves false when that was not long enough.
  const flushWithin = (timeoutMs = config.shutdownTimeoutMs) =>
    exportWithin(
      Promise.allSettled([
        tracerProvider.forceFlush(),
        meterProvider.forceFlush(),
        loggerProvider.forceFlush(),
      ]),
      timeoutMs,
    );
  // A flush on the way out (a signal, a crash, shutdown) that runs out of time means the Collector
  // did not answer, and the process must not wait for it a second time as it ends: neither the
  // exit flush nor the process.exit() send runs then, and the exporters' retries no longer keep
  // it alive. A flush the application asks for itself says nothing about that.
  const giveUpOnCollector = () => {
    exitExport.abandon();
    gate.closeFor(GATE_CLOSED_MS);
    releaseExports();
  };
  const flushOnTheWayOut = async (timeoutMs?: number): Promise<boolean> => {
    tracker.ending();
    const finished = await flushWithin(timeoutMs);
    if (!finished) giveUpOnCollector();
    return finished;
  };
  let stopped: Promise<void> | undefined;
  const sdk: OtelkitSdk = {
    config,
    exportStatus: () => tracker.current,
    flush: async (timeoutMs) => {
      await flushWithin(timeoutMs);
    },
    shutdown: (timeoutMs = config.shutdownTimeoutMs) => {
      stopped ??= (async () => {
        tracker.ending();
        removeSignalHandlers();
        removeExitFlush();
        removeExitSend();
        removeCrashHandlers();
        removeBuiltinChecks();
        unregister();
        const finished = await exportWithin(
          Promise.allSettled([
            tracerProvider.shutdown(),
            meterProvider.shutdown(),
            loggerProvider.shutdown(),
          ]),
          timeoutMs,
        );
        if (!finished) giveUpOnCollector();
        releaseGlobals();
        disableDiagnostics();
        useSdkServiceVersion(undefined);
        // A later start() makes a new SDK rather than handing back this stopped one.
        if (running === sdk) running = undefined;
      })();
      return stopped;
    },
  };
  // Started with the SDK so the event-loop monitor has samples by the first probe. Built-ins the
  // application registered itself, with its own options, stay as they are, and stay after shutdown.
  const healthRegistry = defaultHealthRegistry();
  const removeBuiltinChecks = hasBuiltinChecks(healthRegistry)
    ? () => {}
    : registerBuiltinChecks(healthRegistry);
  const removeSignalHandlers =
    options.handleSignals === false
      ? () => {}
      : installSignalHandlers({
          shutdown: () => sdk.shutdown(),
          // The re-raised signal ends the process with its requests in flight, whose spans would
          // never end: they go now, as they would on process.exit().
          beforeEnd: (signal) =>
            sendOnTheWayOut(
              (timeoutMs) =>
                exitExport.sendAtExit(timeoutMs, `the process was ended by ${signal} before this span ended`),
              exitSendTarget,
              warn,
            ),
          // The application drains and ends by itself; if the Collector did not answer, exports
          // that would retry past its end are refused from now on (giveUpOnCollector).
          flush: async () => {
            await flushOnTheWayOut();
          },
        });
  const removeExitFlush = installExitFlush(
    () => flushOnTheWayOut(),
    () => exitExport.abandoned,
  );
  const removeExitSend = installExitSend(
    (timeoutMs) => {
      // A plain process.exit() reaches no other way out: the drops not yet said go unsaid otherwise.
      tracker.ending();
      return exitExport.sendAtExit(timeoutMs);
    },
    exitSendTarget,
    warn,
  );
  const removeCrashHandlers =
    options.handleCrashes === false
      ? () => {}
      : installCrashHandlers(
          async (timeoutMs) => {
            await flushOnTheWayOut(timeoutMs);
          },
          {
            flushTimeoutMs: config.shutdownTimeoutMs,
          },
        );
  return sdk;
}

/** Flushes and stops the running SDK, if any. */
export async function shutdown(timeoutMs?: number): Promise<void> {
  const sdk = running;
  running = undefined;
  await sdk?.shutdown(timeoutMs);
}

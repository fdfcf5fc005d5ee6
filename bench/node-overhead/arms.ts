/**
 * The three configurations compared by bench/node-overhead. Each runs the same server.cjs with
 * the same Node; only the preload flag and the `OTEL_*` environment differ.
 */

/**
 * Which configuration. `otelkit-no-export` is diagnostic, not part of the comparison: otelkit
 * with every exporter off, so that the difference to `otelkit` is what exporting costs the
 * server (building, serialising and sending the batches).
 */
export type ArmName = 'none' | 'upstream' | 'otelkit' | 'otelkit-no-export';

/** All arms, in the order of the report. */
export const ARM_NAMES: readonly ArmName[] = ['none', 'upstream', 'otelkit', 'otelkit-no-export'];

/** Arms whose start-up is measured: the diagnostic arm starts like `otelkit`. */
export const STARTUP_ARM_NAMES: readonly ArmName[] = ['none', 'upstream', 'otelkit'];

/** How to launch one arm. */
export interface Arm {
  /** Short name used in the JSON line. */
  name: ArmName;
  /** Human-readable name used in the table. */
  label: string;
  /** Node flags placed before the server's path. */
  nodeArgs: readonly string[];
  /** Environment added to the cleaned parent environment. */
  env: Readonly<Record<string, string>>;
}

/** Options of {@link armsFor}. */
export interface ArmSettings {
  /** Collector OTLP/HTTP base URL, e.g. `http://127.0.0.1:4318`. */
  otlpHttp: string;
  /** `OTEL_METRIC_EXPORT_INTERVAL` for both instrumented arms, ms. */
  metricExportIntervalMs: number;
}

/**
 * The arms, configured so that both instrumented ones do the same work: every signal exported
 * over OTLP/HTTP protobuf to the same Collector, every trace sampled.
 */
export function armsFor(settings: ArmSettings): Record<ArmName, Arm> {
  // Spelled out even where it matches a default, so that a change of default in either SDK
  // cannot silently turn a signal off in one arm.
  const telemetry = {
    OTEL_EXPORTER_OTLP_ENDPOINT: settings.otlpHttp,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_METRICS_EXPORTER: 'otlp',
    OTEL_LOGS_EXPORTER: 'otlp',
    OTEL_TRACES_SAMPLER: 'parentbased_always_on',
    // The default (60 s) is longer than a measured window: metrics would be exported only at
    // shutdown. A shorter interval makes the metrics signal part of the measured work.
    OTEL_METRIC_EXPORT_INTERVAL: String(settings.metricExportIntervalMs),
  };
  return {
    none: { name: 'none', label: 'uninstrumented', nodeArgs: [], env: {} },
    upstream: {
      name: 'upstream',
      label: 'auto-instrumentations-node/register',
      // `--require`: upstream's register is CommonJS; its ESM path needs a second loader flag,
      // and the server is CommonJS anyway.
      nodeArgs: ['--require', '@opentelemetry/auto-instrumentations-node/register'],
      env: {
        ...telemetry,
        OTEL_SERVICE_NAME: 'bench-upstream',
        // Upstream's default ('all') includes the cloud metadata detectors, which call
        // 169.254.169.254 and metadata.google.internal: off loopback, and exports wait for the
        // detectors to settle. The set below is otelkit's default. All detector packages are
        // still required at start-up (utils.js imports them unconditionally), so their load
        // time still counts.
        OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process,serviceinstance',
      },
    },
    otelkit: {
      name: 'otelkit',
      label: '@otelkit/node/register',
      // `--import` is the documented entry; it installs the ESM hook and patches CommonJS too.
      nodeArgs: ['--import', '@otelkit/node/register'],
      env: { ...telemetry, OTEL_SERVICE_NAME: 'bench-otelkit' },
    },
    'otelkit-no-export': {
      name: 'otelkit-no-export',
      label: '@otelkit/node/register, exporters off',
      nodeArgs: ['--import', '@otelkit/node/register'],
      env: {
        ...telemetry,
        OTEL_SERVICE_NAME: 'bench-otelkit-no-export',
        OTEL_TRACES_EXPORTER: 'none',
        OTEL_METRICS_EXPORTER: 'none',
        OTEL_LOGS_EXPORTER: 'none',
      },
    },
  };
}

/**
 * The parent's environment without anything that would change how a server starts: inherited
 * `OTEL_*` variables (they would reach one arm's SDK but not the other's defaults) and
 * `NODE_OPTIONS` (tsx or a debugger could inject loaders into every arm).
 */
export function cleanEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || key.startsWith('OTEL_') || key === 'NODE_OPTIONS') continue;
    out[key] = value;
  }
  return out;
}

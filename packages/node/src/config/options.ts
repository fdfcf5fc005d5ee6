/** OTLP transport, as `OTEL_EXPORTER_OTLP_PROTOCOL` names it. */
export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';

/** Where one signal goes: OTLP, the console (debugging) or nowhere. */
export type SignalExporter = 'otlp' | 'console' | 'none';

/** Head sampler, as `OTEL_TRACES_SAMPLER` names it. */
export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

/** Context propagation formats, as `OTEL_PROPAGATORS` names them. */
export type PropagatorName = 'tracecontext' | 'baggage' | 'b3' | 'b3multi' | 'jaeger';

/** Compression of OTLP requests, as `OTEL_EXPORTER_OTLP_COMPRESSION` names it. */
export type OtlpCompression = 'gzip' | 'none';

/** Instrumentations @otelkit/node can enable, by the short names `OTEL_NODE_*_INSTRUMENTATIONS` use. */
export type InstrumentationName =
  | 'http'
  | 'express'
  | 'fastify'
  | 'undici'
  | 'winston'
  | 'pino'
  | 'koa'
  | 'graphql'
  | 'pg'
  | 'mysql2'
  | 'ioredis'
  | 'redis'
  | 'amqplib'
  | 'runtime-node';

/** Resource detectors, as `OTEL_NODE_RESOURCE_DETECTORS` names them. */
export type DetectorName =
  | 'env'
  | 'host'
  | 'os'
  | 'process'
  | 'serviceinstance'
  | 'container'
  | 'aws'
  | 'gcp'
  | 'azure';

/** Per-signal export settings. */
export interface SignalOptions {
  /** Where the signal goes, each once. Default `['otlp']`; empty for `none`. */
  exporters: Exclude<SignalExporter, 'none'>[];
  /** Full URL (HTTP, including `/v1/<signal>`) or `host:port` URL (gRPC). */
  endpoint: string;
  /** Transport. Default `http/protobuf`. */
  protocol: OtlpProtocol;
  /** Extra request headers, e.g. an API key for a hosted Collector. */
  headers: Record<string, string>;
  /** Per-request export timeout in ms. Default 10000. */
  timeoutMs: number;
  /** Request compression. Default `none`: the Collector is usually next door. */
  compression: OtlpCompression;
  /** PEM files for an https endpoint: the signal's own variables, else `OTEL_EXPORTER_OTLP_*`. */
  tls: TlsFiles;
}

/**
 * The readable PEM files of `OTEL_EXPORTER_OTLP_[SIGNAL_]CERTIFICATE`, `…_CLIENT_CERTIFICATE` and
 * `…_CLIENT_KEY`; absent when unset or unreadable.
 */
export interface TlsFiles {
  /** Trusted certificate authorities, instead of the system's. */
  ca?: string;
  /** Client certificate, for mutual TLS. */
  cert?: string;
  /** The client certificate's private key. */
  key?: string;
}

/** How a batch processor buffers and sends (`OTEL_BSP_*` for spans, `OTEL_BLRP_*` for logs). */
export interface BatchOptions {
  /** Longest wait before a partial batch is sent, in ms. */
  scheduledDelayMillis: number;
  /** Bound of one batch's export, in ms. */
  exportTimeoutMillis: number;
  /** Items buffered at most; beyond it new ones are dropped. */
  maxQueueSize: number;
  /** Items per export request at most; not above `maxQueueSize`. */
  maxExportBatchSize: number;
}

/** Bounds on what one span carries (`OTEL_SPAN_*_LIMIT`, then `OTEL_ATTRIBUTE_*_LIMIT`). */
export interface SpanLimitOptions {
  /** Longest string attribute value, in characters; `Infinity` for no limit. */
  attributeValueLengthLimit: number;
  /** Attributes per span. */
  attributeCountLimit: number;
  /** Events per span. */
  eventCountLimit: number;
  /** Links per span. */
  linkCountLimit: number;
  /** Attributes per span event. */
  attributePerEventCountLimit: number;
  /** Attributes per span link. */
  attributePerLinkCountLimit: number;
}

/** Bounds on what one log record carries (`OTEL_LOGRECORD_*_LIMIT`, then `OTEL_ATTRIBUTE_*_LIMIT`). */
export interface LogRecordLimitOptions {
  /** Longest string attribute value, in characters; `Infinity` for no limit. */
  attributeValueLengthLimit: number;
  /** Attributes per log record. */
  attributeCountLimit: number;
}

/** Everything @otelkit/node runs with, after defaults, environment and `start(options)` merged. */
export interface ResolvedConfig {
  /** `OTEL_SDK_DISABLED=true` turns everything off; the app runs untouched. */
  disabled: boolean;
  /** `service.name`. */
  serviceName: string;
  /** Extra resource attributes (`OTEL_RESOURCE_ATTRIBUTES`). */
  resourceAttributes: Record<string, string>;
  /** Traces export. */
  traces: SignalOptions;
  /** Metrics export. */
  metrics: SignalOptions;
  /** Logs export. */
  logs: SignalOptions;
  /** Metric export interval in ms (`OTEL_METRIC_EXPORT_INTERVAL`). */
  metricExportIntervalMs: number;
  /** Bound of one metric collection and export, in ms (`OTEL_METRIC_EXPORT_TIMEOUT`). */
  metricExportTimeoutMs: number;
  /** Span batching (`OTEL_BSP_*`). */
  spanBatch: BatchOptions;
  /** Log record batching (`OTEL_BLRP_*`). */
  logBatch: BatchOptions;
  /** Span limits. */
  spanLimits: SpanLimitOptions;
  /** Log record limits. */
  logRecordLimits: LogRecordLimitOptions;
  /** Formats trace context is read from and written in (`OTEL_PROPAGATORS`); empty for `none`. */
  propagators: PropagatorName[];
  /** Head sampler. Default `parentbased_always_on`: tail sampling happens in the Collector. */
  sampler: SamplerName;
  /** Ratio for the `*traceidratio` samplers, 0..1. */
  samplerRatio: number;
  /** Instrumentations to enable. */
  instrumentations: InstrumentationName[];
  /** Resource detectors to run. */
  resourceDetectors: DetectorName[];
  /** Upper bound of the flush at shutdown, in ms. */
  shutdownTimeoutMs: number;
  /**
   * Keep health probes out of traces and HTTP metrics: otelkit's own endpoints (`/health`,
   * `/health/live`, `/health/ready`) and the Kubernetes-style `/healthz`, `/livez`, `/readyz`.
   */
  ignoreHealthProbes: boolean;
  /**
   * More request paths kept out of traces and HTTP metrics (`OTELKIT_IGNORE_PATHS`): exact
   * paths, or a prefix ending in `/*` for everything below it, e.g. `['/metrics', '/internal/*']`.
   */
  ignorePaths: string[];
  /**
   * When `@otelkit/node/register` installs the ESM hooks (`OTELKIT_ESM_LOADER`):
   * `auto` (default) skips them for a main module that is certainly CommonJS, `always` installs
   * them.
   */
  esmLoader: EsmLoaderMode;
  /**
   * The SDK's own diagnostics on the console (`OTEL_LOG_LEVEL`). Default `none`: otelkit's
   * warnings (an invalid setting, the Collector unreachable) print either way, once each.
   */
  logLevel: LogLevelName;
}

/** Values of `OTEL_LOG_LEVEL`, from quietest to noisiest. */
export const LOG_LEVELS = ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'] as const;
/** How much of the SDK's diagnostics is printed: see {@link ResolvedConfig.logLevel}. */
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** Values of `OTELKIT_ESM_LOADER`. */
export const ESM_LOADER_MODES = ['auto', 'always'] as const;
/** When the ESM hooks are installed: see {@link ResolvedConfig.esmLoader}. */
export type EsmLoaderMode = (typeof ESM_LOADER_MODES)[number];

/** Options of `start()`; each one overrides the environment. */
export interface StartOptions {
  /** `service.name`; overrides `OTEL_SERVICE_NAME`. */
  serviceName?: string | undefined;
  /** `service.version`. */
  serviceVersion?: string | undefined;
  /** Extra resource attributes, merged over `OTEL_RESOURCE_ATTRIBUTES`. */
  resourceAttributes?: Record<string, string> | undefined;
  /** Base OTLP endpoint for all signals, e.g. `http://collector:4318`. */
  endpoint?: string | undefined;
  /** Transport for all signals. */
  protocol?: OtlpProtocol | undefined;
  /** Headers for all signals. */
  headers?: Record<string, string> | undefined;
  /** Instrumentations to enable instead of the defaults. */
  instrumentations?: InstrumentationName[] | undefined;
  /** Head sampler ratio (0..1) with a parent-based sampler. */
  sampleRatio?: number | undefined;
  /** Metric export interval in ms. */
  metricExportIntervalMs?: number | undefined;
  /** Upper bound of the flush at shutdown, in ms. Default 5000. */
  shutdownTimeoutMs?: number | undefined;
  /** Flush and exit on SIGTERM/SIGINT the way Node would. Default true. */
  handleSignals?: boolean | undefined;
  /** Record uncaught exceptions and unhandled rejections before Node handles them. Default true. */
  handleCrashes?: boolean | undefined;
  /** Keep health probes out of traces. Default true. */
  ignoreHealthProbes?: boolean | undefined;
  /**
   * Request paths kept out of traces and HTTP metrics, instead of `OTELKIT_IGNORE_PATHS`: exact
   * paths, or a prefix ending in `/*`, e.g. `['/metrics', '/internal/*']`.
   */
  ignorePaths?: string[] | undefined;
}

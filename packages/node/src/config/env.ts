import { type Env, type EnvValues, envValues, type Reject } from './env-values.js';
import {
  type BatchOptions,
  type DetectorName,
  ESM_LOADER_MODES,
  type EsmLoaderMode,
  type InstrumentationName,
  LOG_LEVELS,
  type OtlpCompression,
  type OtlpProtocol,
  type PropagatorName,
  type ResolvedConfig,
  type SamplerName,
  type SignalExporter,
  type SignalOptions,
  type StartOptions,
  type TlsFiles,
} from './options.js';

export type { Env } from './env-values.js';

/** Instrumentations on unless disabled. fs, dns and net are deliberately absent: too noisy. */
export const DEFAULT_INSTRUMENTATIONS: readonly InstrumentationName[] = [
  'http',
  'express',
  'fastify',
  'koa',
  'graphql',
  'undici',
  'winston',
  'pino',
  'pg',
  'mysql2',
  'ioredis',
  'redis',
  'amqplib',
  'runtime-node',
];
const KNOWN_INSTRUMENTATIONS = new Set<string>(DEFAULT_INSTRUMENTATIONS);

/** Detectors that ask nothing of the network. Cloud metadata detectors run only when named. */
export const DEFAULT_DETECTORS: readonly DetectorName[] = ['env', 'host', 'os', 'process', 'serviceinstance'];
const ALL_DETECTORS: readonly DetectorName[] = [...DEFAULT_DETECTORS, 'container', 'aws', 'gcp', 'azure'];

const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc'];
const EXPORTERS: readonly Exclude<SignalExporter, 'none'>[] = ['otlp', 'console'];
const COMPRESSIONS: readonly OtlpCompression[] = ['gzip', 'none'];
// Read by the OTLP metric exporters themselves; checked here so a typo is not silent.
const TEMPORALITIES = ['cumulative', 'delta', 'lowmemory'] as const;
const PROPAGATORS: readonly PropagatorName[] = ['tracecontext', 'baggage', 'b3', 'b3multi', 'jaeger'];
const SAMPLERS: readonly SamplerName[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

/** The result of reading the environment: a usable config and one line per value it rejected. */
export interface EnvReading {
  /** Config with every invalid value replaced by its default. */
  config: ResolvedConfig;
  /** One message per rejected value: the variable, the value, the expected form, what is used. */
  problems: string[];
}

/** What `start(options)` says about the transport: it wins over every variable that does. */
export type TransportOverrides = Pick<StartOptions, 'protocol' | 'endpoint'>;

/**
 * Reads the standard `OTEL_*` variables the OpenTelemetry Node SDK reads (and otelkit's
 * `OTELKIT_*`); never throws. `overrides` replace the protocol and base endpoint of every signal
 * before the endpoints are derived, so a protocol set in code gets its own default port.
 */
export function readEnvironment(env: Env = process.env, overrides: TransportOverrides = {}): EnvReading {
  const problems: string[] = [];
  const reject: Reject = (name, value, expected, using) => {
    problems.push(`otelkit: ${name}="${value}" is invalid: expected ${expected}; using ${using}`);
  };
  const values = envValues(env, reject);
  const { text, bool, integer, oneOf, keyValues, url } = values;

  const disabled = bool('OTEL_SDK_DISABLED', false);
  const resourceAttributes = keyValues('OTEL_RESOURCE_ATTRIBUTES');
  const serviceName =
    text('OTEL_SERVICE_NAME') ?? resourceAttributes['service.name'] ?? defaultServiceName(env);

  const baseProtocol = overrides.protocol ?? oneOf('OTEL_EXPORTER_OTLP_PROTOCOL', PROTOCOLS, 'http/protobuf');
  const baseHeaders = keyValues('OTEL_EXPORTER_OTLP_HEADERS', true);
  // Empty when unset: the default port depends on each signal's protocol.
  const baseEndpoint = overrides.endpoint?.replace(/\/+$/, '') ?? url('OTEL_EXPORTER_OTLP_ENDPOINT', '');
  const baseTimeout = integer('OTEL_EXPORTER_OTLP_TIMEOUT', 10_000, 1, 600_000);
  const baseCompression = oneOf('OTEL_EXPORTER_OTLP_COMPRESSION', COMPRESSIONS, 'none');
  const baseTls = tlsFiles(values, [
    'OTEL_EXPORTER_OTLP_CERTIFICATE',
    'OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE',
    'OTEL_EXPORTER_OTLP_CLIENT_KEY',
  ]);
  const signal = (key: 'TRACES' | 'METRICS' | 'LOGS', path: string): SignalOptions => {
    const envProtocol = oneOf(`OTEL_EXPORTER_OTLP_${key}_PROTOCOL`, PROTOCOLS, baseProtocol);
    const protocol = overrides.protocol ?? envProtocol;
    const base = baseEndpoint || (protocol === 'grpc' ? 'http://localhost:4317' : 'http://localhost:4318');
    // The base endpoint gets the signal path appended; a per-signal endpoint is used as is.
    const derived = protocol === 'grpc' ? base : `${base}${path}`;
    const envEndpoint = url(`OTEL_EXPORTER_OTLP_${key}_ENDPOINT`, derived);
    const endpoint = overrides.endpoint !== undefined ? derived : envEndpoint;
    const tls = tlsFiles(
      values,
      [
        `OTEL_EXPORTER_OTLP_${key}_CERTIFICATE`,
        `OTEL_EXPORTER_OTLP_${key}_CLIENT_CERTIFICATE`,
        `OTEL_EXPORTER_OTLP_${key}_CLIENT_KEY`,
      ],
      baseTls,
    );
    return {
      exporters: exporterList(text(`OTEL_${key}_EXPORTER`), `OTEL_${key}_EXPORTER`, reject),
      endpoint,
      protocol,
      headers: { ...baseHeaders, ...keyValues(`OTEL_EXPORTER_OTLP_${key}_HEADERS`, true) },
      timeoutMs: integer(`OTEL_EXPORTER_OTLP_${key}_TIMEOUT`, baseTimeout, 1, 600_000),
      compression: oneOf(`OTEL_EXPORTER_OTLP_${key}_COMPRESSION`, COMPRESSIONS, baseCompression),
      tls,
    };
  };
  oneOf('OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE', TEMPORALITIES, 'cumulative');

  const sampler = oneOf('OTEL_TRACES_SAMPLER', SAMPLERS, 'parentbased_always_on');
  let samplerRatio = 1;
  const ratioText = text('OTEL_TRACES_SAMPLER_ARG');
  if (ratioText !== undefined) {
    const ratio = Number(ratioText);
    if (Number.isFinite(ratio) && ratio >= 0 && ratio <= 1) samplerRatio = ratio;
    else reject('OTEL_TRACES_SAMPLER_ARG', ratioText, 'a number from 0 to 1', '1');
  }

  return {
    problems,
    config: {
      disabled,
      serviceName,
      resourceAttributes,
      traces: signal('TRACES', '/v1/traces'),
      metrics: signal('METRICS', '/v1/metrics'),
      logs: signal('LOGS', '/v1/logs'),
      ...metricExport(values, reject),
      spanBatch: batchOptions(values, reject, 5000, {
        delay: 'OTEL_BSP_SCHEDULE_DELAY',
        timeout: 'OTEL_BSP_EXPORT_TIMEOUT',
        queue: 'OTEL_BSP_MAX_QUEUE_SIZE',
        batch: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
      }),
      logBatch: batchOptions(values, reject, 1000, {
        delay: 'OTEL_BLRP_SCHEDULE_DELAY',
        timeout: 'OTEL_BLRP_EXPORT_TIMEOUT',
        queue: 'OTEL_BLRP_MAX_QUEUE_SIZE',
        batch: 'OTEL_BLRP_MAX_EXPORT_BATCH_SIZE',
      }),
      ...limits(values),
      propagators: propagatorList(text('OTEL_PROPAGATORS'), reject),
      sampler,
      samplerRatio,
      instrumentations: instrumentationList(env, reject),
      resourceDetectors: detectorList(text('OTEL_NODE_RESOURCE_DETECTORS'), reject),
      shutdownTimeoutMs: integer('OTELKIT_SHUTDOWN_TIMEOUT_MS', 5000, 0, 120_000),
      ignoreHealthProbes: true,
      ignorePaths: pathList(text('OTELKIT_IGNORE_PATHS'), reject),
      esmLoader: esmLoaderOf(values),
      logLevel: oneOf('OTEL_LOG_LEVEL', LOG_LEVELS, 'none'),
    },
  };
}

/**
 * `OTELKIT_ESM_LOADER` alone, for the register entries, which decide on the ESM hooks before
 * `start()` reads (and reports) the whole environment.
 */
export function esmLoaderMode(env: Env = process.env): EsmLoaderMode {
  return esmLoaderOf(envValues(env, () => {}));
}

function esmLoaderOf(values: EnvValues): EsmLoaderMode {
  return values.oneOf('OTELKIT_ESM_LOADER', ESM_LOADER_MODES, 'auto');
}

/** The metric reader's interval and timeout; the reader refuses a timeout longer than the interval. */
function metricExport(
  values: EnvValues,
  reject: Reject,
): Pick<ResolvedConfig, 'metricExportIntervalMs' | 'metricExportTimeoutMs'> {
  const metricExportIntervalMs = values.integer('OTEL_METRIC_EXPORT_INTERVAL', 60_000, 100, 86_400_000);
  let metricExportTimeoutMs = values.integer('OTEL_METRIC_EXPORT_TIMEOUT', 30_000, 1, 600_000);
  const timeoutText = values.text('OTEL_METRIC_EXPORT_TIMEOUT');
  if (timeoutText !== undefined && metricExportTimeoutMs > metricExportIntervalMs) {
    const expected = `at most OTEL_METRIC_EXPORT_INTERVAL (${metricExportIntervalMs})`;
    reject('OTEL_METRIC_EXPORT_TIMEOUT', timeoutText, expected, String(metricExportIntervalMs));
    metricExportTimeoutMs = metricExportIntervalMs;
  }
  return { metricExportIntervalMs, metricExportTimeoutMs };
}

/**
 * The files of three TLS variables, as the OTLP exporters pick them: a set variable wins over
 * `inherited` even when its file cannot be read. The exporters read these files themselves, so a
 * path they cannot read would only surface as failing exports: it is reported here, by name.
 */
function tlsFiles(
  values: EnvValues,
  [ca, certificate, key]: [string, string, string],
  inherited: TlsFiles = {},
): TlsFiles {
  const file = (name: string, using: string, fallback: string | undefined) =>
    values.text(name) === undefined ? fallback : values.readableFile(name, using);
  const files: TlsFiles = {};
  const caFile = file(ca, "the system's trusted certificates", inherited.ca);
  const certFile = file(certificate, 'no client certificate', inherited.cert);
  const keyFile = file(key, 'no client key', inherited.key);
  if (caFile) files.ca = caFile;
  if (certFile) files.cert = certFile;
  if (keyFile) files.key = keyFile;
  return files;
}

/** The variables of one batch processor: `OTEL_BSP_*` or `OTEL_BLRP_*`. */
interface BatchVariables {
  delay: string;
  timeout: string;
  queue: string;
  batch: string;
}

/** A batch processor's settings, with the spec's defaults (only the schedule delay differs). */
function batchOptions(
  values: EnvValues,
  reject: Reject,
  delayMs: number,
  names: BatchVariables,
): BatchOptions {
  const maxQueueSize = values.count(names.queue, 2048, 1);
  let maxExportBatchSize = values.count(names.batch, Math.min(512, maxQueueSize), 1);
  if (maxExportBatchSize > maxQueueSize) {
    const expected = `at most ${names.queue} (${maxQueueSize})`;
    reject(names.batch, String(maxExportBatchSize), expected, String(maxQueueSize));
    maxExportBatchSize = maxQueueSize;
  }
  return {
    scheduledDelayMillis: values.integer(names.delay, delayMs, 0, 86_400_000),
    exportTimeoutMillis: values.integer(names.timeout, 30_000, 1, 600_000),
    maxQueueSize,
    maxExportBatchSize,
  };
}

/**
 * Span and log record limits. The general `OTEL_ATTRIBUTE_*` limits apply where a specific one
 * is unset; the event and link limits have the spec's names first, then the JS SDK's.
 */
function limits(values: EnvValues): Pick<ResolvedConfig, 'spanLimits' | 'logRecordLimits'> {
  const { count } = values;
  const valueLength = count('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', Number.POSITIVE_INFINITY, 0);
  const attributes = count('OTEL_ATTRIBUTE_COUNT_LIMIT', 128, 0);
  return {
    spanLimits: {
      attributeValueLengthLimit: count('OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', valueLength, 0),
      attributeCountLimit: count('OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', attributes, 0),
      eventCountLimit: count('OTEL_SPAN_EVENT_COUNT_LIMIT', 128, 0),
      linkCountLimit: count('OTEL_SPAN_LINK_COUNT_LIMIT', 128, 0),
      attributePerEventCountLimit: count(
        'OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT',
        count('OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT', 128, 0),
        0,
      ),
      attributePerLinkCountLimit: count(
        'OTEL_LINK_ATTRIBUTE_COUNT_LIMIT',
        count('OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT', 128, 0),
        0,
      ),
    },
    logRecordLimits: {
      attributeValueLengthLimit: count('OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT', valueLength, 0),
      attributeCountLimit: count('OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT', attributes, 0),
    },
  };
}

/**
 * `OTEL_{TRACES,METRICS,LOGS}_EXPORTER`: a comma-separated list, `none` alone for no export.
 * Unknown names are reported and skipped; with none left, OTLP is used.
 */
function exporterList(value: string | undefined, name: string, reject: Reject): SignalOptions['exporters'] {
  if (value === undefined) return ['otlp'];
  const names = value.split(',').map((part) => part.trim().toLowerCase());
  if (names.length === 1 && names[0] === 'none') return [];
  const isExporter = (n: string): n is 'otlp' | 'console' => n === 'otlp' || n === 'console';
  const known = [...new Set(names.filter(isExporter))];
  if (!names.every(isExporter)) {
    const fallback = known.length > 0 ? known : (['otlp'] as const);
    reject(name, value, `none, or a list of ${EXPORTERS.join(', ')}`, fallback.join(','));
    return [...fallback];
  }
  return known;
}

/**
 * `OTEL_PROPAGATORS`, as the OpenTelemetry Node SDK reads it: `none`, or a list of formats.
 * Unknown names are reported and skipped; with none left, the W3C defaults are used.
 */
function propagatorList(value: string | undefined, reject: Reject): PropagatorName[] {
  const defaults: PropagatorName[] = ['tracecontext', 'baggage'];
  if (value === undefined) return defaults;
  const names = value.split(',').map((part) => part.trim().toLowerCase());
  if (names.includes('none')) return [];
  const isPropagator = (n: string): n is PropagatorName => PROPAGATORS.includes(n as PropagatorName);
  const known = [...new Set(names.filter(isPropagator))];
  if (names.every(isPropagator)) return known;
  const using = known.length > 0 ? known : defaults;
  reject('OTEL_PROPAGATORS', value, `none, or a list of ${PROPAGATORS.join(', ')}`, using.join(','));
  return using;
}

function instrumentationList(env: Env, reject: Reject): InstrumentationName[] {
  const parse = (name: string): InstrumentationName[] | undefined => {
    const value = env[name]?.trim();
    if (!value) return undefined;
    const names = value
      .split(',')
      .map((part) => part.trim().replace(/^@opentelemetry\/instrumentation-/, ''));
    const unknown = names.filter((n) => n && !KNOWN_INSTRUMENTATIONS.has(n));
    if (unknown.length > 0) {
      reject(
        name,
        value,
        `a comma-separated list of ${[...KNOWN_INSTRUMENTATIONS].join(', ')}`,
        'the known names only',
      );
    }
    return names.filter((n): n is InstrumentationName => KNOWN_INSTRUMENTATIONS.has(n));
  };
  const enabled = parse('OTEL_NODE_ENABLED_INSTRUMENTATIONS') ?? [...DEFAULT_INSTRUMENTATIONS];
  const disabled = new Set(parse('OTEL_NODE_DISABLED_INSTRUMENTATIONS') ?? []);
  return enabled.filter((name) => !disabled.has(name));
}

function detectorList(value: string | undefined, reject: Reject): DetectorName[] {
  if (value === undefined) return [...DEFAULT_DETECTORS];
  const names = value.split(',').map((part) => part.trim().toLowerCase());
  if (names.includes('none')) return [];
  if (names.includes('all')) return [...ALL_DETECTORS];
  const known = names.filter((n): n is DetectorName => (ALL_DETECTORS as readonly string[]).includes(n));
  if (known.length !== names.length) {
    reject(
      'OTEL_NODE_RESOURCE_DETECTORS',
      value,
      `all, none, or a list of ${ALL_DETECTORS.join(', ')}`,
      'the known names only',
    );
  }
  return known;
}

/** `unknown_service:<entry script>` like the SDK does, or the npm package name when run by npm. */
function defaultServiceName(env: Env): string {
  if (env.npm_package_name) return env.npm_package_name;
  const script = process.argv[1]
    ?.split('/')
    .pop()
    ?.replace(/\.[cm]?[jt]s$/, '');
  return script ? `unknown_service:${script}` : 'unknown_service:node';
}

/**
 * `OTELKIT_IGNORE_PATHS`: comma-separated request paths. An entry that is not a path is reported
 * and left out; the others apply.
 */
function pathList(value: string | undefined, reject: Reject): string[] {
  const paths: string[] = [];
  for (const entry of (value ?? '').split(',')) {
    const path = entry.trim();
    if (path === '') continue;
    if (isPathPattern(path)) paths.push(path);
    else
      reject(
        'OTELKIT_IGNORE_PATHS',
        path,
        'comma-separated paths starting with "/", a trailing "/*" for everything below one (e.g. /metrics,/internal/*)',
        'the other entries',
      );
  }
  return paths;
}

/**
 * A request path (`/`, `/metrics`), or one ending in `/*` for everything below it (`/*`,
 * `/internal/*`): no empty segment, no query, no other wildcard.
 */
export function isPathPattern(value: string): boolean {
  return value.startsWith('/') && /^(?:\/[^\s?#*/]+)*(?:\/|\/\*)?$/.test(value);
}

import {
  type DetectorName,
  ESM_LOADER_MODES,
  type InstrumentationName,
  LOG_LEVELS,
  type OtlpProtocol,
  type ResolvedConfig,
  type SamplerName,
  type SignalExporter,
  type SignalOptions,
} from './options.js';

/** Instrumentations on unless disabled. fs, dns and net are deliberately absent: too noisy. */
export const DEFAULT_INSTRUMENTATIONS: readonly InstrumentationName[] = [
  'http',
  'express',
  'fastify',
  'undici',
  'winston',
  'pg',
  'ioredis',
  'runtime-node',
];
const KNOWN_INSTRUMENTATIONS = new Set<string>(DEFAULT_INSTRUMENTATIONS);

/** Detectors that ask nothing of the network. Cloud metadata detectors run only when named. */
export const DEFAULT_DETECTORS: readonly DetectorName[] = ['env', 'host', 'os', 'process', 'serviceinstance'];
const ALL_DETECTORS: readonly DetectorName[] = [...DEFAULT_DETECTORS, 'container', 'aws', 'gcp', 'azure'];

const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc'];
const EXPORTERS: readonly SignalExporter[] = ['otlp', 'console', 'none'];
const SAMPLERS: readonly SamplerName[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

/** An environment to read settings from: `process.env` or a plain object in tests. */
export type Env = Record<string, string | undefined>;

/** The result of reading the environment: a usable config and one line per value it rejected. */
export interface EnvReading {
  /** Config with every invalid value replaced by its default. */
  config: ResolvedConfig;
  /** One message per rejected value: the variable, the value, the expected form, what is used. */
  problems: string[];
}

/** Reads the standard `OTEL_*` variables (and `OTELKIT_SHUTDOWN_TIMEOUT_MS`); never throws. */
export function readEnvironment(env: Env = process.env): EnvReading {
  const problems: string[] = [];
  const reject = (name: string, value: string, expected: string, using: string) => {
    problems.push(`otelkit: ${name}="${value}" is invalid: expected ${expected}; using ${using}`);
  };
  const text = (name: string) => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };

  const bool = (name: string, fallback: boolean) => {
    const value = text(name);
    if (value === undefined) return fallback;
    if (/^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
    reject(name, value, 'true or false', String(fallback));
    return fallback;
  };
  const integer = (name: string, fallback: number, min: number, max: number) => {
    const value = text(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (Number.isInteger(parsed) && parsed >= min && parsed <= max) return parsed;
    reject(name, value, `a whole number of milliseconds from ${min} to ${max}`, String(fallback));
    return fallback;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = text(name);
    if (value === undefined) return fallback;
    const lower = value.toLowerCase();
    if ((allowed as readonly string[]).includes(lower)) return lower as T;
    reject(name, value, `one of ${allowed.join(', ')}`, fallback);
    return fallback;
  };
  const keyValues = (name: string): Record<string, string> => {
    const value = text(name);
    if (value === undefined) return {};
    const out: Record<string, string> = {};
    for (const pair of value.split(',')) {
      if (!pair.trim()) continue;
      const at = pair.indexOf('=');
      const key = at > 0 ? pair.slice(0, at).trim() : '';
      if (!key) {
        reject(
          name,
          value,
          'comma-separated key=value pairs (values percent-encoded)',
          `the valid pairs only`,
        );
        continue;
      }
      try {
        out[key] = decodeURIComponent(pair.slice(at + 1).trim());
      } catch {
        reject(name, value, `a percent-encoded value for "${key}"`, `the valid pairs only`);
      }
    }
    return out;
  };
  const url = (name: string, fallback: string) => {
    const value = text(name);
    if (value === undefined) return fallback;
    try {
      const parsed = new URL(value);
      if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return value.replace(/\/+$/, '');
    } catch {
      // reported below
    }
    reject(
      name,
      value,
      'an http:// or https:// URL such as http://localhost:4318',
      fallback || 'the default',
    );
    return fallback;
  };

  const disabled = bool('OTEL_SDK_DISABLED', false);
  const resourceAttributes = keyValues('OTEL_RESOURCE_ATTRIBUTES');
  const serviceName =
    text('OTEL_SERVICE_NAME') ?? resourceAttributes['service.name'] ?? defaultServiceName(env);

  const baseProtocol = oneOf('OTEL_EXPORTER_OTLP_PROTOCOL', PROTOCOLS, 'http/protobuf');
  const baseHeaders = keyValues('OTEL_EXPORTER_OTLP_HEADERS');
  // Empty when unset: the default port depends on each signal's protocol.
  const baseEndpoint = url('OTEL_EXPORTER_OTLP_ENDPOINT', '');
  const signal = (key: 'TRACES' | 'METRICS' | 'LOGS', path: string): SignalOptions => {
    const protocol = oneOf(`OTEL_EXPORTER_OTLP_${key}_PROTOCOL`, PROTOCOLS, baseProtocol);
    const base = baseEndpoint || (protocol === 'grpc' ? 'http://localhost:4317' : 'http://localhost:4318');
    // The base endpoint gets the signal path appended; a per-signal endpoint is used as is.
    const endpoint = url(`OTEL_EXPORTER_OTLP_${key}_ENDPOINT`, protocol === 'grpc' ? base : `${base}${path}`);
    return {
      exporter: exporterList(`OTEL_${key}_EXPORTER`),
      endpoint,
      protocol,
      headers: { ...baseHeaders, ...keyValues(`OTEL_EXPORTER_OTLP_${key}_HEADERS`) },
    };
  };
  const exporterList = (name: string): SignalExporter => {
    const value = text(name);
    if (value === undefined) return 'otlp';
    const first = value.split(',')[0]?.trim().toLowerCase() ?? '';
    if ((EXPORTERS as readonly string[]).includes(first)) return first as SignalExporter;
    reject(name, value, `one of ${EXPORTERS.join(', ')}`, 'otlp');
    return 'otlp';
  };

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
      exportTimeoutMs: integer('OTEL_EXPORTER_OTLP_TIMEOUT', 10_000, 1, 600_000),
      metricExportIntervalMs: integer('OTEL_METRIC_EXPORT_INTERVAL', 60_000, 100, 86_400_000),
      sampler,
      samplerRatio,
      instrumentations: instrumentationList(env, reject),
      resourceDetectors: detectorList(text('OTEL_NODE_RESOURCE_DETECTORS'), reject),
      shutdownTimeoutMs: integer('OTELKIT_SHUTDOWN_TIMEOUT_MS', 5000, 0, 120_000),
      ignoreHealthProbes: true,
      esmLoader: oneOf('OTELKIT_ESM_LOADER', ESM_LOADER_MODES, 'auto'),
      logLevel: oneOf('OTEL_LOG_LEVEL', LOG_LEVELS, 'none'),
    },
  };
}

type Reject = (name: string, value: string, expected: string, using: string) => void;

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

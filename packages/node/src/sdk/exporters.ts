import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import { ConsoleLogRecordExporter } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { ConsoleMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ConsoleSpanExporter } from '@opentelemetry/sdk-trace-base';
import type { OtlpProtocol, SignalOptions } from '../config/options.js';
import { lazyRequire } from './lazy-require.js';

type Signal = 'trace' | 'metrics' | 'logs';
const CLASS_NAMES: Record<Signal, string> = {
  trace: 'OTLPTraceExporter',
  metrics: 'OTLPMetricExporter',
  logs: 'OTLPLogExporter',
};
// Literal package names, so that the bundler (scripts/bundle.mjs) can include the HTTP ones and
// still load only the one in use; the gRPC ones stay outside the bundle (@grpc/grpc-js is large).
const PACKAGES: Record<Signal, Record<OtlpProtocol, () => unknown>> = {
  trace: {
    'http/protobuf': () => lazyRequire('@opentelemetry/exporter-trace-otlp-proto'),
    'http/json': () => lazyRequire('@opentelemetry/exporter-trace-otlp-http'),
    grpc: () => lazyRequire('@opentelemetry/exporter-trace-otlp-grpc'),
  },
  metrics: {
    'http/protobuf': () => lazyRequire('@opentelemetry/exporter-metrics-otlp-proto'),
    'http/json': () => lazyRequire('@opentelemetry/exporter-metrics-otlp-http'),
    grpc: () => lazyRequire('@opentelemetry/exporter-metrics-otlp-grpc'),
  },
  logs: {
    'http/protobuf': () => lazyRequire('@opentelemetry/exporter-logs-otlp-proto'),
    'http/json': () => lazyRequire('@opentelemetry/exporter-logs-otlp-http'),
    grpc: () => lazyRequire('@opentelemetry/exporter-logs-otlp-grpc'),
  },
};

interface ExporterConfig {
  url: string;
  headers?: Record<string, string>;
  timeoutMillis: number;
}
type ExporterClass<T> = new (config: ExporterConfig) => T;

/** Loads only the one OTLP exporter package the protocol needs (gRPC pulls in @grpc/grpc-js). */
function otlpExporter<T>(signal: Signal, options: SignalOptions, timeoutMillis: number): T {
  const module = PACKAGES[signal][options.protocol]() as Record<string, ExporterClass<T>>;
  const Exporter = module[CLASS_NAMES[signal]];
  if (!Exporter) throw new Error(`the ${options.protocol} ${signal} exporter has no ${CLASS_NAMES[signal]}`);
  // The gRPC exporters take the metadata from their own config; headers go in for HTTP only.
  return new Exporter({
    url: options.endpoint,
    timeoutMillis,
    ...(options.protocol === 'grpc' ? {} : { headers: options.headers }),
  });
}

/** The span exporter for `options`, or undefined when traces are off. */
export function spanExporter(options: SignalOptions, timeoutMs: number): SpanExporter | undefined {
  if (options.exporter === 'none') return undefined;
  if (options.exporter === 'console') return new ConsoleSpanExporter();
  return otlpExporter<SpanExporter>('trace', options, timeoutMs);
}

/** The metric exporter for `options`, or undefined when metrics are off. */
export function metricExporter(options: SignalOptions, timeoutMs: number): PushMetricExporter | undefined {
  if (options.exporter === 'none') return undefined;
  if (options.exporter === 'console') return new ConsoleMetricExporter();
  return otlpExporter<PushMetricExporter>('metrics', options, timeoutMs);
}

/** The log exporter for `options`, or undefined when logs are off. */
export function logExporter(options: SignalOptions, timeoutMs: number): LogRecordExporter | undefined {
  if (options.exporter === 'none') return undefined;
  if (options.exporter === 'console') return new ConsoleLogRecordExporter();
  return otlpExporter<LogRecordExporter>('logs', options, timeoutMs);
}

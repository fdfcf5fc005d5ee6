import type { Agent } from 'node:http';
import { diag } from '@opentelemetry/api';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import { ConsoleLogRecordExporter } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { ConsoleMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ConsoleSpanExporter } from '@opentelemetry/sdk-trace-base';
import type { OtlpCompression, OtlpProtocol, SignalOptions } from '../config/options.js';
import { exportAgentFactory, holdGrpcExports } from './export-holds.js';
import { lazyRequire } from './lazy-require.js';

/** A signal, as the OTLP exporter packages name it. */
export type Signal = 'trace' | 'metrics' | 'logs';
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
  compression: OtlpCompression;
  metadata?: unknown;
  httpAgentOptions?: (protocol: string) => Promise<Agent>;
}
type ExporterClass<T> = new (config: ExporterConfig) => T;

/** Loads only the one OTLP exporter package the protocol needs (gRPC pulls in @grpc/grpc-js). */
function otlpExporter<T>(signal: Signal, options: SignalOptions): T {
  const module = PACKAGES[signal][options.protocol]() as Record<string, ExporterClass<T>>;
  const Exporter = module[CLASS_NAMES[signal]];
  if (!Exporter) throw new Error(`the ${options.protocol} ${signal} exporter has no ${CLASS_NAMES[signal]}`);
  const exporter = new Exporter({
    url: options.endpoint,
    timeoutMillis: options.timeoutMs,
    compression: options.compression,
    ...(options.protocol === 'grpc'
      ? { metadata: grpcMetadata(options.headers) }
      : { headers: options.headers, httpAgentOptions: exportAgentFactory(options.tls) }),
  });
  // A newer exporter package built differently fails export-holds.test.ts; users cannot act on it.
  if (options.protocol === 'grpc' && !holdGrpcExports(exporter as object))
    diag.debug(
      `otelkit: the gRPC ${signal} exporter's calls cannot be released; an ending process waits for their timeout`,
    );
  return exporter;
}

/** gRPC carries headers as call metadata, which only @grpc/grpc-js can build. */
function grpcMetadata(headers: Record<string, string>): unknown {
  const { Metadata } = lazyRequire('@grpc/grpc-js') as {
    Metadata: new () => { set(key: string, value: string): void };
  };
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
  return metadata;
}

/** Wraps an OTLP exporter, e.g. to follow whether its exports reach the Collector. */
export type Track<T> = (exporter: T) => T;

/** The exporter type of each signal. */
export interface SignalExporterTypes {
  trace: SpanExporter;
  metrics: PushMetricExporter;
  logs: LogRecordExporter;
}

const CONSOLE: { [S in Signal]: () => SignalExporterTypes[S] } = {
  trace: () => new ConsoleSpanExporter(),
  metrics: () => new ConsoleMetricExporter(),
  logs: () => new ConsoleLogRecordExporter(),
};

/** The exporters `options` lists for `signal`, OTLP ones wrapped by `track`; none when it is off. */
export function signalExporters<S extends Signal>(
  signal: S,
  options: SignalOptions,
  track: Track<SignalExporterTypes[S]>,
): SignalExporterTypes[S][] {
  return options.exporters.map((kind) =>
    kind === 'console' ? CONSOLE[signal]() : track(otlpExporter<SignalExporterTypes[S]>(signal, options)),
  );
}

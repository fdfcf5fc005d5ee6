import { join } from 'node:path';
import { ManagedProcess } from './managed-process.js';

/** Where a sink listens and writes; see {@link sinkProcess}. */
export interface SinkProcessOptions {
  /** Process name in logs and errors. */
  name: string;
  /** The otelkit Collector binary. */
  collectorBinary: string;
  /** The repository root holding collector/sink.yaml. */
  root: string;
  /** Its loopback ports. */
  ports: {
    /** OTLP gRPC receiver (the traces exporter's target). */
    grpc: number;
    /** OTLP/HTTP receiver (the logs exporter's target). */
    http: number;
    /** health_check extension, polled for readiness. */
    health: number;
  };
  /** Directory it writes `traces.jsonl` and `logs.jsonl` into. */
  sinkDir: string;
  /** Its log file. */
  logFile: string;
  /** Keep running after this process exits (`otelkit up`). */
  detached?: boolean;
}

/**
 * The Loki/Tempo stand-in: the Collector binary running collector/sink.yaml, writing what it
 * receives as JSON lines, ready once its health endpoint answers.
 */
export function sinkProcess(options: SinkProcessOptions): ManagedProcess {
  const local = (port: number) => `127.0.0.1:${port}`;
  return new ManagedProcess({
    name: options.name,
    command: options.collectorBinary,
    args: ['--config', join(options.root, 'collector', 'sink.yaml')],
    env: {
      OTELKIT_SINK_GRPC_ENDPOINT: local(options.ports.grpc),
      OTELKIT_SINK_HTTP_ENDPOINT: local(options.ports.http),
      OTELKIT_SINK_HEALTH_ENDPOINT: local(options.ports.health),
      OTELKIT_SINK_DIR: options.sinkDir,
    },
    logFile: options.logFile,
    ready: { http: `http://${local(options.ports.health)}/` },
    ...(options.detached === undefined ? {} : { detached: options.detached }),
  });
}

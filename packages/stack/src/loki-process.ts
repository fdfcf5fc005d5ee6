import { join } from 'node:path';
import { ManagedProcess } from './managed-process.js';

/** Where a native Loki listens and keeps its data; see {@link lokiProcess}. */
export interface LokiProcessOptions {
  /** The Loki binary (provisioned from its Go module). */
  binary: string;
  /** The repository root holding loki/loki.yaml. */
  root: string;
  /** Its loopback ports. */
  ports: {
    /** HTTP: OTLP ingest at `/otlp`, the query API, `/ready`. */
    http: number;
    /** gRPC between Loki's own components. */
    grpc: number;
  };
  /** Directory for the WAL, index, chunks and compactor scratch space. */
  dataDir: string;
  /** Its log file. */
  logFile: string;
  /** Keep running after this process exits. */
  detached?: boolean;
}

/**
 * Loki with the compose stack's own loki/loki.yaml. Only what differs outside a container is
 * overridden, by command-line flags (which take precedence over the file): loopback addresses,
 * the ports, and the data paths, which the file puts under the container's /loki.
 */
export function lokiProcess(options: LokiProcessOptions): ManagedProcess {
  const data = options.dataDir;
  return new ManagedProcess({
    name: 'loki',
    command: options.binary,
    args: [
      `-config.file=${join(options.root, 'loki', 'loki.yaml')}`,
      '-server.http-listen-address=127.0.0.1',
      `-server.http-listen-port=${options.ports.http}`,
      '-server.grpc-listen-address=127.0.0.1',
      `-server.grpc-listen-port=${options.ports.grpc}`,
      `-common.path-prefix=${data}`,
      `-common.storage.filesystem.chunk-directory=${join(data, 'chunks')}`,
      `-common.storage.filesystem.rules-directory=${join(data, 'rules')}`,
      `-compactor.working-directory=${join(data, 'compactor')}`,
    ],
    logFile: options.logFile,
    // /ready answers 503 until the ingester has joined its ring, about 15 s after start.
    ready: { http: `http://127.0.0.1:${options.ports.http}/ready` },
    ...(options.detached === undefined ? {} : { detached: options.detached }),
  });
}

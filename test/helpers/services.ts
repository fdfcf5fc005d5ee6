import { join } from 'node:path';
import { freePort, ManagedProcess, repoRoot, type Stack } from '@otelkit/stack';

/** A process started for a test, and where it listens. */
export interface RunningService {
  process: ManagedProcess;
  port: number;
  url: string;
}

/** Options of {@link startService}. */
export interface ServiceOptions {
  /** `OTEL_SERVICE_NAME`. */
  name: string;
  /** Entry file, relative to the repository root. */
  entry: string;
  /** `--import` (ESM-capable) or `--require` (CommonJS) registration. */
  flag?: '--import' | '--require';
  /** Collector OTLP/HTTP base URL; the stack's by default. */
  otlpHttp?: string;
  /** Extra environment. */
  env?: Record<string, string>;
  /** Directory the registration specifier resolves from. */
  cwd?: string;
}

/**
 * Starts an application the way a user would: `node --import @otelkit/node/register <entry>`,
 * configured only through environment variables, and waits until it accepts connections.
 */
export async function startService(
  stack: Stack | undefined,
  options: ServiceOptions,
  logDir: string,
): Promise<RunningService> {
  const port = await freePort();
  const root = repoRoot();
  const process_ = new ManagedProcess({
    name: options.name,
    command: process.execPath,
    args: [options.flag ?? '--import', '@otelkit/node/register', join(root, options.entry)],
    cwd: options.cwd ?? join(root, 'examples'),
    env: {
      PORT: String(port),
      OTEL_SERVICE_NAME: options.name,
      OTEL_EXPORTER_OTLP_ENDPOINT: options.otlpHttp ?? stack?.endpoints.otlpHttp ?? 'http://127.0.0.1:9',
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_BLRP_SCHEDULE_DELAY: '200',
      ...options.env,
    },
    logFile: join(logDir, `${options.name}.log`),
    ready: { tcp: port },
  });
  await process_.start(30_000);
  return { process: process_, port, url: `http://127.0.0.1:${port}` };
}

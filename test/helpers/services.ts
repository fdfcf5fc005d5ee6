import { join } from 'node:path';
import {
  exampleServiceProcess,
  freePort,
  type ManagedProcess,
  redisProcess,
  type Stack,
} from '@otelkit/stack';

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
  const process_ = exampleServiceProcess({
    name: options.name,
    entry: options.entry,
    port,
    otlpHttp: options.otlpHttp ?? stack?.endpoints.otlpHttp ?? 'http://127.0.0.1:9',
    logFile: join(logDir, `${options.name}.log`),
    ...(options.flag ? { flag: options.flag } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
    // Export within a test's patience rather than the SDK's minute.
    env: {
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_BLRP_SCHEDULE_DELAY: '200',
      ...options.env,
    },
  });
  await process_.start(30_000);
  return { process: process_, port, url: `http://127.0.0.1:${port}` };
}

/** Redis and the example services wired to it, as the examples/ README describes them. */
export interface ExampleServices {
  redis: ManagedProcess;
  inventory: RunningService;
  /** One orders-api per requested variant, in the order given. */
  orders: RunningService[];
  /** Stops the services, then Redis. */
  stop(): Promise<void>;
}

/**
 * Starts a throwaway Redis, `inventory-api`, and one `orders-api` per variant (e.g. the ESM and
 * the CommonJS copy), all with `--import`/`--require @otelkit/node/register` against `stack`.
 */
export async function startExampleServices(
  stack: Stack,
  logDir: string,
  variants: Pick<ServiceOptions, 'name' | 'entry' | 'flag'>[],
): Promise<ExampleServices> {
  const redisPort = await freePort();
  const redis = redisProcess({ port: redisPort, logFile: join(logDir, 'redis.log') });
  await redis.start();
  const started: RunningService[] = [];
  const stop = async () => {
    for (const service of started.reverse()) await service.process.stop();
    await redis.stop();
  };
  try {
    const inventory = await startService(
      stack,
      { name: 'inventory-api', entry: 'examples/inventory-api/server.mjs' },
      logDir,
    );
    started.push(inventory);
    const env = { REDIS_URL: `redis://127.0.0.1:${redisPort}`, INVENTORY_URL: inventory.url };
    const orders: RunningService[] = [];
    for (const variant of variants) {
      const service = await startService(stack, { ...variant, env }, logDir);
      started.push(service);
      orders.push(service);
    }
    return { redis, inventory, orders, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

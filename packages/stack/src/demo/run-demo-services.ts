import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess } from '../managed-process.js';
import { repoRoot } from '../paths.js';
import { freePorts, portInUse } from '../ports.js';
import { startInOrder } from '../start-in-order.js';
import { DEMO_SERVICE_NAMES, DEMO_SERVICES, type DemoPorts, type DemoServiceName } from './services.js';

/** How to run one example service with `@otelkit/node`, the way a user would. */
export interface ExampleServiceOptions {
  /** `OTEL_SERVICE_NAME`. */
  name: string;
  /** Entry file, relative to the repository root. */
  entry: string;
  /** Port it listens on (`PORT`), on 127.0.0.1. */
  port: number;
  /** Collector OTLP/HTTP base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`). */
  otlpHttp: string;
  /** File that receives its stdout and stderr. */
  logFile: string;
  /** `--import` (ESM-capable, the default) or `--require` (CommonJS) registration. */
  flag?: '--import' | '--require';
  /** More environment, e.g. `REDIS_URL` or faster export intervals. */
  env?: Record<string, string>;
  /**
   * Directory `@otelkit/node/register` is resolved from: examples/ by default, the workspace
   * package that depends on @otelkit/node.
   */
  cwd?: string;
  /** Keep it running after this process exits (`otelkit up --demo`). */
  detached?: boolean;
}

/**
 * An example service as a {@link ManagedProcess}: `node --import @otelkit/node/register <entry>`,
 * configured only through environment variables, ready once its port accepts connections.
 */
export function exampleServiceProcess(options: ExampleServiceOptions): ManagedProcess {
  const root = repoRoot();
  return new ManagedProcess({
    name: options.name,
    command: process.execPath,
    args: [options.flag ?? '--import', '@otelkit/node/register', join(root, options.entry)],
    cwd: options.cwd ?? join(root, 'examples'),
    env: {
      HOST: '127.0.0.1',
      PORT: String(options.port),
      OTEL_SERVICE_NAME: options.name,
      OTEL_EXPORTER_OTLP_ENDPOINT: options.otlpHttp,
      ...options.env,
    },
    logFile: options.logFile,
    ready: { tcp: options.port },
    detached: options.detached ?? false,
  });
}

/** Path of Debian's `redis-server`; throws with the install command when it is missing. */
export function redisServerPath(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      'redis-server is not installed: apt-get install -y redis-server (scripts/bootstrap.sh does)',
    );
  }
}

/** Options of {@link redisProcess}. */
export interface RedisOptions {
  /** Port on 127.0.0.1. */
  port: number;
  /** File that receives its log. */
  logFile: string;
  /** Working directory for its files; nothing is persisted either way (a cache only). */
  dataDir?: string;
  /** Keep it running after this process exits. */
  detached?: boolean;
}

/** A throwaway Redis on 127.0.0.1 as a {@link ManagedProcess}: no snapshots, no append-only file. */
export function redisProcess(options: RedisOptions): ManagedProcess {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  return new ManagedProcess({
    name: 'redis',
    command: redisServerPath(),
    args: [
      '--port',
      String(options.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      // Redis rewrites its command line by default; `otelkit down` recognises its PIDs by it.
      '--set-proc-title',
      'no',
      ...(options.dataDir ? ['--dir', options.dataDir] : []),
    ],
    logFile: options.logFile,
    ready: { tcp: options.port },
    detached: options.detached ?? false,
  });
}

/**
 * Ports for the demo. `'default'` keeps docker-compose.yml's ports (3000, 3001, 3002) where they
 * are free and picks a free one for any that is taken; `'auto'` picks free ones for all (tests).
 * Redis always gets a free port: nothing outside the demo talks to it.
 */
export async function pickDemoPorts(kind: 'default' | 'auto'): Promise<DemoPorts> {
  const spare = await freePorts(DEMO_SERVICE_NAMES.length + 1);
  const next = () => spare.pop() ?? 0; // freePorts returns exactly as many as asked for
  const ports = { redis: next() } as Partial<DemoPorts>;
  for (const name of DEMO_SERVICE_NAMES) {
    const wanted = DEMO_SERVICES[name].port;
    ports[name] = kind === 'default' && !(await portInUse(wanted)) ? wanted : next();
  }
  return ports as DemoPorts;
}

/** Options of {@link startDemoServices}. */
export interface DemoServicesOptions {
  /** Collector OTLP/HTTP base URL the services export to. */
  otlpHttp: string;
  /** Where each service listens; see {@link pickDemoPorts}. */
  ports: DemoPorts;
  /** Directory for `<service>.log`. */
  logDir: string;
  /** Redis' working directory. */
  dataDir: string;
  /** Keep them running after this process exits (`otelkit up --demo`). */
  detached?: boolean;
  /**
   * More environment for every service. By default metrics are exported every 10 s rather than
   * the SDK's 60 s, so the dashboards move while you watch (`OTEL_METRIC_EXPORT_INTERVAL`).
   */
  env?: Record<string, string>;
  /** Progress lines; silent by default. */
  report?: (line: string) => void;
  /** Aborting it while the services start stops those already started and rejects. */
  signal?: AbortSignal;
}

/** The demo's Redis and example services, running. */
export interface DemoServices {
  /** Where each listens. */
  ports: DemoPorts;
  /** Base URL of each service, e.g. `http://127.0.0.1:3000`. */
  urls: Record<DemoServiceName, string>;
  /** Each process, in start order (Redis first). */
  processes: Record<DemoServiceName | 'redis', ManagedProcess>;
  /** Stops the services in reverse start order, then Redis. */
  stop(): Promise<void>;
}

/**
 * Starts Redis and the three example services natively, the way docker-compose.yml runs them:
 * each with `node --import @otelkit/node/register`, exporting to `otlpHttp`, orders-api wired to
 * inventory-api and Redis. Resolves once every one accepts connections; on failure stops what
 * it started.
 */
export async function startDemoServices(options: DemoServicesOptions): Promise<DemoServices> {
  const report = options.report ?? (() => {});
  const { ports } = options;
  const url = (name: DemoServiceName) => `http://127.0.0.1:${ports[name]}`;
  const urls = Object.fromEntries(DEMO_SERVICE_NAMES.map((name) => [name, url(name)])) as Record<
    DemoServiceName,
    string
  >;
  const extraEnv: Record<DemoServiceName, Record<string, string>> = {
    'inventory-api': {},
    'orders-api': { INVENTORY_URL: urls['inventory-api'], REDIS_URL: `redis://127.0.0.1:${ports.redis}` },
    'accounts-api': {},
  };
  const processes = {
    redis: redisProcess({
      port: ports.redis,
      dataDir: options.dataDir,
      logFile: join(options.logDir, 'redis.log'),
      ...(options.detached ? { detached: true } : {}),
    }),
  } as Record<DemoServiceName | 'redis', ManagedProcess>;
  for (const name of DEMO_SERVICE_NAMES) {
    processes[name] = exampleServiceProcess({
      name,
      entry: DEMO_SERVICES[name].entry,
      port: ports[name],
      otlpHttp: options.otlpHttp,
      logFile: join(options.logDir, `${name}.log`),
      env: { OTEL_METRIC_EXPORT_INTERVAL: '10000', ...options.env, ...extraEnv[name] },
      ...(options.detached ? { detached: true } : {}),
    });
  }
  const order = ['redis', ...DEMO_SERVICE_NAMES] as const;
  const stop = async () => {
    for (const name of [...order].reverse()) await processes[name].stop();
  };
  await startInOrder({
    names: order,
    start: (name) => processes[name].start(30_000),
    stop,
    ready: (name) => report(`${name}: ready (pid ${processes[name].pid}, port ${ports[name]})`),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { ports, urls, processes, stop };
}

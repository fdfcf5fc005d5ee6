import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderAlertmanagerConfig } from './alertmanager-config.js';
import type { DemoServiceName } from './demo/services.js';
import { lokiProcess } from './loki-process.js';
import { ManagedProcess } from './managed-process.js';
import { cacheDir, defaultStateDir, repoRoot } from './paths.js';
import { busyPorts, freePorts } from './ports.js';
import { renderPrometheusConfig } from './prometheus-config.js';
import { type Binaries, ensureLoki, provision, type Reporter } from './provision/index.js';
import { sinkProcess } from './sink-process.js';
import { startInOrder } from './start-in-order.js';
import { pinnedVersions } from './versions.js';

/** The backends every native stack runs, in start order; `logs: 'loki'` adds Loki before the Collector. */
export const COMPONENTS = ['sink', 'alertmanager', 'blackbox', 'prometheus', 'collector'] as const;

/** One backend of the native stack. */
export type ComponentName = (typeof COMPONENTS)[number];

/** The processes of a running native stack. */
export type StackProcesses = Record<ComponentName, ManagedProcess> & {
  /** Loki, only with `logs: 'loki'`. */
  loki?: ManagedProcess;
};

/** Ports the native stack listens on (all on 127.0.0.1). */
export interface StackPorts {
  /** Collector OTLP/gRPC. */
  otlpGrpc: number;
  /** Collector OTLP/HTTP. */
  otlpHttp: number;
  /** Collector health_check extension. */
  collectorHealth: number;
  /** Collector's own metrics (Prometheus format). */
  collectorMetrics: number;
  /** Prometheus web and API. */
  prometheus: number;
  /** Alertmanager web and API. */
  alertmanager: number;
  /** Blackbox exporter (uptime probes). */
  blackbox: number;
  /** Sink OTLP/gRPC (receives what would go to Tempo). */
  sinkGrpc: number;
  /** Sink OTLP/HTTP (receives what would go to Loki). */
  sinkHttp: number;
  /** Sink health_check extension. */
  sinkHealth: number;
}

/** The ports docker-compose.yml publishes, used by `otelkit up`. */
export const DEFAULT_PORTS: StackPorts = {
  otlpGrpc: 4317,
  otlpHttp: 4318,
  collectorHealth: 13133,
  collectorMetrics: 8888,
  prometheus: 9090,
  alertmanager: 9093,
  blackbox: 9115,
  sinkGrpc: 14317,
  sinkHttp: 14318,
  sinkHealth: 14133,
};

/** Options of {@link startStack}. */
export interface StackOptions {
  /** `'auto'` picks free ports (tests); `'default'` uses {@link DEFAULT_PORTS}. Default `'default'`. */
  ports?: 'auto' | 'default' | StackPorts;
  /**
   * Directory for rendered configs, data and logs. By default a fresh temporary one, removed by
   * `stop()` unless `OTELKIT_KEEP_STATE=1` (to read the backends' logs after a failure).
   */
  stateDir?: string;
  /**
   * Where the Collector's logs pipeline exports: `'sink'` (default) writes them to the sink's
   * `logs.jsonl`; `'loki'` runs a real Loki (built from its Go module) with loki/loki.yaml, on
   * free ports, and sends them there, to be read back with LogQL from `endpoints.loki`.
   */
  logs?: 'sink' | 'loki';
  /** Extra Collector environment, e.g. `{ OTELKIT_TRACE_SAMPLE_PERCENT: '25' }`. */
  collectorEnv?: Record<string, string>;
  /**
   * Webhook URLs of the Alertmanager receivers, as `OTELKIT_ALERT_WEBHOOK_<RECEIVER>_URL`
   * variables (e.g. `OTELKIT_ALERT_WEBHOOK_PAGE_URL`); the process environment is used otherwise.
   */
  alertWebhooks?: Record<string, string>;
  /** Prometheus scrape and rule evaluation interval, e.g. `'2s'` in tests. */
  scrapeInterval?: string;
  /**
   * Ports of the demo services that will run (see `startDemoServices`): the blackbox exporter
   * probes them. Without it the demo services' probes are left out.
   */
  demoPorts?: Partial<Record<DemoServiceName, number>>;
  /** Keep the backends running after this process exits (`otelkit up`). */
  detached?: boolean;
  /** Progress lines; silent by default. */
  report?: Reporter;
  /** Already provisioned binaries; provisioned (from cache) when omitted. */
  binaries?: Binaries;
  /**
   * Aborting it while the backends start stops those already started and rejects: detached ones
   * (`otelkit up`) would otherwise outlive a Ctrl-C, unrecorded, holding their ports.
   */
  signal?: AbortSignal;
}

/** Where to reach the running stack. */
export interface StackEndpoints {
  /** Collector OTLP/HTTP base URL, e.g. `http://127.0.0.1:4318`. */
  otlpHttp: string;
  /** Collector OTLP/gRPC address, e.g. `127.0.0.1:4317`. */
  otlpGrpc: string;
  /** Collector health URL. */
  collectorHealth: string;
  /** Collector self-metrics URL. */
  collectorMetrics: string;
  /** Prometheus base URL. */
  prometheus: string;
  /** Alertmanager base URL. */
  alertmanager: string;
  /** Directory where the sink writes `traces.jsonl` (Tempo's share) and `logs.jsonl` (Loki's). */
  sinkDir: string;
  /** Loki's base URL, e.g. `http://127.0.0.1:41234`, when started with `logs: 'loki'`. */
  loki?: string;
}

/** A running native stack. */
export interface Stack {
  /** Where each backend listens. */
  endpoints: StackEndpoints;
  /** The ports behind {@link Stack.endpoints}. */
  ports: StackPorts;
  /** Rendered configs, data and `logs/<component>.log`. */
  stateDir: string;
  /** Each backend, to stop, restart or crash in fault tests. */
  processes: StackProcesses;
  /** Stops every backend this stack started, the Collector first so it can flush. */
  stop(): Promise<void>;
}

async function resolvePorts(ports: StackOptions['ports']): Promise<StackPorts> {
  if (ports === undefined || ports === 'default') return checkFree({ ...DEFAULT_PORTS });
  if (ports !== 'auto') return checkFree(ports);
  const keys = Object.keys(DEFAULT_PORTS) as (keyof StackPorts)[];
  const picked = await freePorts(keys.length);
  return Object.fromEntries(keys.map((key, i) => [key, picked[i]])) as unknown as StackPorts;
}

/**
 * Fails when a port is taken. A component that cannot bind exits, but another program on its port
 * (the docker compose stack, an earlier `otelkit up` cut short) would answer its readiness check,
 * and the stack would be reported ready while that component is dead.
 */
async function checkFree(ports: StackPorts): Promise<StackPorts> {
  const busy = (await busyPorts(ports)).map(([name, port]) => `${port} (${name})`);
  if (busy.length > 0) {
    throw new Error(
      `port ${busy.join(', ')} ${busy.length === 1 ? 'is' : 'are'} already in use on 127.0.0.1: stop what ` +
        'listens there ("docker compose down" for the compose stack, "pnpm otelkit down" or "pnpm otelkit status" ' +
        'for an earlier otelkit up; "ss -ltnp" names the process) and start again',
    );
  }
  return ports;
}

/** The Collector's environment: every endpoint of config.yaml pointed at the native stack. */
export function collectorEnvironment(ports: StackPorts, stateDir: string): Record<string, string> {
  const local = (port: number) => `127.0.0.1:${port}`;
  return {
    OTELKIT_OTLP_GRPC_ENDPOINT: local(ports.otlpGrpc),
    OTELKIT_OTLP_HTTP_ENDPOINT: local(ports.otlpHttp),
    OTELKIT_HEALTH_ENDPOINT: local(ports.collectorHealth),
    OTELKIT_COLLECTOR_METRICS_HOST: '127.0.0.1',
    OTELKIT_COLLECTOR_METRICS_PORT: String(ports.collectorMetrics),
    OTELKIT_STORAGE_DIR: join(stateDir, 'collector', 'storage'),
    OTELKIT_PROMETHEUS_OTLP_ENDPOINT: `http://${local(ports.prometheus)}/api/v1/otlp`,
    // The sink's OTLP receiver serves /v1/logs where Loki serves /otlp/v1/logs.
    OTELKIT_LOKI_OTLP_ENDPOINT: `http://${local(ports.sinkHttp)}`,
    OTELKIT_TEMPO_OTLP_ENDPOINT: local(ports.sinkGrpc),
  };
}

/**
 * Starts the Collector, Prometheus, Alertmanager, the blackbox exporter and the sink (standing in
 * for Tempo, and for Loki unless `logs: 'loki'` runs the real one) on 127.0.0.1 and waits until
 * each is ready. On failure everything already started is stopped.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const root = repoRoot();
  const report = options.report ?? (() => {});
  const binaries = options.binaries ?? (await provision(report));
  const lokiBinary =
    options.logs === 'loki'
      ? (binaries.loki ?? (await ensureLoki(cacheDir(), pinnedVersions(root), report))).binary
      : undefined;
  const ports = await resolvePorts(options.ports);
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'otelkit-stack-'));
  const logs = join(stateDir, 'logs');
  const sinkDir = join(stateDir, 'sink');
  for (const dir of [logs, sinkDir, join(stateDir, 'collector', 'storage')])
    mkdirSync(dir, { recursive: true });
  const local = (port: number) => `127.0.0.1:${port}`;

  const prometheusYml = join(stateDir, 'prometheus.yml');
  writeFileSync(
    prometheusYml,
    renderPrometheusConfig(
      root,
      {
        prometheus: local(ports.prometheus),
        collectorMetrics: local(ports.collectorMetrics),
        alertmanager: local(ports.alertmanager),
        blackbox: local(ports.blackbox),
        collectorHealth: local(ports.collectorHealth),
        demo: Object.fromEntries(
          Object.entries(options.demoPorts ?? {}).map(([name, port]) => [name, local(port)]),
        ),
      },
      options.scrapeInterval
        ? { scrapeInterval: options.scrapeInterval, evaluationInterval: options.scrapeInterval }
        : {},
    ),
  );
  const alertmanagerYml = join(stateDir, 'alertmanager.yml');
  writeFileSync(
    alertmanagerYml,
    renderAlertmanagerConfig(root, { ...process.env, ...options.alertWebhooks }),
  );

  const detached = options.detached ?? false;
  const [lokiHttp = 0, lokiGrpc = 0] = lokiBinary ? await freePorts(2) : [];
  const loki =
    lokiBinary !== undefined
      ? lokiProcess({
          binary: lokiBinary,
          root,
          ports: { http: lokiHttp, grpc: lokiGrpc },
          dataDir: join(stateDir, 'loki'),
          logFile: join(logs, 'loki.log'),
          detached,
        })
      : undefined;
  const collectorEnv = collectorEnvironment(ports, stateDir);
  if (loki) collectorEnv.OTELKIT_LOKI_OTLP_ENDPOINT = `http://${local(lokiHttp)}/otlp`;
  const processes: StackProcesses = {
    sink: sinkProcess({
      name: 'sink',
      collectorBinary: binaries.collector.binary,
      root,
      ports: { grpc: ports.sinkGrpc, http: ports.sinkHttp, health: ports.sinkHealth },
      sinkDir,
      logFile: join(logs, 'sink.log'),
      detached,
    }),
    alertmanager: new ManagedProcess({
      name: 'alertmanager',
      command: binaries.alertmanager.binary,
      args: [
        `--config.file=${alertmanagerYml}`,
        `--storage.path=${join(stateDir, 'alertmanager')}`,
        `--web.listen-address=${local(ports.alertmanager)}`,
        '--cluster.listen-address=',
      ],
      logFile: join(logs, 'alertmanager.log'),
      ready: { http: `http://${local(ports.alertmanager)}/-/ready` },
      detached,
    }),
    blackbox: new ManagedProcess({
      name: 'blackbox',
      command: binaries.blackbox.binary,
      // Debian's package ships this config with the http_2xx module prometheus.yml uses.
      args: ['--config.file=/etc/prometheus/blackbox.yml', `--web.listen-address=${local(ports.blackbox)}`],
      logFile: join(logs, 'blackbox.log'),
      ready: { http: `http://${local(ports.blackbox)}/-/healthy` },
      detached,
    }),
    prometheus: new ManagedProcess({
      name: 'prometheus',
      command: binaries.prometheus.binary,
      args: [
        `--config.file=${prometheusYml}`,
        `--storage.tsdb.path=${join(stateDir, 'prometheus')}`,
        `--web.listen-address=${local(ports.prometheus)}`,
        '--web.enable-otlp-receiver',
        '--web.enable-lifecycle',
        '--enable-feature=exemplar-storage',
      ],
      logFile: join(logs, 'prometheus.log'),
      ready: { http: `http://${local(ports.prometheus)}/-/ready` },
      detached,
    }),
    collector: new ManagedProcess({
      name: 'collector',
      command: binaries.collector.binary,
      args: ['--config', join(root, 'collector', 'config.yaml')],
      env: { ...collectorEnv, ...options.collectorEnv },
      logFile: join(logs, 'collector.log'),
      ready: { http: `http://${local(ports.collectorHealth)}/` },
      detached,
    }),
    ...(loki ? { loki } : {}),
  };
  const names: (ComponentName | 'loki')[] = loki
    ? [...COMPONENTS.slice(0, -1), 'loki', 'collector']
    : [...COMPONENTS];
  const processOf = (name: ComponentName | 'loki'): ManagedProcess =>
    name === 'loki' ? (loki as ManagedProcess) : processes[name];

  const removeStateDir = options.stateDir === undefined && process.env.OTELKIT_KEEP_STATE !== '1';
  const stop = async () => {
    for (const name of [...names].reverse()) await processOf(name).stop();
    if (removeStateDir) rmSync(stateDir, { recursive: true, force: true });
  };
  await startInOrder({
    names,
    start: (name) => processOf(name).start(),
    stop,
    ready: (name) =>
      report(`${name}: ready (pid ${processOf(name).pid}, log ${processOf(name).spec.logFile})`),
    ...(options.signal ? { signal: options.signal } : {}),
  });

  return {
    ports,
    stateDir,
    processes,
    stop,
    endpoints: {
      otlpHttp: `http://${local(ports.otlpHttp)}`,
      otlpGrpc: local(ports.otlpGrpc),
      collectorHealth: `http://${local(ports.collectorHealth)}/`,
      collectorMetrics: `http://${local(ports.collectorMetrics)}/metrics`,
      prometheus: `http://${local(ports.prometheus)}`,
      alertmanager: `http://${local(ports.alertmanager)}`,
      sinkDir,
      ...(loki ? { loki: `http://${local(lokiHttp)}` } : {}),
    },
  };
}

/** The state directory `otelkit up` uses unless told otherwise. */
export { defaultStateDir };

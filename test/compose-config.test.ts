import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { pinnedVersions, repoRoot } from '@otelkit/stack';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  type ComposeProject,
  type ComposeService,
  composeGoVersion,
  loadCompose,
} from './compose/compose-config.js';
import {
  collectorConfig,
  configFile,
  flag,
  hostPath,
  isCollector,
  type ListenPorts,
  type LokiConfig,
  listenPorts,
  namedVolumeAt,
  type PortRole,
  parseEndpoint,
  portOf,
  readYaml,
  type TempoConfig,
} from './compose/endpoints.js';

// docker-compose.yml checked without Docker: loaded by the Compose Specification's own loader
// (compose-go, which `docker compose` uses: schema, interpolation, consistency), then compared
// with every configuration file it wires together. Versions against the builds: test/versions.test.ts.

const root = repoRoot();
const composeFile = join(root, 'docker-compose.yml');
/** Exactly the environment a user must provide; nothing else leaks in from this machine. */
const ENV = { GRAFANA_ADMIN_PASSWORD: 'compose-config-test' };

let project: ComposeProject;
let services: [string, ComposeService][];
let listening: Map<string, ListenPorts> | undefined;

/** The Node releases scripts/node-matrix.sh runs the SDK's tests on. */
function nodeMatrixVersions(): string[] {
  const script = readFileSync(join(root, 'scripts', 'node-matrix.sh'), 'utf8');
  return /^versions=\(([^)]*)\)/m.exec(script)?.[1]?.trim().split(/\s+/) ?? [];
}

/** Every service's listen ports, read on first use (a broken config file fails the tests using it). */
function ports(): Map<string, ListenPorts> {
  listening ??= listenPorts(project);
  return listening;
}

function service(name: string): ComposeService {
  const found = project.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

/** Asserts `reference` names a compose service and a port it listens on, with the role given. */
function expectReaches(reference: string, role: PortRole | PortRole[], where: string): void {
  const { host, port } = parseEndpoint(reference);
  const listening = ports().get(host);
  expect(listening, `${where}: ${reference}: "${host}" is not a compose service`).toBeDefined();
  const roles = Array.isArray(role) ? role : [role];
  expect(
    roles,
    `${where}: ${reference}: ${host} listens on ${JSON.stringify([...(listening ?? [])])}`,
  ).toContain(listening?.get(port));
}

beforeAll(() => {
  const result = loadCompose(composeFile, ENV);
  if (!result.ok)
    throw new Error(`compose-go ${composeGoVersion()} rejects docker-compose.yml: ${result.error}`);
  project = result.project;
  services = Object.entries(project.services);
}, 300_000);

describe('docker-compose.yml against the Compose Specification', () => {
  it('loads with compose-go (schema, interpolation, depends_on/volume consistency), every profile on', () => {
    expect(project.name).toBe('otelkit');
    for (const name of [
      'otel-collector',
      'prometheus',
      'alertmanager',
      'blackbox-exporter',
      'loki',
      'tempo',
      'grafana',
    ]) {
      expect(project.services, name).toHaveProperty(name);
    }
  });

  it('rejects what the schema forbids (the validator is live)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'otelkit-compose-'));
    try {
      const broken = parse(readFileSync(composeFile, 'utf8'), { merge: true }) as {
        services: Record<string, Record<string, unknown>>;
      };
      const grafana = broken.services.grafana ?? {};
      grafana.healthcheck = { test: ['CMD', 'true'], interval: 10 };
      writeFileSync(join(dir, 'docker-compose.yml'), JSON.stringify(broken));
      const result = loadCompose(join(dir, 'docker-compose.yml'), ENV);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toMatch(/healthcheck\.interval|interval/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('security defaults', () => {
  it('refuses to start without GRAFANA_ADMIN_PASSWORD, and has no anonymous access', () => {
    const result = loadCompose(composeFile, {});
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain('GRAFANA_ADMIN_PASSWORD');
    const env = service('grafana').environment ?? {};
    expect(env.GF_SECURITY_ADMIN_PASSWORD).toBe(ENV.GRAFANA_ADMIN_PASSWORD);
    expect(env.GF_AUTH_ANONYMOUS_ENABLED ?? 'false').toBe('false');
    expect(env.GF_USERS_ALLOW_SIGN_UP ?? 'false').toBe('false');
  });

  it('publishes every port on 127.0.0.1 only, each to a port the service listens on', () => {
    let published = 0;
    for (const [name, svc] of services) {
      for (const port of svc.ports ?? []) {
        published++;
        expect(port.host_ip, `${name}: ${port.published}:${port.target}`).toBe('127.0.0.1');
        expect(
          ports().get(name)?.has(port.target),
          `${name} publishes ${port.target}, which nothing listens on`,
        ).toBe(true);
      }
    }
    expect(published).toBeGreaterThan(8);
  });
});

describe('images', () => {
  it('pins every image to a version tag (no latest, no untagged)', () => {
    for (const [name, svc] of services) {
      expect(svc.image, `${name} has no image`).toBeTruthy();
      const image = svc.image ?? '';
      if (image.includes('@sha256:')) continue;
      const tag = /:([^:/]+)$/.exec(image)?.[1];
      expect(tag, `${name}: ${image} is untagged`).toBeDefined();
      expect(tag, `${name}: ${image}`).not.toBe('latest');
      if (!svc.build) expect(tag, `${name}: ${image} is not a version`).toMatch(/^v?\d+\.\d+\.\d+/);
    }
  });

  it('runs every Collector on the builder manifest release and every Prometheus on the release tests build', () => {
    const { collector, prometheus } = pinnedVersions(root);
    const collectors = services.filter(([, svc]) => isCollector(svc));
    expect(collectors.length).toBeGreaterThan(0);
    for (const [name, svc] of collectors) {
      expect(svc.image, name).toBe(`otel/opentelemetry-collector-contrib:${collector}`);
    }
    for (const [name, svc] of services.filter(([, s]) => s.image?.startsWith('prom/prometheus:'))) {
      expect(svc.image, name).toBe(`prom/prometheus:v${prometheus}`);
    }
  });

  it('builds the demo image from pinned bases, with the pnpm of package.json', () => {
    const built = services.filter(([, svc]) => svc.build);
    expect(built.map(([name]) => name)).toEqual(
      expect.arrayContaining(['orders-api', 'inventory-api', 'accounts-api', 'demo-traffic']),
    );
    const packageManager = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { packageManager: string }
    ).packageManager;
    for (const [name, svc] of built) {
      const dockerfile = join(svc.build?.context ?? '', svc.build?.dockerfile ?? 'Dockerfile');
      expect(existsSync(dockerfile), `${name}: ${dockerfile}`).toBe(true);
      const text = readFileSync(dockerfile, 'utf8');
      const bases = [...text.matchAll(/^FROM\s+(\S+)/gm)].map((match) => match[1] ?? '');
      const [build, runtime] = bases;
      expect(bases, `${name}: a build and a runtime stage`).toHaveLength(2);
      for (const base of bases)
        expect(base, `${name}: FROM ${base}`).toMatch(/^node:\d+\.\d+\.\d+-[a-z]+-slim$/);
      // Built with the workspace's Node line; run on a release the SDK's tests run on.
      expect(build, `${name}: build stage`).toMatch(/^node:20\./);
      expect(nodeMatrixVersions(), `${name}: runtime ${runtime} in scripts/node-matrix.sh`).toContain(
        /^node:([\d.]+)-/.exec(runtime ?? '')?.[1],
      );
      expect(text).toContain('corepack enable');
      for (const pinned of text.matchAll(/pnpm@(\S+)/g)) expect(`pnpm@${pinned[1]}`).toBe(packageManager);
    }
  });
});

describe('mounts and volumes', () => {
  it('bind-mounts only files and directories that exist in the repository', () => {
    let binds = 0;
    for (const [name, svc] of services) {
      for (const mount of svc.volumes ?? []) {
        if (mount.type !== 'bind') continue;
        binds++;
        expect(existsSync(mount.source ?? ''), `${name}: ${mount.source} -> ${mount.target}`).toBe(true);
        expect(mount.read_only, `${name}: ${mount.target} should be read-only`).toBe(true);
      }
    }
    expect(binds).toBeGreaterThan(5);
  });

  it('points every config flag at a mounted repository file', () => {
    const flags: [string, string][] = [
      ['otel-collector', 'config'],
      ['prometheus', 'config.file'],
      ['alertmanager', 'config.file'],
      ['loki', 'config.file'],
      ['tempo', 'config.file'],
    ];
    for (const [name, flagName] of flags) {
      const file = configFile(service(name), flagName);
      expect(existsSync(file), `${name}: -${flagName} -> ${file}`).toBe(true);
    }
    // "unchanged": the pipeline users get is the file the native stack and the tests run.
    expect(configFile(service('otel-collector'), 'config')).toBe(join(root, 'collector', 'config.yaml'));
    expect(configFile(service('prometheus'), 'config.file')).toBe(join(root, 'prometheus', 'prometheus.yml'));
  });

  it('keeps every backend data directory on a named volume', () => {
    const { config } = collectorConfig(service('otel-collector'));
    const loki = readYaml<LokiConfig>(configFile(service('loki'), 'config.file'));
    const tempo = readYaml<TempoConfig>(configFile(service('tempo'), 'config.file'));
    const dataDirs: [string, string | undefined][] = [
      ['otel-collector', config.extensions?.file_storage?.directory],
      ['prometheus', flag(service('prometheus'), 'storage.tsdb.path')],
      ['alertmanager', flag(service('alertmanager'), 'storage.path')],
      ['loki', loki.common?.path_prefix],
      ['loki', loki.common?.storage?.filesystem?.chunks_directory],
      ['loki', loki.compactor?.working_directory],
      ['tempo', tempo.storage?.trace?.wal?.path],
      ['tempo', tempo.storage?.trace?.local?.path],
      ['grafana', '/var/lib/grafana'],
    ];
    for (const [name, dir] of dataDirs) {
      expect(dir, `${name}: data directory not configured`).toBeTruthy();
      const volume = namedVolumeAt(service(name), dir ?? '');
      expect(volume, `${name}: ${dir} is not on a named volume`).toBeDefined();
      expect(project.volumes ?? {}, `${name}: volume ${volume} is not declared`).toHaveProperty(volume ?? '');
    }
    // Retention is stated, not left to defaults (Loki and Tempo: their tests below).
    expect(flag(service('prometheus'), 'storage.tsdb.retention.time')).toMatch(/^\d+[hdwy]$/);
  });
});

describe('endpoints agree with the configuration files', () => {
  it('the Collector listens where the compose file and the SDKs expect (4317, 4318, 13133)', () => {
    const collector = ports().get('otel-collector');
    expect(collector?.get(4317)).toBe('otlp-grpc');
    expect(collector?.get(4318)).toBe('otlp-http');
    expect(collector?.get(13133)).toBe('health');
    const published = (service('otel-collector').ports ?? [])
      .map((port) => port.target)
      .sort((a, b) => a - b);
    expect(published).toEqual([4317, 4318, 13133]);
  });

  it("the Collector's exporters reach Prometheus' OTLP receiver, Loki's /otlp and Tempo's OTLP gRPC port", () => {
    for (const [name, svc] of services.filter(([, s]) => isCollector(s))) {
      const { config } = collectorConfig(svc);
      for (const [exporter, settings] of Object.entries(config.exporters ?? {})) {
        const endpoint = settings?.endpoint;
        if (!endpoint) continue;
        const where = `${name} exporters.${exporter}`;
        const { host, path } = parseEndpoint(endpoint);
        if (exporter.startsWith('otlp_grpc')) {
          expectReaches(endpoint, 'otlp-grpc', where);
        } else {
          expectReaches(endpoint, ['http', 'otlp-http'], where);
        }
        if (host === 'prometheus') {
          expect(path, where).toBe('/api/v1/otlp');
          expect(service('prometheus').command).toContain('--web.enable-otlp-receiver');
          expect(service('prometheus').command).toContain('--enable-feature=exemplar-storage');
        }
        if (host === 'loki') expect(path, where).toBe('/otlp');
      }
    }
    const { config } = collectorConfig(service('otel-collector'));
    expect(parseEndpoint(config.exporters?.['otlp_http/prometheus']?.endpoint ?? '').host).toBe('prometheus');
    expect(parseEndpoint(config.exporters?.['otlp_http/loki']?.endpoint ?? '').host).toBe('loki');
    expect(parseEndpoint(`tcp://${config.exporters?.['otlp_grpc/tempo']?.endpoint ?? ''}`).host).toBe(
      'tempo',
    );
  });

  it("prometheus.yml's Alertmanager, scrape and blackbox targets are compose services on their ports", () => {
    interface Prom {
      alerting?: { alertmanagers?: { static_configs?: { targets?: string[] }[] }[] };
      rule_files?: string[];
      scrape_configs?: {
        job_name: string;
        metrics_path?: string;
        static_configs?: { targets?: string[]; labels?: Record<string, string> }[];
        dns_sd_configs?: { names?: string[]; type?: string; port?: number }[];
        relabel_configs?: { target_label?: string; replacement?: string }[];
      }[];
    }
    const prometheus = service('prometheus');
    const prom = readYaml<Prom>(configFile(prometheus, 'config.file'));
    const managers = (prom.alerting?.alertmanagers ?? []).flatMap((m) => m.static_configs ?? []);
    const managerTargets = managers.flatMap((c) => c.targets ?? []);
    expect(managerTargets).toEqual(['alertmanager:9093']);
    for (const target of managerTargets) expectReaches(target, 'http', 'alerting.alertmanagers');

    // Rule files resolve inside the mounted directory, so the rules load in the container too.
    for (const pattern of prom.rule_files ?? []) {
      const inside = posix.resolve(posix.dirname(flag(prometheus, 'config.file') ?? ''), pattern);
      const dir = hostPath(prometheus, posix.dirname(inside));
      expect(dir, `rule_files ${pattern} outside the mounts`).toBeDefined();
      const matcher = new RegExp(`^${posix.basename(inside).replace(/\./g, '\\.').replace(/\*/g, '.*')}$`);
      expect(readdirSync(dir ?? '').filter((file) => matcher.test(file)).length, pattern).toBeGreaterThan(0);
    }

    const jobs = prom.scrape_configs ?? [];
    // Static targets, and DNS discovery of compose services: each name and port is a target too.
    const targetsOf = (job: (typeof jobs)[number]) => [
      ...(job.static_configs ?? []).flatMap((c) => c.targets ?? []),
      ...(job.dns_sd_configs ?? []).flatMap((c) => (c.names ?? []).map((name) => `${name}:${c.port ?? ''}`)),
    ];
    for (const job of jobs) {
      const where = `scrape_configs ${job.job_name}`;
      const targets = targetsOf(job);
      if (job.metrics_path === '/probe') {
        // Probe jobs: targets are URLs the exporter fetches; the exporter is the relabelled address.
        const exporter = job.relabel_configs?.find((r) => r.target_label === '__address__')?.replacement;
        expect(exporter, where).toBe('blackbox-exporter:9115');
        expectReaches(exporter ?? '', 'http', where);
        for (const target of targets) expectReaches(target, ['health', 'http'], where);
        continue;
      }
      for (const target of targets) {
        // A server's own address: "localhost" inside the Prometheus container is Prometheus.
        const reference = target.startsWith('localhost:')
          ? target.replace('localhost', 'prometheus')
          : target;
        expectReaches(reference, ['http', 'metrics'], where);
      }
    }
    expect(jobs.map((job) => job.job_name)).toEqual(
      expect.arrayContaining(['otel-collector', 'prometheus', 'alertmanager', 'blackbox-http']),
    );
    const collectorJob = jobs.find((job) => job.job_name === 'otel-collector');
    const collectorScrape = collectorJob?.static_configs?.[0]?.targets?.[0];
    expectReaches(collectorScrape ?? '', 'metrics', 'otel-collector scrape');
    // Every Collector of the compose file, scale-out profile included, is scraped by that job, so
    // the Collector dashboard and alerts see it.
    const scraped = new Set(
      (collectorJob ? targetsOf(collectorJob) : []).map((target) => target.split(':')[0]),
    );
    const collectors = services.filter(([, svc]) => isCollector(svc)).map(([name]) => name);
    expect(collectors.length).toBeGreaterThan(1);
    for (const name of collectors) expect(scraped, `Collector ${name} is not scraped`).toContain(name);
  });

  it("the blackbox-http job probes the Collector's health endpoint and each demo service", () => {
    const prom = readYaml<{
      scrape_configs?: {
        job_name: string;
        static_configs?: { targets?: string[]; labels?: Record<string, string> }[];
      }[];
    }>(configFile(service('prometheus'), 'config.file'));
    const probes = prom.scrape_configs?.find((job) => job.job_name === 'blackbox-http')?.static_configs ?? [];
    const byService = new Map(
      probes.flatMap((c) => (c.targets ?? []).map((t) => [c.labels?.service, t] as const)),
    );
    expect(byService.get('otelkit-collector')).toBe('http://otel-collector:13133/');
    expect(byService.get('orders-api')).toBe('http://orders-api:3000/');
    expect(byService.get('accounts-api')).toBe('http://accounts-api:3002/health/ready');
  });

  it("Grafana's data sources point at the services' HTTP APIs, and its dashboards path is mounted", () => {
    const grafana = service('grafana');
    const provisioning = hostPath(grafana, '/etc/grafana/provisioning');
    expect(provisioning).toBe(join(root, 'grafana', 'provisioning'));
    const datasources = readYaml<{ datasources: { uid: string; url: string }[] }>(
      join(provisioning ?? '', 'datasources', 'datasources.yaml'),
    ).datasources;
    expect(datasources.map((d) => d.uid).sort()).toEqual(['alertmanager', 'loki', 'prometheus', 'tempo']);
    for (const datasource of datasources) {
      expectReaches(datasource.url, 'http', `datasource ${datasource.uid}`);
      expect(parseEndpoint(datasource.url).host).toBe(datasource.uid);
    }
    const providers = readYaml<{ providers: { options: { path: string } }[] }>(
      join(provisioning ?? '', 'dashboards', 'dashboards.yaml'),
    ).providers;
    for (const provider of providers) {
      expect(hostPath(grafana, provider.options.path)).toBe(join(root, 'grafana', 'dashboards'));
    }
    const home = grafana.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
    if (home) expect(existsSync(hostPath(grafana, home) ?? ''), home).toBe(true);
  });

  it('Loki: OTLP ingest with structured metadata, local filesystem storage, retention enforced', () => {
    const loki = readYaml<LokiConfig>(configFile(service('loki'), 'config.file'));
    expect(loki.server?.http_listen_port).toBe(3100);
    expect(loki.server?.http_listen_address).toBe('0.0.0.0');
    // OTLP logs keep trace_id as structured metadata, which needs the TSDB store with schema v13.
    expect(loki.limits_config?.allow_structured_metadata).toBe(true);
    expect(loki.limits_config?.otlp_config).toBeDefined();
    const schemas = loki.schema_config?.configs ?? [];
    expect(schemas.at(-1)).toMatchObject({ store: 'tsdb', schema: 'v13', object_store: 'filesystem' });
    expect(loki.common?.storage?.filesystem?.chunks_directory).toMatch(/^\//);
    expect(loki.compactor?.retention_enabled).toBe(true);
    expect(loki.compactor?.delete_request_store).toBe('filesystem');
    expect(loki.limits_config?.retention_period).toMatch(/^\d+[hdw]$/);
  });

  it('Tempo: OTLP on every interface, local storage, block retention equal to Loki retention', () => {
    const tempo = readYaml<TempoConfig>(configFile(service('tempo'), 'config.file'));
    const loki = readYaml<LokiConfig>(configFile(service('loki'), 'config.file'));
    expect(tempo.server?.http_listen_port).toBe(3200);
    const grpc = tempo.distributor?.receivers?.otlp?.protocols?.grpc?.endpoint ?? '';
    expect(grpc).toBe('0.0.0.0:4317');
    expect(portOf(grpc)).toBe(4317);
    expect(tempo.storage?.trace?.backend).toBe('local');
    expect(tempo.storage?.trace?.wal?.path).toMatch(/^\//);
    expect(tempo.storage?.trace?.local?.path).toMatch(/^\//);
    expect(tempo.compactor?.compaction?.block_retention).toMatch(/^\d+h$/);
    // Trace <-> log links stay valid for the same window.
    expect(tempo.compactor?.compaction?.block_retention).toBe(loki.limits_config?.retention_period);
  });

  it('the demo services reach the Collector over OTLP/HTTP, each other and Redis on their ports', () => {
    for (const name of ['orders-api', 'inventory-api', 'accounts-api', 'demo-traffic']) {
      const env = service(name).environment ?? {};
      expectReaches(
        env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '',
        'otlp-http',
        `${name} OTEL_EXPORTER_OTLP_ENDPOINT`,
      );
      for (const [key, value] of Object.entries(env)) {
        if (key.endsWith('_URL') && value) {
          expectReaches(value, value.startsWith('redis:') ? 'redis' : 'http', `${name} ${key}`);
        }
      }
      if (name !== 'demo-traffic') {
        expect(env.OTEL_SERVICE_NAME).toBe(name);
        expect(env.HOST).toBe('0.0.0.0');
      }
    }
    expect(service('orders-api').environment).toMatchObject({
      INVENTORY_URL: 'http://inventory-api:3001',
      REDIS_URL: 'redis://redis:6379',
    });
    expect(service('demo-traffic').environment).toMatchObject({
      ORDERS_URL: 'http://orders-api:3000',
      ACCOUNTS_URL: 'http://accounts-api:3002',
      INVENTORY_URL: 'http://inventory-api:3001',
    });
  });

  it('the demo commands run entry files of this repository (/app in the image)', () => {
    for (const name of ['orders-api', 'inventory-api', 'accounts-api', 'demo-traffic']) {
      const svc = service(name);
      const entry = (svc.command ?? []).at(-1) ?? '';
      const inImage = posix.resolve(svc.working_dir ?? '/app', entry);
      expect(inImage.startsWith('/app/'), `${name}: ${inImage}`).toBe(true);
      // dist/*.js is built inside the image from src/*.ts.
      const source = inImage.slice('/app/'.length).replace(/\/dist\/(.*)\.js$/, '/src/$1.ts');
      expect(existsSync(join(root, source)), `${name}: ${source}`).toBe(true);
    }
  });
});

describe('start-up ordering', () => {
  it('waits only on conditions that can be met', () => {
    let conditions = 0;
    for (const [name, svc] of services) {
      for (const [dependency, { condition }] of Object.entries(svc.depends_on ?? {})) {
        conditions++;
        const target = service(dependency);
        if (condition === 'service_healthy') {
          expect(target.healthcheck?.test, `${name} waits for ${dependency} to be healthy`).toBeDefined();
          expect(target.healthcheck?.disable ?? false).toBe(false);
        } else if (condition === 'service_completed_successfully') {
          // A one-shot: with a restart policy it would never "complete".
          expect(target.restart ?? 'no', `${dependency} is a one-shot`).toBe('no');
        } else {
          expect(condition).toBe('service_started');
        }
      }
    }
    expect(conditions).toBeGreaterThan(10);
  });

  it('has a healthcheck on every long-running service whose image can run one', () => {
    // The Collector, Loki and Tempo images have no shell or HTTP client: `stack-ready` polls the
    // main three, and Prometheus' blackbox probes watch them while running.
    const noShell = (svc: ComposeService) =>
      isCollector(svc) || /^grafana\/(loki|tempo):/.test(svc.image ?? '');
    for (const [name, svc] of services) {
      // One-shots, and the traffic generator, which serves nothing to check.
      if ((svc.restart ?? 'no') === 'no' || noShell(svc) || !ports().get(name)?.size) continue;
      expect(svc.healthcheck?.test, `${name} has no healthcheck`).toBeDefined();
    }
    const waited = (service('stack-ready').command ?? []).join(' ');
    for (const name of ['otel-collector', 'loki', 'tempo']) {
      const health = [...(ports().get(name) ?? [])].find(([, role]) => role === 'health' || role === 'http');
      expect(waited, `stack-ready does not wait for ${name}`).toContain(`http://${name}:${health?.[0]}/`);
    }
  });
});

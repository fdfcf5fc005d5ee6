import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parse } from 'yaml';
import type { ComposeProject, ComposeService } from './compose-config.js';

/** What a listening port is for, so a reference can be checked against the right one. */
export type PortRole = 'otlp-grpc' | 'otlp-http' | 'health' | 'metrics' | 'http' | 'redis';

/** Ports a service listens on inside the compose network, by role. */
export type ListenPorts = Map<number, PortRole>;

/** A reference to another service: `host:port` or a URL. */
export interface Endpoint {
  host: string;
  port: number;
  path: string;
}

/** Parses `http://host:port/path` or `host:port`; the port is required (defaults hide mistakes). */
export function parseEndpoint(reference: string): Endpoint {
  const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(reference) ? reference : `tcp://${reference}`);
  if (!url.port) throw new Error(`${reference}: no explicit port`);
  return { host: url.hostname, port: Number(url.port), path: url.pathname };
}

/** The port of a listen address such as `0.0.0.0:4317` or `:9090`. */
export function portOf(address: string): number {
  const match = /:(\d+)$/.exec(address);
  if (!match) throw new Error(`${address}: no port`);
  return Number(match[1]);
}

/**
 * Expands the Collector's `${env:NAME:-default}` references with a service's environment, as the
 * Collector does at start-up (textually, before the YAML is read, which is equivalent for the
 * scalar values the tests read).
 */
export function expandCollectorEnv(text: string, env: Record<string, string | null>): string {
  return text.replace(
    /\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g,
    (_match, name: string, fallback) => {
      const value = env[name];
      return value !== undefined && value !== null && value !== '' ? value : (fallback ?? '');
    },
  );
}

/**
 * Maps a path inside a service's container to the repository file bind-mounted there, or
 * undefined when no bind mount covers it.
 */
export function hostPath(service: ComposeService, containerPath: string): string | undefined {
  for (const mount of service.volumes ?? []) {
    if (mount.type !== 'bind' || !mount.source) continue;
    const rest = posix.relative(mount.target, containerPath);
    if (rest === '' || (!rest.startsWith('..') && !posix.isAbsolute(rest))) {
      return rest === '' ? mount.source : join(mount.source, rest);
    }
  }
  return undefined;
}

/** The named volume mounted at `containerPath` or above it, if any. */
export function namedVolumeAt(service: ComposeService, containerPath: string): string | undefined {
  for (const mount of service.volumes ?? []) {
    if (mount.type !== 'volume' || !mount.source) continue;
    const rest = posix.relative(mount.target, containerPath);
    if (rest === '' || (!rest.startsWith('..') && !posix.isAbsolute(rest))) return mount.source;
  }
  return undefined;
}

/** Value of `--name=value` / `-name=value` in a command, or undefined. */
export function flag(service: ComposeService, name: string): string | undefined {
  for (const arg of service.command ?? []) {
    const match = /^--?([^=]+)=(.*)$/.exec(arg);
    if (match?.[1] === name) return match[2];
  }
  return undefined;
}

/** The Collector configuration a collector service runs, parsed after env expansion. */
export function collectorConfig(service: ComposeService): { file: string; config: CollectorConfig } {
  const inside = flag(service, 'config');
  if (!inside) throw new Error('collector service without --config=');
  const file = hostPath(service, inside);
  if (!file || !existsSync(file))
    throw new Error(`collector config ${inside} is not bind-mounted from the repo`);
  const text = expandCollectorEnv(readFileSync(file, 'utf8'), service.environment ?? {});
  return { file, config: parse(text) as CollectorConfig };
}

/** The parts of a Collector configuration the endpoint checks read. */
export interface CollectorConfig {
  extensions?: Record<string, { endpoint?: string; directory?: string } | null>;
  receivers?: Record<string, { protocols?: Record<string, { endpoint?: string } | null> } | null>;
  exporters?: Record<string, { endpoint?: string } | null>;
  service?: {
    telemetry?: {
      metrics?: { readers?: { pull?: { exporter?: { prometheus?: { port?: number | string } } } }[] };
    };
  };
}

function imageName(service: ComposeService): string {
  return (service.image ?? '').replace(/[:@].*$/, '');
}

/** True when the service runs the Collector (contrib image). */
export function isCollector(service: ComposeService): boolean {
  return imageName(service) === 'otel/opentelemetry-collector-contrib';
}

function addListen(ports: ListenPorts, port: number, role: PortRole): void {
  ports.set(port, role);
}

/** Reads and parses a YAML file. */
export function readYaml<T>(file: string): T {
  return parse(readFileSync(file, 'utf8')) as T;
}

/** The Loki settings the checks read. */
export interface LokiConfig {
  server?: { http_listen_port?: number; http_listen_address?: string; grpc_listen_port?: number };
  common?: {
    path_prefix?: string;
    storage?: { filesystem?: { chunks_directory?: string; rules_directory?: string } };
  };
  schema_config?: { configs?: { store?: string; object_store?: string; schema?: string }[] };
  compactor?: { working_directory?: string; retention_enabled?: boolean; delete_request_store?: string };
  limits_config?: {
    retention_period?: string;
    allow_structured_metadata?: boolean;
    otlp_config?: unknown;
  };
}

/** The Tempo settings the checks read. */
export interface TempoConfig {
  server?: { http_listen_port?: number; grpc_listen_port?: number };
  distributor?: {
    receivers?: { otlp?: { protocols?: { grpc?: { endpoint?: string }; http?: { endpoint?: string } } } };
  };
  compactor?: { compaction?: { block_retention?: string } };
  storage?: { trace?: { backend?: string; wal?: { path?: string }; local?: { path?: string } } };
}

/**
 * Every port each service listens on, read from the configuration it runs (collector/config.yaml,
 * loki/loki.yaml, tempo/tempo.yaml, command-line flags, PORT) or the image's documented default.
 */
export function listenPorts(project: ComposeProject): Map<string, ListenPorts> {
  const all = new Map<string, ListenPorts>();
  for (const [name, service] of Object.entries(project.services)) {
    const ports: ListenPorts = new Map();
    const image = imageName(service);
    const webListen = flag(service, 'web.listen-address');
    if (isCollector(service)) {
      const { config } = collectorConfig(service);
      for (const receiver of Object.values(config.receivers ?? {})) {
        const protocols = receiver?.protocols ?? {};
        if (protocols.grpc?.endpoint) addListen(ports, portOf(protocols.grpc.endpoint), 'otlp-grpc');
        if (protocols.http?.endpoint) addListen(ports, portOf(protocols.http.endpoint), 'otlp-http');
      }
      const health = config.extensions?.health_check?.endpoint;
      if (health) addListen(ports, portOf(health), 'health');
      for (const reader of config.service?.telemetry?.metrics?.readers ?? []) {
        const port = reader.pull?.exporter?.prometheus?.port;
        if (port !== undefined) addListen(ports, Number(port), 'metrics');
      }
    } else if (image === 'prom/prometheus') {
      addListen(ports, webListen ? portOf(webListen) : 9090, 'http');
    } else if (image === 'prom/alertmanager') {
      addListen(ports, webListen ? portOf(webListen) : 9093, 'http');
    } else if (image === 'prom/blackbox-exporter') {
      addListen(ports, webListen ? portOf(webListen) : 9115, 'http');
    } else if (image === 'grafana/loki') {
      const loki = readYaml<LokiConfig>(configFile(service, 'config.file'));
      addListen(ports, loki.server?.http_listen_port ?? 3100, 'http');
    } else if (image === 'grafana/tempo') {
      const tempo = readYaml<TempoConfig>(configFile(service, 'config.file'));
      addListen(ports, tempo.server?.http_listen_port ?? 3200, 'http');
      const protocols = tempo.distributor?.receivers?.otlp?.protocols;
      if (protocols?.grpc?.endpoint) addListen(ports, portOf(protocols.grpc.endpoint), 'otlp-grpc');
      if (protocols?.http?.endpoint) addListen(ports, portOf(protocols.http.endpoint), 'otlp-http');
    } else if (image === 'grafana/grafana') {
      addListen(ports, Number(service.environment?.GF_SERVER_HTTP_PORT ?? 3000), 'http');
    } else if (image === 'redis') {
      addListen(ports, 6379, 'redis');
    } else if (service.environment?.PORT) {
      addListen(ports, Number(service.environment.PORT), 'http');
    }
    all.set(name, ports);
  }
  return all;
}

/** The repository file a `-name=/container/path` flag points at (must be bind-mounted). */
export function configFile(service: ComposeService, name: string): string {
  const inside = flag(service, name);
  if (!inside) throw new Error(`no -${name}= flag`);
  const file = hostPath(service, inside);
  if (!file) throw new Error(`-${name}=${inside} is not bind-mounted from the repository`);
  return file;
}

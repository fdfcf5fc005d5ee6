import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { DEMO_SERVICE_NAMES, DEMO_SERVICES, type DemoServiceName } from './demo/services.js';

/** Loopback addresses of the native stack that replace the compose service names. */
export interface PrometheusTargets {
  /** host:port of Prometheus itself. */
  prometheus: string;
  /** host:port of the Collector's own metrics endpoint. */
  collectorMetrics: string;
  /** host:port of Alertmanager. */
  alertmanager: string;
  /** host:port of the blackbox exporter. */
  blackbox: string;
  /** host:port of the Collector's health_check extension. */
  collectorHealth: string;
  /**
   * host:port of each demo service that runs (`otelkit up --demo`). Uptime probes of demo
   * services (compose URLs such as `http://orders-api:3000/`) are pointed here, and dropped for
   * services that do not run, so EndpointDown does not page for a demo nobody started.
   */
  demo?: Partial<Record<DemoServiceName, string>>;
}

interface StaticConfig {
  targets?: string[];
}
interface PrometheusYaml {
  global?: Record<string, unknown>;
  rule_files?: string[];
  alerting?: { alertmanagers?: { static_configs?: StaticConfig[] }[] };
  scrape_configs?: {
    job_name: string;
    static_configs?: StaticConfig[];
    dns_sd_configs?: unknown[];
    relabel_configs?: { replacement?: string }[];
  }[];
}

/**
 * Renders `prometheus/prometheus.yml` (written for docker compose) for the native stack:
 * compose service names become loopback addresses, DNS discovery of compose services goes, and
 * rule paths become absolute. Everything else is kept, so the two setups run the same
 * configuration.
 */
export function renderPrometheusConfig(
  root: string,
  targets: PrometheusTargets,
  overrides: { scrapeInterval?: string; evaluationInterval?: string } = {},
): string {
  const dir = join(root, 'prometheus');
  const config = parse(readFileSync(join(dir, 'prometheus.yml'), 'utf8')) as PrometheusYaml;
  const rename: Record<string, string> = {
    'otel-collector:8888': targets.collectorMetrics,
    'alertmanager:9093': targets.alertmanager,
    'localhost:9090': targets.prometheus,
    'blackbox-exporter:9115': targets.blackbox,
    'http://otel-collector:13133/': `http://${targets.collectorHealth}/`,
  };
  const mapTargets = (list: StaticConfig[] | undefined) => {
    for (const entry of list ?? []) {
      if (entry.targets)
        entry.targets = entry.targets.flatMap((target) => {
          const demo = demoProbe(target, targets.demo ?? {});
          return demo === undefined ? [rename[target] ?? target] : demo;
        });
    }
    // A static config whose every target was a demo service that does not run goes entirely.
    return list?.filter((entry) => !entry.targets || entry.targets.length > 0);
  };
  for (const manager of config.alerting?.alertmanagers ?? []) mapTargets(manager.static_configs);
  for (const job of config.scrape_configs ?? []) {
    // DNS discovery finds compose services by name (the scale-out Collectors); natively those
    // names do not exist, and Prometheus would only log failed lookups.
    delete job.dns_sd_configs;
    const kept = mapTargets(job.static_configs);
    if (kept) job.static_configs = kept;
    // Probe jobs name the exporter in a relabel replacement rather than in their targets.
    for (const relabel of job.relabel_configs ?? []) {
      if (relabel.replacement) relabel.replacement = rename[relabel.replacement] ?? relabel.replacement;
    }
  }
  config.rule_files = (config.rule_files ?? []).map((file) => (isAbsolute(file) ? file : join(dir, file)));
  config.global = {
    ...config.global,
    ...(overrides.scrapeInterval ? { scrape_interval: overrides.scrapeInterval } : {}),
    ...(overrides.evaluationInterval ? { evaluation_interval: overrides.evaluationInterval } : {}),
  };
  return stringify(config);
}

/**
 * For a probe URL naming a demo service by its compose address (`http://orders-api:3000/…`): the
 * same URL on the service's native address when it runs (`[url]`), or `[]` when it does not.
 * `undefined` for any other target.
 */
function demoProbe(target: string, running: Partial<Record<DemoServiceName, string>>): string[] | undefined {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return undefined;
  }
  const name = DEMO_SERVICE_NAMES.find((n) => url.host === `${n}:${DEMO_SERVICES[n].port}`);
  if (name === undefined) return undefined;
  const native = running[name];
  if (native === undefined) return [];
  url.host = native;
  return [url.toString()];
}

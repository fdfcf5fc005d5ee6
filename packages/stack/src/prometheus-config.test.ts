import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderPrometheusConfig } from './prometheus-config.js';

describe('renderPrometheusConfig', () => {
  it('replaces compose service names with loopback targets, drops DNS discovery and anchors rule paths', () => {
    const root = mkdtempSync(join(tmpdir(), 'otelkit-render-'));
    mkdirSync(join(root, 'prometheus'));
    writeFileSync(
      join(root, 'prometheus', 'prometheus.yml'),
      `global: {scrape_interval: 15s}
otlp: {keep_identifying_resource_attributes: true}
alerting: {alertmanagers: [{static_configs: [{targets: ['alertmanager:9093']}]}]}
rule_files: [rules/*.yml]
scrape_configs:
  - {job_name: otel-collector, static_configs: [{targets: ['otel-collector:8888']}],
     dns_sd_configs: [{names: [otel-agent], type: A, port: 8888}]}
  - {job_name: prometheus, static_configs: [{targets: ['localhost:9090']}]}
  - {job_name: other, static_configs: [{targets: ['db:5432']}]}
`,
    );
    const rendered = parse(
      renderPrometheusConfig(
        root,
        {
          prometheus: '127.0.0.1:1',
          collectorMetrics: '127.0.0.1:2',
          alertmanager: '127.0.0.1:3',
          blackbox: '127.0.0.1:4',
          collectorHealth: '127.0.0.1:5',
        },
        { scrapeInterval: '1s' },
      ),
    );
    expect(rendered.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['127.0.0.1:3']);
    expect(
      rendered.scrape_configs.map(
        (j: { static_configs: { targets: string[] }[] }) => j.static_configs[0]?.targets[0],
      ),
    ).toEqual(['127.0.0.1:2', '127.0.0.1:1', 'db:5432']);
    // Compose service names found by DNS do not exist natively.
    expect(rendered.scrape_configs[0].dns_sd_configs).toBeUndefined();
    expect(rendered.rule_files).toEqual([join(root, 'prometheus', 'rules/*.yml')]);
    expect(rendered.global.scrape_interval).toBe('1s');
    expect(rendered.otlp).toEqual({ keep_identifying_resource_attributes: true });
  });

  describe('blackbox probes of the demo services', () => {
    const root = mkdtempSync(join(tmpdir(), 'otelkit-render-probes-'));
    mkdirSync(join(root, 'prometheus'));
    // The blackbox-http job as prometheus/prometheus.yml writes it for docker compose.
    writeFileSync(
      join(root, 'prometheus', 'prometheus.yml'),
      `scrape_configs:
  - job_name: blackbox-http
    metrics_path: /probe
    static_configs:
      - targets: ["http://otel-collector:13133/"]
        labels: {service: otelkit-collector}
      - targets: ["http://orders-api:3000/"]
        labels: {service: orders-api}
      - targets: ["http://accounts-api:3002/health/ready", "http://example.com:3002/health/ready"]
        labels: {service: accounts-api}
    relabel_configs:
      - {target_label: __address__, replacement: "blackbox-exporter:9115"}
`,
    );
    const targets = {
      prometheus: '127.0.0.1:1',
      collectorMetrics: '127.0.0.1:2',
      alertmanager: '127.0.0.1:3',
      blackbox: '127.0.0.1:4',
      collectorHealth: '127.0.0.1:5',
    };
    type Job = {
      static_configs: { targets: string[]; labels: { service: string } }[];
      relabel_configs: { replacement: string }[];
    };
    const probes = (demo?: Record<string, string>) => {
      const [job] = parse(renderPrometheusConfig(root, demo ? { ...targets, demo } : targets))
        .scrape_configs as Job[];
      return {
        relabel: job?.relabel_configs[0]?.replacement,
        byService: Object.fromEntries((job?.static_configs ?? []).map((c) => [c.labels.service, c.targets])),
      };
    };

    it('point at the native demo services when the demo runs, keeping path and labels', () => {
      const rendered = probes({ 'orders-api': '127.0.0.1:3100', 'accounts-api': '127.0.0.1:3102' });
      expect(rendered.byService).toEqual({
        'otelkit-collector': ['http://127.0.0.1:5/'],
        'orders-api': ['http://127.0.0.1:3100/'],
        'accounts-api': ['http://127.0.0.1:3102/health/ready', 'http://example.com:3002/health/ready'],
      });
      expect(rendered.relabel).toBe('127.0.0.1:4');
    });

    it("cover every demo service prometheus/prometheus.yml probes, in the repository's own file", () => {
      const repo = join(import.meta.dirname, '..', '..', '..');
      const blackbox = (demo?: Record<string, string>) =>
        (
          parse(renderPrometheusConfig(repo, demo ? { ...targets, demo } : targets))
            .scrape_configs as (Job & {
            job_name: string;
          })[]
        )
          .find((j) => j.job_name === 'blackbox-http')
          ?.static_configs.flatMap((c) => c.targets);
      expect(blackbox({ 'orders-api': '127.0.0.1:3100', 'accounts-api': '127.0.0.1:3102' })).toEqual([
        'http://127.0.0.1:5/',
        'http://127.0.0.1:3100/',
        'http://127.0.0.1:3102/health/ready',
      ]);
      expect(blackbox()).toEqual(['http://127.0.0.1:5/']);
    });

    it('are dropped when the demo does not run, so EndpointDown stays quiet', () => {
      expect(probes().byService).toEqual({
        'otelkit-collector': ['http://127.0.0.1:5/'],
        'accounts-api': ['http://example.com:3002/health/ready'],
      });
      expect(probes({ 'orders-api': '127.0.0.1:3100' }).byService).toEqual({
        'otelkit-collector': ['http://127.0.0.1:5/'],
        'orders-api': ['http://127.0.0.1:3100/'],
        'accounts-api': ['http://example.com:3002/health/ready'],
      });
    });
  });
});

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderPrometheusConfig } from './prometheus-config.js';

describe('renderPrometheusConfig', () => {
  it('replaces compose service names with loopback targets and anchors rule paths', () => {
    const root = mkdtempSync(join(tmpdir(), 'otelkit-render-'));
    mkdirSync(join(root, 'prometheus'));
    writeFileSync(
      join(root, 'prometheus', 'prometheus.yml'),
      `global: {scrape_interval: 15s}
otlp: {keep_identifying_resource_attributes: true}
alerting: {alertmanagers: [{static_configs: [{targets: ['alertmanager:9093']}]}]}
rule_files: [rules/*.yml]
scrape_configs:
  - {job_name: otel-collector, static_configs: [{targets: ['otel-collector:8888']}]}
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
    expect(rendered.rule_files).toEqual([join(root, 'prometheus', 'rules/*.yml')]);
    expect(rendered.global.scrape_interval).toBe('1s');
    expect(rendered.otlp).toEqual({ keep_identifying_resource_attributes: true });
  });
});

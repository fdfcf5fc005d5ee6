import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanMetrics } from '@otelkit/conventions';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  labelValuesQuery,
  loadDashboards as load,
  metricNames,
  queriesOf,
} from '../packages/dashboards/src/queries.js';
import { readEnvironment } from '../packages/node/src/config/env.js';
import { CONVENTION_METRICS } from './helpers/known-metrics.js';

const DASHBOARD_DIR = join(import.meta.dirname, '../grafana/dashboards');
const loadDashboards = () => load(DASHBOARD_DIR);

const ALLOWED_UIDS = new Set(['prometheus', 'loki', 'tempo', '-- Grafana --', '-- Mixed --']);

/**
 * Metric names a dashboard may use: the ones @otelkit/conventions defines, the OpenTelemetry
 * Node runtime / HTTP / SDK semantic-convention metrics as Prometheus stores them, and Prometheus' own
 * `up` and `target_info`.
 */
const KNOWN_METRICS = new Set<string>([
  ...CONVENTION_METRICS,
  ...recordedNames(),
  'nodejs_eventloop_delay_p99_seconds',
  'nodejs_eventloop_utilization_ratio',
  'v8js_memory_heap_used_bytes',
  'v8js_gc_duration_seconds_bucket',
  'v8js_gc_duration_seconds_count',
  'v8js_gc_duration_seconds_sum',
  'http_server_request_duration_seconds_bucket',
  'http_server_request_duration_seconds_count',
  // The SDK's batch processors about themselves (semantic conventions otel.sdk.processor.*).
  ...['span', 'log'].flatMap((kind) => [
    `otel_sdk_processor_${kind}_processed_total`,
    `otel_sdk_processor_${kind}_queue_size`,
    `otel_sdk_processor_${kind}_queue_capacity`,
  ]),
  'up',
  'target_info',
]);

/** The series names the rules in prometheus/rules/ record. */
function recordedNames(): string[] {
  const dir = join(import.meta.dirname, '../prometheus/rules');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .flatMap((f) =>
      [...readFileSync(join(dir, f), 'utf8').matchAll(/^\s*- record: (\S+)$/gm)].map((m) => m[1] ?? ''),
    );
}

/** Every `datasource` value anywhere in a dashboard (panels, targets, variables, annotations). */
function datasourcesOf(node: unknown, found: unknown[] = []): unknown[] {
  if (Array.isArray(node)) for (const item of node) datasourcesOf(item, found);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'datasource') found.push(value);
      else datasourcesOf(value, found);
    }
  }
  return found;
}

describe('generated Grafana dashboards (grafana/dashboards/*.json)', () => {
  const dashboards = loadDashboards();

  it('exist, one file per uid, each saying it is generated', () => {
    expect(dashboards.length).toBeGreaterThanOrEqual(8);
    for (const { file, json } of dashboards) {
      expect(file).toBe(`${json.uid}.json`);
      expect(Object.keys(json)[0]).toBe('__generated');
      expect(String(json.description)).toContain('do not edit');
    }
  });

  it('have unique uids and titles', () => {
    const uids = dashboards.map((d) => d.json.uid);
    const titles = dashboards.map((d) => d.json.title);
    expect(new Set(uids).size).toBe(uids.length);
    expect(new Set(titles).size).toBe(titles.length);
  });

  it('refer only to the provisioned data source uids', () => {
    for (const { file, json } of dashboards) {
      const refs = datasourcesOf(json);
      expect(refs.length, file).toBeGreaterThan(0);
      for (const ref of refs) {
        expect(typeof ref, `${file}: datasource must be a {type, uid} reference`).toBe('object');
        const uid = (ref as { uid?: unknown }).uid;
        expect(ALLOWED_UIDS.has(String(uid)), `${file}: datasource uid ${String(uid)}`).toBe(true);
      }
    }
  });

  it('lay panels out inside the 24-column grid without overlaps, every panel with a query', () => {
    for (const { file, json } of dashboards) {
      const cells = new Set<string>();
      for (const panel of json.panels) {
        const { x, y, w, h } = panel.gridPos;
        expect(x + w, `${file}: "${panel.title}" overflows the grid`).toBeLessThanOrEqual(24);
        for (let i = x; i < x + w; i++)
          for (let j = y; j < y + h; j++) {
            expect(cells.has(`${i},${j}`), `${file}: "${panel.title}" overlaps another panel`).toBe(false);
            cells.add(`${i},${j}`);
          }
        expect(panel.targets?.length ?? 0, `${file}: "${panel.title}" has no query`).toBeGreaterThan(0);
      }
    }
  });

  it('offer service, route and page template variables', () => {
    const variables = new Set(dashboards.flatMap((d) => (d.json.templating?.list ?? []).map((v) => v.name)));
    for (const name of ['service', 'route', 'page']) expect(variables).toContain(name);
  });

  it('give every "All" option a value Loki accepts where a log query uses it: it refuses an empty-compatible selector', () => {
    const all = dashboards.flatMap((d) =>
      (d.json.templating?.list ?? []).filter((v) => v.includeAll).map((v) => [d, v] as const),
    );
    expect(all.length).toBeGreaterThan(3);
    let inLogQueries = 0;
    for (const [dashboard, variable] of all) {
      const where = `${dashboard.file}: $${variable.name}`;
      expect(variable.allValue, `${where} needs an explicit allValue`).toBeDefined();
      const usedByLoki = queriesOf(dashboard.json).some(
        (q) => q.language === 'logql' && new RegExp(`\\$${variable.name}\\b`).test(q.expr),
      );
      if (!usedByLoki) continue;
      inLogQueries++;
      expect(new RegExp(`^(?:${variable.allValue})$`).test(''), where).toBe(false);
    }
    expect(inLogQueries).toBeGreaterThanOrEqual(2);
  });

  it('let "All" of the route variable match series without a route: node:http servers have none', () => {
    const detail = dashboards.find((d) => d.file === 'otelkit-service-detail.json');
    const route = detail?.json.templating?.list?.find((v) => v.name === 'route');
    expect(route?.allValue).toBeDefined();
    expect(new RegExp(`^(?:${route?.allValue})$`).test('')).toBe(true);
  });

  it('find a service by its name when service.namespace made its Prometheus job "namespace/name"', () => {
    const jobMatchers = dashboards.flatMap((d) =>
      queriesOf(d.json)
        .filter((q) => q.language === 'promql')
        .flatMap((q) => [...q.expr.matchAll(/\bjob=~"([^"]*\$service[^"]*)"/g)].map((m) => [d.file, m[1]])),
    );
    expect(jobMatchers.length).toBeGreaterThan(10);
    for (const [file, matcher] of jobMatchers) expect(matcher, file).toBe('(.+/)?$service');
    const jobVariables = dashboards.flatMap((d) =>
      (d.json.templating?.list ?? [])
        .filter((v) => labelValuesQuery(v.query)?.label === 'job')
        .map((v) => [d.file, v] as const),
    );
    expect(jobVariables.length).toBe(3);
    for (const [file, variable] of jobVariables) {
      // Grafana's variable regex: the named group `value` is what the panels get.
      const regex = new RegExp(String(variable.regex).replace(/^\/|\/$/g, ''));
      expect(regex.exec('shop/billing-api')?.groups?.value, file).toBe('billing-api');
      expect(regex.exec('billing-api')?.groups?.value, file).toBe('billing-api');
    }
  });

  it('ask Prometheus for the trace exemplars of every span-duration panel', () => {
    const targets = dashboards.flatMap((d) =>
      d.json.panels.flatMap((p) => (p.targets ?? []).map((t) => [`${d.file}: ${p.title}`, t] as const)),
    );
    const latency = targets.filter(([, t]) => t.expr?.includes(SpanMetrics.durationBucket) && !t.instant);
    expect(latency.length).toBeGreaterThan(2);
    for (const [where, target] of latency) expect(target.exemplar, where).toBe(true);
  });

  it('use only metric names that conventions define or OpenTelemetry / Prometheus document', () => {
    const used = new Set<string>();
    for (const query of dashboards.flatMap((d) => queriesOf(d.json)))
      if (query.language === 'promql') for (const name of metricNames(query.expr)) used.add(name);
    expect(used.size).toBeGreaterThan(10);
    expect([...used].filter((name) => !KNOWN_METRICS.has(name))).toEqual([]);
  });

  it('finds metric names in PromQL (the check above can fail)', () => {
    expect(
      metricNames(
        'sum by (job) (rate(foo_total{a="b", c=~"d"}[$__rate_interval])) / scalar(sum(up)) or vector(0) * on(x) group_left bar',
      ),
    ).toEqual(['foo_total', 'up', 'bar']);
  });
});

describe('Grafana data sources (grafana/provisioning/datasources)', () => {
  it('give rate() windows room for two samples of a metric the SDKs push at their default interval', () => {
    const file = join(import.meta.dirname, '../grafana/provisioning/datasources/datasources.yaml');
    const { datasources } = parse(readFileSync(file, 'utf8')) as {
      datasources: { uid: string; jsonData?: { timeInterval?: string } }[];
    };
    const interval = datasources.find((d) => d.uid === 'prometheus')?.jsonData?.timeInterval ?? '';
    const seconds = Number(/^(\d+)s$/.exec(interval)?.[1]);
    // Grafana's $__rate_interval is at least 4x timeInterval; the SDKs' default push interval must
    // fit in it twice, or rate() over an SDK metric has one sample and the panel says "No data".
    const pushMs = readEnvironment({}).config.metricExportIntervalMs;
    expect(pushMs).toBe(60_000);
    expect(4 * seconds * 1000).toBeGreaterThanOrEqual(2 * pushMs);
  });
});

describe('dashboards as code', () => {
  it('regenerate from packages/dashboards with no diff against the committed JSON', () => {
    const out = mkdtempSync(join(tmpdir(), 'otelkit-dashboards-'));
    try {
      const root = join(import.meta.dirname, '..');
      execFileSync(
        process.execPath,
        [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'packages/dashboards/src/generate.ts'), out],
        { cwd: root, stdio: 'pipe' },
      );
      const generated = readdirSync(out).sort();
      const committed = readdirSync(DASHBOARD_DIR)
        .filter((f) => f.endsWith('.json'))
        .sort();
      expect(committed).toEqual(generated);
      for (const file of generated) {
        const fresh = readFileSync(join(out, file), 'utf8');
        const onDisk = readFileSync(join(DASHBOARD_DIR, file), 'utf8');
        expect(onDisk, `grafana/dashboards/${file} differs from what packages/dashboards generates`).toBe(
          fresh,
        );
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

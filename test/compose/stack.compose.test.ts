import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SpanMetrics } from '@otelkit/conventions';
import { repoRoot } from '@otelkit/stack';
import { DockerComposeEnvironment, type StartedDockerComposeEnvironment, Wait } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { eventually } from '../helpers/poll.js';
import { query } from '../helpers/prometheus.js';
import { findDockerEngine } from './docker-engine.js';

// The whole docker compose stack, end to end: `docker compose up --build` of docker-compose.yml as
// users run it, then every backend read through its own API. Needs a Docker engine; without one
// the suite is skipped and says why (test/compose-config.test.ts checks the file without Docker).
// Its compose project name is random, but the published host ports are the file's (127.0.0.1:3000,
// :3300, :9090, ...), so they must be free, and the engine local (a remote DOCKER_HOST would bind
// them on the remote machine's loopback).

const engine = findDockerEngine();
if (!engine.available) console.warn(`test/compose/stack.compose.test.ts skipped: ${engine.reason}`);

const root = repoRoot();
const ADMIN_PASSWORD = randomBytes(12).toString('hex');

let stack: StartedDockerComposeEnvironment;

/** Base URL of a service's published port, as Docker mapped it. */
function url(container: string, port: number): string {
  const started = stack.getContainer(container);
  return `http://${started.getHost()}:${started.getMappedPort(port)}`;
}

async function json<T>(target: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(target, init);
  if (!response.ok) throw new Error(`${target}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

const grafanaAuth = { Authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}` };

function grafana<T>(path: string): Promise<T> {
  return json<T>(`${url('grafana-1', 3000)}${path}`, { headers: grafanaAuth });
}

describe.skipIf(!engine.available)(
  `docker compose stack end to end${engine.available ? '' : ` (skipped: ${engine.reason})`}`,
  () => {
    beforeAll(async () => {
      stack = await new DockerComposeEnvironment(root, 'docker-compose.yml')
        .withBuild()
        .withEnvironment({
          GRAFANA_ADMIN_PASSWORD: ADMIN_PASSWORD,
          // Keep every trace, so the one this test looks for is not sampled away.
          OTELKIT_TRACE_SAMPLE_PERCENT: '100',
        })
        // Loki, Tempo and the Collector have no shell for an in-container port check.
        .withWaitStrategy('otel-collector-1', Wait.forHttp('/', 13133))
        .withWaitStrategy('loki-1', Wait.forHttp('/ready', 3100))
        .withWaitStrategy('tempo-1', Wait.forHttp('/ready', 3200))
        .withWaitStrategy('prometheus-1', Wait.forHealthCheck())
        .withWaitStrategy('alertmanager-1', Wait.forHealthCheck())
        .withWaitStrategy('blackbox-exporter-1', Wait.forHealthCheck())
        .withWaitStrategy('grafana-1', Wait.forHealthCheck())
        .withWaitStrategy('redis-1', Wait.forHealthCheck())
        .withWaitStrategy('orders-api-1', Wait.forHealthCheck())
        .withWaitStrategy('inventory-api-1', Wait.forHealthCheck())
        .withWaitStrategy('accounts-api-1', Wait.forHealthCheck())
        .withStartupTimeout(300_000)
        .up();
    }, 1_200_000);

    afterAll(async () => {
      await stack?.down({ removeVolumes: true });
    }, 300_000);

    it('finds an orders-api trace in Tempo by TraceQL, and its logs in Loki by trace id', async () => {
      const orders = url('orders-api-1', 3000);
      const tempo = url('tempo-1', 3200);
      const loki = url('loki-1', 3100);
      const started = Math.floor(Date.now() / 1000) - 60;
      // Cache misses go to inventory-api and log "order loaded from inventory" inside the request.
      for (let i = 0; i < 5; i++)
        await fetch(`${orders}/api/orders/compose-${randomBytes(4).toString('hex')}`);

      const traceql = '{ resource.service.name = "orders-api" && span.http.route = "/api/orders/:id" }';
      const found = await eventually(
        'a trace in Tempo with its logs in Loki',
        async () => {
          const end = Math.floor(Date.now() / 1000) + 60;
          const search = await json<{ traces?: { traceID: string }[] }>(
            `${tempo}/api/search?${new URLSearchParams({ q: traceql, start: String(started), end: String(end), limit: '20' })}`,
          );
          for (const { traceID } of search.traces ?? []) {
            // Tempo drops leading zeros of trace ids in search results; OTLP logs keep all 32 digits.
            const traceId = traceID.padStart(32, '0');
            const logs = await json<{ data: { result: { values: [string, string][] }[] } }>(
              `${loki}/loki/api/v1/query_range?${new URLSearchParams({
                query: `{service_name="orders-api"} | trace_id="${traceId}"`,
                start: `${started}000000000`,
                end: `${end}000000000`,
                limit: '10',
              })}`,
            );
            const lines = logs.data.result.flatMap((stream) => stream.values.map(([, line]) => line));
            if (lines.length > 0) return { traceId, lines };
          }
          return undefined;
        },
        { timeoutMs: 180_000, intervalMs: 5_000 },
      );
      expect(found.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(found.lines.join('\n')).toMatch(/order/);
    });

    it('has the RED metrics of the demo services in Prometheus', async () => {
      const prometheus = url('prometheus-1', 9090);
      const samples = await eventually(
        'span metrics of orders-api',
        async () => {
          const result = await query(prometheus, `sum by (service_name) (${SpanMetrics.calls})`);
          return result.some((s) => s.metric.service_name === 'orders-api' && s.value > 0)
            ? result
            : undefined;
        },
        { timeoutMs: 180_000, intervalMs: 5_000 },
      );
      expect(samples.map((s) => s.metric.service_name)).toEqual(
        expect.arrayContaining(['orders-api', 'inventory-api', 'accounts-api']),
      );
      const up = await query(prometheus, 'up{job="otel-collector"}');
      expect(up.map((s) => s.value)).toEqual([1]);
    });

    it('reports every Grafana data source healthy through the Grafana API', async () => {
      const datasources = await grafana<{ uid: string; type: string }[]>('/api/datasources');
      expect(datasources.map((d) => d.uid).sort()).toEqual(['alertmanager', 'loki', 'prometheus', 'tempo']);
      for (const datasource of datasources) {
        if (datasource.type === 'alertmanager') {
          // Grafana's Alertmanager plugin is frontend-only (no "backend" in its plugin.json), so
          // /health has nothing to call; its "Save & test" reads /api/v2/status through the data
          // source proxy, as done here.
          const status = await grafana<{ cluster?: { status?: string } }>(
            `/api/datasources/proxy/uid/${datasource.uid}/api/v2/status`,
          );
          expect(status.cluster?.status, datasource.uid).toBeDefined();
          continue;
        }
        const health = await eventually(
          `${datasource.uid} health`,
          async () => {
            const result = await grafana<{ status: string; message: string }>(
              `/api/datasources/uid/${datasource.uid}/health`,
            );
            return result.status === 'OK' ? result : undefined;
          },
          { timeoutMs: 120_000, intervalMs: 5_000 },
        );
        expect(health.status, `${datasource.uid}: ${health.message}`).toBe('OK');
      }
    });

    it('provisions every dashboard of grafana/dashboards', async () => {
      const dir = join(root, 'grafana', 'dashboards');
      const expected = readdirSync(dir)
        .filter((file) => file.endsWith('.json'))
        .map((file) => (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { uid: string }).uid)
        .sort();
      expect(expected.length).toBeGreaterThan(0);
      const found = await grafana<{ uid: string; folderUid?: string }[]>(
        '/api/search?type=dash-db&limit=5000',
      );
      expect(found.map((d) => d.uid).sort()).toEqual(expected);
      expect(new Set(found.map((d) => d.folderUid))).toEqual(new Set(['otelkit']));
    });

    it('loads every rule group of prometheus/rules', async () => {
      const dir = join(root, 'prometheus', 'rules');
      const expected = readdirSync(dir)
        .filter((file) => file.endsWith('.yml'))
        .flatMap(
          (file) => (parse(readFileSync(join(dir, file), 'utf8')) as { groups: { name: string }[] }).groups,
        )
        .map((group) => group.name)
        .sort();
      const rules = await json<{ data: { groups: { name: string; rules: { health: string }[] }[] } }>(
        `${url('prometheus-1', 9090)}/api/v1/rules`,
      );
      expect(rules.data.groups.map((group) => group.name).sort()).toEqual(expected);
      for (const group of rules.data.groups) {
        for (const rule of group.rules) expect(rule.health, group.name).not.toBe('err');
      }
    });

    it('delivers the always-firing Watchdog alert to Alertmanager', async () => {
      const alertmanager = url('alertmanager-1', 9093);
      const watchdog = await eventually(
        'Watchdog in Alertmanager',
        async () => {
          const alerts = await json<{ labels: Record<string, string>; status: { state: string } }[]>(
            `${alertmanager}/api/v2/alerts`,
          );
          return alerts.find((alert) => alert.labels.alertname === 'Watchdog');
        },
        { timeoutMs: 180_000, intervalMs: 5_000 },
      );
      expect(watchdog.status.state).toBe('active');
    });
  },
);

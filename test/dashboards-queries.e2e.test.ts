import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parser as logqlParser } from '@grafana/lezer-logql';
import { parser as traceqlParser } from '@grafana/lezer-traceql';
import type { Stack } from '@otelkit/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { availabilityBudget } from '../packages/dashboards/src/names.js';
import {
  type DashboardJson,
  type DashboardQuery,
  fillVariables,
  labelValuesQuery,
  loadDashboards,
  queriesOf,
} from '../packages/dashboards/src/queries.js';
import { type ExampleTraffic, startExampleTraffic, WEB_APP } from './helpers/example-traffic.js';
import { logql, logStreams } from './helpers/loki.js';
import { eventually } from './helpers/poll.js';
import { query } from './helpers/prometheus.js';
import { OtlpSpanKind, sinkSpans } from './helpers/sink.js';
import { startTestStack } from './helpers/stack.js';

const DASHBOARD_DIR = join(import.meta.dirname, '../grafana/dashboards');
const DATASOURCES = join(import.meta.dirname, '../grafana/provisioning/datasources/datasources.yaml');
const dashboards = loadDashboards(DASHBOARD_DIR).map((d) => d.json);
const logDir = mkdtempSync(join(tmpdir(), 'otelkit-dashboards-'));
/**
 * Values tried first for a variable, when they exist: the services and pages the traffic exercises
 * most, and accounts-api, the service with the logins, security events and recorded errors.
 */
const PREFERRED = ['orders-esm', '/api/orders/:id', '/checkout', WEB_APP, 'accounts-api'];

/** True when lezer parsed `text` without an error node. */
function parsesCleanly(parser: typeof logqlParser, text: string): boolean {
  let clean = true;
  parser.parse(text).iterate({
    enter: (node) => {
      if (node.type.isError) clean = false;
    },
  });
  return clean;
}

/** Placeholder values for variables in LogQL / TraceQL, which are only parsed. */
function placeholders(board: DashboardJson): Record<string, string> {
  return Object.fromEntries((board.templating?.list ?? []).map((v) => [v.name, 'orders-esm']));
}

/** The candidate values of each of `board`'s variables, resolved in order against Prometheus. */
async function variableChoices(prometheus: string, board: DashboardJson, chosen: Record<string, string>) {
  const variables = board.templating?.list ?? [];
  const combos: Record<string, string>[] = [];
  async function walk(i: number, acc: Record<string, string>): Promise<void> {
    if (combos.length >= 12) return;
    const variable = variables[i];
    if (!variable) {
      combos.push({ ...acc });
      return;
    }
    const source = labelValuesQuery(variable.query);
    if (!source) throw new Error(`${board.uid}: variable ${variable.name} is not a label_values() query`);
    const series = await query(
      prometheus,
      `group by (${source.label}) (${fillVariables(source.series, acc)})`,
    );
    const values = series
      .map((s) => s.metric[source.label])
      .filter((v): v is string => v !== undefined)
      .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    if (variable.includeAll) values.push(variable.allValue ?? '.*');
    for (const value of values.slice(0, 4)) await walk(i + 1, { ...acc, [variable.name]: value, ...chosen });
  }
  await walk(0, {});
  return combos;
}
const rank = (value: string) => (PREFERRED.includes(value) ? PREFERRED.indexOf(value) : PREFERRED.length);

/** Runs every LogQL query with `values` in Loki; returns the empty ones. Loki's refusals throw. */
async function emptyLogQueries(loki: string, queries: DashboardQuery[], values: Record<string, string>) {
  const empty: string[] = [];
  for (const q of queries) {
    const expr = fillVariables(q.expr, values);
    if ((await logql(loki, expr)).length === 0) empty.push(`"${q.panel}": ${expr}`);
  }
  return empty;
}

interface Datasource {
  uid: string;
  jsonData?: {
    derivedFields?: { matcherType?: string; matcherRegex?: string; datasourceUid?: string }[];
    tracesToLogsV2?: { query?: string; tags?: { key: string; value: string }[] };
  };
}

/** A provisioned data source; `$$` is the provisioning file's escape for a literal `$`. */
function datasource(uid: string): Datasource {
  const file = parse(readFileSync(DATASOURCES, 'utf8').replaceAll('$$', '$')) as {
    datasources: Datasource[];
  };
  const found = file.datasources.find((d) => d.uid === uid);
  if (!found) throw new Error(`datasources.yaml has no data source "${uid}"`);
  return found;
}

/** Runs every PromQL query with `values`; returns the empty ones. */
async function emptyQueries(prometheus: string, queries: DashboardQuery[], values: Record<string, string>) {
  const empty: string[] = [];
  for (const q of queries) {
    const expr = fillVariables(q.expr, values);
    const samples = await query(prometheus, expr);
    if (!samples.some((s) => Number.isFinite(s.value))) empty.push(`"${q.panel}": ${expr}`);
  }
  return empty;
}

describe('every dashboard query', () => {
  const all = dashboards.flatMap((d) => queriesOf(d).map((q) => ({ ...q, board: d })));

  it('LogQL parses with @grafana/lezer-logql and TraceQL with @grafana/lezer-traceql', () => {
    // The checks can fail: broken queries do produce error nodes.
    expect(parsesCleanly(logqlParser, '{service_name="x"} |= ')).toBe(false);
    expect(parsesCleanly(traceqlParser, '{resource.service.name=}')).toBe(false);
    const logql = all.filter((q) => q.language === 'logql');
    const traceql = all.filter((q) => q.language === 'traceql');
    expect(logql.length).toBeGreaterThan(0);
    expect(traceql.length).toBeGreaterThan(0);
    for (const q of [...logql, ...traceql]) {
      const text = fillVariables(q.expr, placeholders(q.board));
      const parser = q.language === 'logql' ? logqlParser : traceqlParser;
      expect(parsesCleanly(parser, text), `${q.dashboard} "${q.panel}": ${q.language} ${text}`).toBe(true);
      console.log(`parsed ${q.language} ${q.dashboard} "${q.panel}": ${text}`);
    }
  });

  describe('PromQL and LogQL against the real Prometheus and Loki after the pipeline carried example traffic', () => {
    let stack: Stack;
    let traffic: ExampleTraffic;
    const loki = () => stack.endpoints.loki ?? '';

    beforeAll(async () => {
      stack = await startTestStack({ logs: 'loki', collectorEnv: { OTELKIT_TRACE_SAMPLE_PERCENT: '100' } });
      traffic = await startExampleTraffic(stack, logDir, 'orders-esm');
    });

    afterAll(async () => {
      await traffic?.stop();
      await stack?.stop();
      rmSync(logDir, { recursive: true, force: true });
    });

    it('divide SLO burn rates by each service’s own budget: its spec’s, else 99.9 %', async () => {
      // inventory-api has a 99.5 % spec in prometheus/slos and no traffic here; orders-esm has
      // traffic and no spec.
      const budgets = await eventually('a budget for both services', async () => {
        const found = await query(
          stack.endpoints.prometheus,
          availabilityBudget('inventory-api|orders-esm', '5m'),
        );
        return found.length === 2 ? found : undefined;
      });
      const byService = Object.fromEntries(budgets.map((b) => [b.metric.service_name, b.value]));
      expect(byService['inventory-api']).toBeCloseTo(0.005, 9);
      expect(byService['orders-esm']).toBeCloseTo(0.001, 9);
    });

    for (const board of dashboards) {
      it(`${board.uid}: every PromQL expression returns at least one series`, async () => {
        const promql = queriesOf(board).filter((q) => q.language === 'promql');
        expect(promql.length).toBeGreaterThan(0);
        // Runtime metrics take ~25 s to appear (the runtime instrumentation waits for 5 samples).
        const values = await eventually(
          `data for every panel of ${board.uid}`,
          async () => {
            const failures: string[] = [];
            for (const combo of await variableChoices(stack.endpoints.prometheus, board, {})) {
              const empty = await emptyQueries(stack.endpoints.prometheus, promql, combo);
              if (empty.length === 0) return combo;
              failures.push(`with ${JSON.stringify(combo)}: no data for\n  ${empty.join('\n  ')}`);
            }
            throw new Error(failures.length ? failures[0] : 'no template variable values yet');
          },
          { timeoutMs: 150_000, intervalMs: 3000 },
        );
        for (const q of promql)
          console.log(
            `${board.uid} ${JSON.stringify(values)} "${q.panel}": ${fillVariables(q.expr, values)}`,
          );
      }, 200_000);
    }

    for (const board of dashboards.filter((d) => queriesOf(d).some((q) => q.language === 'logql'))) {
      it(`${board.uid}: every LogQL expression returns log lines from the real Loki`, async () => {
        const queries = queriesOf(board).filter((q) => q.language === 'logql');
        const values = await eventually(
          `log lines for every log panel of ${board.uid}`,
          async () => {
            const failures: string[] = [];
            for (const combo of await variableChoices(stack.endpoints.prometheus, board, {})) {
              const empty = await emptyLogQueries(loki(), queries, combo);
              if (empty.length === 0) return combo;
              failures.push(`with ${JSON.stringify(combo)}: no log lines for\n  ${empty.join('\n  ')}`);
            }
            throw new Error(failures.length ? failures[0] : 'no template variable values yet');
          },
          { timeoutMs: 120_000, intervalMs: 3000 },
        );
        for (const q of queries)
          console.log(
            `${board.uid} ${JSON.stringify(values)} "${q.panel}": ${fillVariables(q.expr, values)}`,
          );
      }, 150_000);
    }

    it('Loki indexes bounded resource attributes and keeps per-process and per-record ones as metadata', async () => {
      const labels = await eventually('index labels in Loki', async () => {
        const response = await fetch(`${loki()}/loki/api/v1/labels`);
        const names = ((await response.json()) as { data?: string[] }).data ?? [];
        return names.includes('service_name') ? names : undefined;
      });
      expect(labels).toContain('deployment_environment_name');
      // A new UUID per process start, and per-record ids, would each open a new stream.
      for (const name of ['service_instance_id', 'trace_id', 'span_id', 'exception_fingerprint'])
        expect(labels).not.toContain(name);
    });

    it('Tempo’s trace-to-logs query and Loki’s trace link, as provisioned, join a trace and its logs', async () => {
      const link = datasource('tempo').jsonData?.tracesToLogsV2;
      const derived = datasource('loki').jsonData?.derivedFields?.find((f) => f.datasourceUid === 'tempo');
      expect(link?.query).toBeDefined();
      expect(derived).toMatchObject({ matcherType: 'label' });
      const service = 'orders-esm';
      const found = await eventually(
        `the logs of one of ${service}'s traces through the trace-to-logs query`,
        async () => {
          const spans = sinkSpans(stack.endpoints.sinkDir)
            .filter((s) => s.resource['service.name'] === service && s.kind === OtlpSpanKind.server)
            .slice(-20);
          for (const span of spans) {
            // Grafana fills ${__tags} from the span's resource attributes named in `tags`.
            const tags = (link?.tags ?? [])
              .map((tag) => `${tag.value}="${span.resource[tag.key]}"`)
              .join(', ');
            const traceId = span.traceId;
            const expr = (link?.query ?? '')
              .replace(/\$\{__tags\}/g, tags)
              .replace(/\$\{__span\.traceId\}/g, traceId);
            const streams = await logStreams(loki(), expr);
            if (streams.length > 0) return { traceId, expr, streams };
          }
          return undefined;
        },
        { timeoutMs: 60_000, intervalMs: 2000 },
      );
      console.log(`trace-to-logs: ${found.expr} -> ${found.streams.length} streams`);
      for (const { stream, values } of found.streams) {
        expect(values.length).toBeGreaterThan(0);
        expect(stream.service_name).toBe(service);
        // Loki's derived field reads this key back to link each line to its trace.
        expect(stream[derived?.matcherRegex ?? '']).toBe(found.traceId);
      }
    });
  });
});

/**
 * Reading generated dashboards back: their queries by language, the metric names a PromQL
 * expression selects, and Grafana's template variables filled in. Used by the lint, drift and
 * query tests (test/dashboards-*.test.ts); it depends on nothing but Node.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The parts of a dashboard JSON model the checks read. */
export interface DashboardJson {
  uid: string;
  title: string;
  description?: string;
  templating?: { list?: VariableJson[] };
  panels: PanelJson[];
  [key: string]: unknown;
}

/** A template variable. */
export interface VariableJson {
  name: string;
  type: string;
  query?: unknown;
  includeAll?: boolean;
  allValue?: string;
  regex?: string;
  multi?: boolean;
}

/** A panel with its targets. */
export interface PanelJson {
  title: string;
  type: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type?: string; uid?: string };
  targets?: {
    refId?: string;
    expr?: string;
    query?: string;
    queryType?: string;
    exemplar?: boolean;
    instant?: boolean;
    datasource?: { uid?: string };
  }[];
}

/** One query of a dashboard, with where it comes from. */
export interface DashboardQuery {
  dashboard: string;
  panel: string;
  language: 'promql' | 'logql' | 'traceql';
  expr: string;
}

/** Reads every `*.json` dashboard in `dir`. */
export function loadDashboards(dir: string): { file: string; json: DashboardJson }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, json: JSON.parse(readFileSync(join(dir, file), 'utf8')) as DashboardJson }));
}

/** Every query of a dashboard's panels, by the language of its data source. */
export function queriesOf(dashboard: DashboardJson): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  for (const panel of dashboard.panels) {
    for (const target of panel.targets ?? []) {
      const uid = target.datasource?.uid ?? panel.datasource?.uid;
      const base = { dashboard: dashboard.uid, panel: panel.title };
      if (uid === 'prometheus' && target.expr) out.push({ ...base, language: 'promql', expr: target.expr });
      else if (uid === 'loki' && target.expr) out.push({ ...base, language: 'logql', expr: target.expr });
      else if (uid === 'tempo' && target.queryType === 'traceql' && target.query)
        out.push({ ...base, language: 'traceql', expr: target.query });
    }
  }
  return out;
}

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

/** Names of the metrics a PromQL expression selects (in order of first use). */
export function metricNames(promql: string): string[] {
  const stripped = promql
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\[[^\]]*\]/g, '[]')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names: string[] = [];
  for (const match of stripped.matchAll(/(?<![\w:.$])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    const name = match[1] as string;
    if (match[2] === undefined && !KEYWORDS.has(name.toLowerCase()) && !names.includes(name))
      names.push(name);
  }
  return names;
}

/** Grafana's built-in interval variables, as the query tests fill them. */
export const BUILTIN_VARIABLES: Record<string, string> = {
  __rate_interval: '1m',
  __interval: '1m',
  __range: '1h',
  __range_s: '3600',
  __range_ms: '3600000',
};

/** Replaces `$name` and `${name}` in `expr` with `values[name]`; unknown variables are an error. */
export function fillVariables(expr: string, values: Record<string, string>): string {
  const all = { ...BUILTIN_VARIABLES, ...values };
  return expr.replace(
    /\$\{(\w+)(?::\w+)?\}|\$(\w+)/g,
    (whole, braced: string | undefined, bare: string | undefined) => {
      const name = braced ?? bare ?? '';
      const value = all[name];
      if (value === undefined) throw new Error(`unknown template variable ${whole} in ${expr}`);
      return value;
    },
  );
}

/**
 * The series and label a Prometheus `label_values(series, label)` variable query lists, or
 * undefined for other variable queries.
 */
export function labelValuesQuery(query: unknown): { series: string; label: string } | undefined {
  const text = typeof query === 'string' ? query : (query as { query?: unknown } | undefined)?.query;
  if (typeof text !== 'string') return undefined;
  const match = /^label_values\((.+),\s*(\w+)\)$/.exec(text.trim());
  return match ? { series: match[1] as string, label: match[2] as string } : undefined;
}

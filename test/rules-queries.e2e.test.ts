import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stack } from '@otelkit/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type ExampleTraffic, startExampleTraffic } from './helpers/example-traffic.js';
import { eventually } from './helpers/poll.js';
import { query } from './helpers/prometheus.js';
import { startTestStack } from './helpers/stack.js';

const RULES_DIR = join(import.meta.dirname, '../prometheus/rules');
const logDir = mkdtempSync(join(tmpdir(), 'otelkit-rules-'));

/**
 * Alerts whose threshold-free expression may legitimately return nothing after healthy example
 * traffic, each with the reason. Keep this list as short as possible; it is printed.
 */
const EXPECTED_EMPTY: Record<string, string> = {
  // otelcol_exporter_enqueue_failed_* is only created when an exporter's sending queue rejects
  // data because it is full, which healthy traffic never does with the default 1,000,000-item
  // queue. faults.e2e.test.ts overflows a 2,000-item queue and sees this alert fire.
  CollectorDroppingData: 'otelcol_exporter_enqueue_failed_* exists only once a sending queue overflowed',
  // The SDK adds error_type="queue_full" only when a service's export queue overflowed, which the
  // example traffic never does; test/node-runtime.e2e.test.ts overflows one and finds the series.
  ServiceDroppingTelemetry:
    'otel_sdk_processor_*_processed_total{error_type="queue_full"} exists only once an SDK queue overflowed',
};

/**
 * Alerts whose expression Prometheus rejects or cannot satisfy on real data, with a replacement
 * that works. Each entry is checked both ways: the expression in the rule file must still fail
 * (remove the entry once the rule is fixed) and the replacement must return a series. Empty since
 * CollectorReceiverRefusing and NodeHeapNearLimit were fixed.
 */
const KNOWN_BROKEN: Record<string, { error?: string; fixed: string }> = {};

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
}
interface RuleFile {
  groups: { name: string; rules: Rule[] }[];
}

const rules = readdirSync(RULES_DIR)
  .filter((f) => f.endsWith('.yml'))
  .sort()
  .flatMap((file) =>
    (parse(readFileSync(join(RULES_DIR, file), 'utf8')) as RuleFile).groups.flatMap((g) =>
      g.rules.map((r) => ({ ...r, file, group: g.name })),
    ),
  );
const recordNames = [...new Set(rules.flatMap((r) => (r.record ? [r.record] : [])))];
const alerts = rules.filter((r): r is Rule & { alert: string; file: string; group: string } => !!r.alert);

/** Positions in `expr` at paren/brace/bracket depth 0 (outside strings). */
function topLevel(expr: string): boolean[] {
  const top: boolean[] = [];
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i] as string;
    if (quote) {
      if (c === '\\') {
        top.push(false, false);
        i++;
        continue;
      }
      if (c === quote) quote = undefined;
      top.push(false);
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      quote = c;
      top.push(false);
      continue;
    }
    if ('([{'.includes(c)) depth++;
    top.push(depth === 0);
    if (')]}'.includes(c)) depth--;
  }
  return top;
}

/** `expr` without parentheses that enclose all of it. */
function unwrap(expr: string): string {
  let e = expr.trim();
  while (e.startsWith('(') && e.endsWith(')')) {
    const top = topLevel(e);
    // The opening paren closes at the very end only if no position in between is at depth 0.
    if (top.slice(1, -1).some((t) => t)) break;
    e = e.slice(1, -1).trim();
  }
  return e;
}

/** Splits `expr` at top-level occurrences of `pattern` (a regex with the global flag). */
function splitTop(expr: string, pattern: RegExp): string[] {
  const top = topLevel(expr);
  const parts: string[] = [];
  let start = 0;
  for (const m of expr.matchAll(pattern)) {
    const at = m.index ?? 0;
    if (at < start || !top[at]) continue;
    parts.push(expr.slice(start, at));
    start = at + m[0].length;
  }
  parts.push(expr.slice(start));
  return parts.map((p) => p.trim());
}

/**
 * The threshold-free operands of an alert expression: the operands of top-level `and`/`or`/`unless`,
 * each without its comparison (the left-hand side is kept), and `absent(X)` read as `X`.
 */
function thresholdFree(expr: string): string[] {
  const e = unwrap(expr);
  const operands = splitTop(e, /\b(?:and|or|unless)\b(?:\s+on\s*\([^)]*\))?/g);
  if (operands.length > 1) return [...new Set(operands.flatMap(thresholdFree))];
  const [lhs = e] = splitTop(e, /(?:==|!=|>=|<=|>|<)(?!~)(?:\s*bool\b)?/g);
  const left = unwrap(lhs);
  const absent = /^absent\s*\(([\s\S]*)\)$/.exec(left);
  if (
    absent?.[1] &&
    topLevel(left)
      .slice(absent[0].indexOf('(') + 1, -1)
      .every((t) => !t)
  )
    return thresholdFree(absent[1]);
  return [left.replace(/\s+/g, ' ')];
}

/**
 * A fresh stack has no history older than a few minutes, so an operand that reads `offset D`
 * returns nothing now. It is evaluated D later instead (Prometheus accepts a future evaluation
 * time), where its window covers the traffic sent now: what the rule will see D from now.
 */
function offsetSeconds(expr: string): number {
  const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
  let max = 0;
  for (const m of expr.matchAll(/\boffset\s+(\d+)([smhd])\b/g))
    max = Math.max(max, Number(m[1]) * (units[m[2] as string] ?? 0));
  return max;
}

async function seriesCount(prometheus: string, expr: string): Promise<number> {
  const shift = offsetSeconds(expr);
  if (shift === 0) return (await query(prometheus, expr)).filter((s) => !Number.isNaN(s.value)).length;
  const time = Date.now() / 1000 + shift + 5;
  const response = await fetch(
    `${prometheus}/api/v1/query?${new URLSearchParams({ query: expr, time: String(time) })}`,
  );
  const body = (await response.json()) as {
    status: string;
    error?: string;
    data: { result: { value: [number, string] }[] };
  };
  if (body.status !== 'success') throw new Error(`Prometheus query ${expr}: ${body.error}`);
  return body.data.result.filter((r) => !Number.isNaN(Number(r.value[1]))).length;
}

describe('the threshold-free expression parser', () => {
  it('strips comparisons, splits set operators, and reads absent() as its selector', () => {
    expect(thresholdFree('(a / b) > 0.05\nand c >= 0.2')).toEqual(['a / b', 'c']);
    expect(thresholdFree('up{job="x"} == 0 or absent(up{job="x"})')).toEqual(['up{job="x"}']);
    expect(thresholdFree('sum by (j) (rate(m{a=~"5.."}[5m])) > 0')).toEqual([
      'sum by (j) (rate(m{a=~"5.."}[5m]))',
    ]);
    expect(thresholdFree('x > 1 unless on (a, b) (y <= 3 * z / 6)')).toEqual(['x', 'y']);
    expect(thresholdFree('vector(1)')).toEqual(['vector(1)']);
    expect(offsetSeconds('increase(m[1h] offset 15m)')).toBe(900);
  });
});

describe('every recording rule and alert expression against the real Prometheus', () => {
  let stack: Stack;
  let traffic: ExampleTraffic;
  const report: string[] = [];

  /**
   * The exporters retry forever (retry_on_failure.max_elapsed_time: 0), so a stopped backend never
   * yields otelcol_exporter_send_failed_*: only a permanent rejection does. Prometheus answers 400
   * to a sample older than its out-of-order window, and the Collector drops such a batch as failed.
   */
  async function sendRejectedMetric(): Promise<void> {
    const threeHoursAgo = `${Date.now() - 3 * 3600_000}000000`;
    const body = {
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'rules-too-old' } }] },
          scopeMetrics: [
            {
              scope: { name: 'rules-queries-test' },
              metrics: [
                {
                  name: 'rules_test_too_old',
                  gauge: { dataPoints: [{ asDouble: 1, timeUnixNano: threeHoursAgo }] },
                },
              ],
            },
          ],
        },
      ],
    };
    const response = await fetch(`${stack.endpoints.otlpHttp}/v1/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await response.arrayBuffer();
  }

  beforeAll(async () => {
    stack = await startTestStack({ collectorEnv: { OTELKIT_TRACE_SAMPLE_PERCENT: '100' } });
    // The SLO specs (prometheus/slos/*.yaml) name the services orders-api and inventory-api.
    traffic = await startExampleTraffic(stack, logDir, 'orders-api');
    await sendRejectedMetric();
  }, 120_000);

  afterAll(async () => {
    await traffic?.stop();
    await stack?.stop();
    rmSync(logDir, { recursive: true, force: true });
    console.log(`${report.join('\n')}`);
    console.log(
      `KNOWN_BROKEN (${Object.keys(KNOWN_BROKEN).length}):\n${Object.entries(KNOWN_BROKEN)
        .map(([alert, { error, fixed }]) => `  ${alert}: ${error ?? 'returns no series'}; works as: ${fixed}`)
        .join('\n')}`,
    );
    console.log(
      `EXPECTED_EMPTY (${Object.keys(EXPECTED_EMPTY).length}):\n${Object.entries(EXPECTED_EMPTY)
        .map(([alert, why]) => `  ${alert}: ${why}`)
        .join('\n')}`,
    );
  });

  it('reads rule files with recording rules and alerts', () => {
    expect(recordNames.length).toBeGreaterThan(10);
    expect(alerts.length).toBeGreaterThan(15);
    for (const name of [...Object.keys(EXPECTED_EMPTY), ...Object.keys(KNOWN_BROKEN)])
      expect(alerts.map((a) => a.alert)).toContain(name);
  });

  it('every recording rule produces at least one series', { timeout: 200_000 }, async () => {
    const counts = await eventually(
      'a series for every recording rule',
      async () => {
        const result = new Map<string, number>();
        const empty: string[] = [];
        for (const record of recordNames) {
          const n = await seriesCount(stack.endpoints.prometheus, record);
          result.set(record, n);
          if (n === 0) empty.push(record);
        }
        if (empty.length) throw new Error(`no series yet for ${empty.join(', ')}`);
        return result;
      },
      { timeoutMs: 150_000, intervalMs: 3000 },
    );
    for (const [record, n] of counts) report.push(`record ${record}: ${n} series`);
    // The SLO rules are per service: each service's SLO series is there.
    for (const [service, slo] of [
      ['orders-api', 'availability'],
      ['orders-api', 'latency'],
      ['inventory-api', 'availability'],
    ])
      for (const window of ['5m', '30m', '1h', '2h', '6h', '1d', '3d']) {
        const expr = `slo:sli_error:ratio_rate${window}{service_name="${service}", slo="${slo}"}`;
        const n = await seriesCount(stack.endpoints.prometheus, expr);
        report.push(`slo ${expr}: ${n} series`);
        expect(n, expr).toBeGreaterThan(0);
      }
  });

  it('every alert expression, its threshold comparison taken off, returns at least one series', {
    timeout: 200_000,
  }, async () => {
    const checks = alerts.flatMap((a) =>
      thresholdFree(a.expr).map((expr) => ({ alert: a.alert, expr, key: `${a.alert}\0${expr}` })),
    );
    const seen = new Set<string>();
    const unique = checks.filter((c) => !seen.has(c.key) && seen.add(c.key));
    await sendRejectedMetric();
    const counts = await eventually(
      'a series for every threshold-free alert expression',
      async () => {
        const result = new Map<string, number | string>();
        const empty: string[] = [];
        for (const c of unique) {
          const n = await seriesCount(stack.endpoints.prometheus, c.expr).catch((e: Error) => e.message);
          result.set(c.key, n);
          if (c.alert in KNOWN_BROKEN || c.alert in EXPECTED_EMPTY) continue;
          if (typeof n === 'string') empty.push(`${c.alert}: ${c.expr}: ERROR ${n}`);
          else if (n === 0) empty.push(`${c.alert}: ${c.expr}`);
        }
        for (const [alert, { fixed }] of Object.entries(KNOWN_BROKEN)) {
          const n = await seriesCount(stack.endpoints.prometheus, fixed).catch((e: Error) => e.message);
          result.set(`${alert}\0fixed`, n);
          if (n === 0 || typeof n === 'string') empty.push(`${alert} (replacement): ${fixed}: ${n}`);
        }
        if (empty.length) throw new Error(`no series yet for\n  ${empty.join('\n  ')}`);
        return result;
      },
      { timeoutMs: 150_000, intervalMs: 3000 },
    );
    for (const c of unique) {
      const n = counts.get(c.key) ?? 0;
      const shift = offsetSeconds(c.expr);
      const note = shift ? ` (evaluated ${shift}s ahead for its offset)` : '';
      const allowed =
        c.alert in EXPECTED_EMPTY ? ' [EXPECTED_EMPTY]' : c.alert in KNOWN_BROKEN ? ' [KNOWN_BROKEN]' : '';
      report.push(
        `alert ${c.alert}: ${c.expr}: ${typeof n === 'string' ? `ERROR ${n}` : `${n} series`}${note}${allowed}`,
      );
    }
    for (const [alert, { fixed }] of Object.entries(KNOWN_BROKEN))
      report.push(`alert ${alert} replacement: ${fixed}: ${counts.get(`${alert}\0fixed`)} series`);
    // An allow-listed alert must really be empty: otherwise it no longer belongs on the list.
    for (const name of Object.keys(EXPECTED_EMPTY)) {
      const total = unique
        .filter((c) => c.alert === name)
        .reduce((s, c) => s + Number(counts.get(c.key) ?? 0), 0);
      expect(total, `${name} has data now: remove it from EXPECTED_EMPTY`).toBe(0);
    }
    // A known-broken expression must still fail the way it is documented to (an error, or no
    // series at all).
    for (const [name, { error }] of Object.entries(KNOWN_BROKEN)) {
      const results = unique.filter((c) => c.alert === name).map((c) => counts.get(c.key));
      const stillBroken = error
        ? results.some((r) => typeof r === 'string' && r.includes(error))
        : results.some((r) => r === 0);
      expect(
        stillBroken,
        `${name} no longer fails (${error ?? 'no series'}): remove it from KNOWN_BROKEN`,
      ).toBe(true);
    }
  });
});

import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { provision, repoRoot } from '@otelkit/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONVENTION_METRICS } from './helpers/known-metrics.js';

const exec = promisify(execFile);
const root = repoRoot();
const promDir = join(root, 'prometheus');
const RUNBOOK_BASE = 'https://github.com/otelkit/otelkit/blob/main/docs/runbooks.md';
const REQUIRED_ANNOTATIONS = ['summary', 'description', 'runbook_url', 'dashboard_url'] as const;
const SECTION_PARTS = ['**What it means.**', '**Look first.**', '**Make it stop.**'] as const;
/**
 * Series the rules may read: those @otelkit/conventions names, plus those documented upstream by
 * the component that produces them. A name outside this list is a typo or an undocumented series.
 */
const KNOWN_METRICS = new Set<string>([
  ...CONVENTION_METRICS,
  // @opentelemetry/instrumentation-runtime-node (nodejs.eventloop.*, v8js.*), as Prometheus names them.
  'nodejs_eventloop_delay_p99_seconds',
  'nodejs_eventloop_utilization_ratio',
  'v8js_memory_heap_used_bytes',
  'v8js_memory_heap_limit_bytes',
  'v8js_gc_duration_seconds_sum',
  // The SDK's batch processors about themselves (semantic conventions otel.sdk.processor.*.processed).
  'otel_sdk_processor_span_processed_total',
  'otel_sdk_processor_log_processed_total',
  // The Collector's own telemetry (exporterhelper, receiverhelper), scraped without `_total`.
  ...['spans', 'metric_points', 'log_records'].flatMap((kind) => [
    `otelcol_exporter_sent_${kind}`,
    `otelcol_exporter_send_failed_${kind}`,
    `otelcol_exporter_enqueue_failed_${kind}`,
    `otelcol_receiver_refused_${kind}`,
  ]),
  // Prometheus itself and the blackbox exporter.
  'up',
  'prometheus_rule_evaluation_failures_total',
  'probe_success',
]);
const PROMQL_WORDS = new Set(['and', 'or', 'unless', 'offset', 'bool', 'inf', 'nan']);

/** Metric names an expression reads: selectors, `__name__` regexes expanded over their `(a|b)` group. */
function metricNames(expr: string): string[] {
  const names: string[] = [];
  for (const [, regex = ''] of expr.matchAll(/__name__=~"([^"]+)"/g)) {
    const group = /^(.*)\(([^()]+)\)(.*)$/.exec(regex);
    if (group) for (const alt of (group[2] ?? '').split('|')) names.push(`${group[1]}${alt}${group[3]}`);
    else names.push(regex);
  }
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  for (const [, name = ''] of bare.matchAll(/(?<![\w.])([a-zA-Z_:][\w:]*)\b(?!\s*\()/g)) {
    if (!PROMQL_WORDS.has(name.toLowerCase())) names.push(name);
  }
  return names;
}

/** Alerts that cannot have a non-firing case: Watchdog fires by definition. */
const ALWAYS_FIRING = new Set(['Watchdog']);

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleFile {
  groups: { name: string; rules: Rule[] }[];
}
interface PromtoolTests {
  rule_files: string[];
  tests: { name?: string; alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
}

const ymlFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((f) => join(dir, f));

/** Every alerting rule of prometheus/rules/, with the file it is in. */
function alertRules(): (Rule & { alert: string; file: string })[] {
  return ymlFiles(join(promDir, 'rules')).flatMap((file) =>
    (parse(readFileSync(file, 'utf8')) as RuleFile).groups.flatMap((group) =>
      group.rules.flatMap((rule) => (rule.alert ? [{ ...rule, alert: rule.alert, file }] : [])),
    ),
  );
}

/** `## Heading` sections of docs/runbooks.md by their GitHub anchor. */
function runbookSections(): Map<string, string> {
  const text = readFileSync(join(root, 'docs', 'runbooks.md'), 'utf8');
  const sections = new Map<string, string>();
  for (const chunk of text.split(/^## /m).slice(1)) {
    const [heading = '', ...body] = chunk.split('\n');
    const anchor = heading
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9 -]/g, '')
      .replace(/ /g, '-');
    sections.set(anchor, body.join('\n'));
  }
  return sections;
}

describe('Prometheus rules: promtool, SLO generation, labels, annotations and runbooks', () => {
  let promtool: string;
  let scratch: string;

  beforeAll(async () => {
    promtool = (await provision()).prometheus.promtool;
    scratch = mkdtempSync(join(tmpdir(), 'otelkit-alerts-rules-'));
  });
  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('promtool check rules accepts every rule file', async () => {
    const files = ymlFiles(join(promDir, 'rules'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    const { stdout } = await exec(promtool, ['check', 'rules', ...files]);
    expect(stdout).not.toMatch(/FAILED/);
  });

  it('promtool test rules passes every unit test of prometheus/tests/', async () => {
    const result = await exec(promtool, ['test', 'rules', ...ymlFiles(join(promDir, 'tests'))]).catch(
      (error: { stdout?: string; stderr?: string }) => {
        throw new Error(`promtool test rules failed:\n${error.stdout}\n${error.stderr}`);
      },
    );
    expect(result.stdout).toMatch(/SUCCESS/);
  });

  it('promtool test rules fails when an expected annotation is wrong (the tests can fail)', async () => {
    const source = readFileSync(join(promDir, 'tests', 'alerts.yml'), 'utf8');
    expect(source).toContain('has been 800ms');
    const broken = source
      .replace('has been 800ms', 'has been 900ms')
      .replaceAll('../rules/', `${join(promDir, 'rules')}/`);
    const file = join(scratch, 'broken.yml');
    writeFileSync(file, broken);
    const outcome = await exec(promtool, ['test', 'rules', file]).then(
      () => 'passed',
      (error: { stdout?: string; stderr?: string }) => `${error.stdout}${error.stderr}`,
    );
    expect(outcome).toMatch(/FAILED[\s\S]*NodeEventLoopLagHigh/);
  });

  it('slo-generated.yml says it is generated and matches prometheus/slos/*.yaml', async () => {
    const generated = join(promDir, 'rules', 'slo-generated.yml');
    expect(readFileSync(generated, 'utf8').split('\n')[0]).toMatch(
      /^# GENERATED by prometheus\/slos\/generate\.ts/,
    );
    const script = join(promDir, 'slos', 'generate.ts');
    await exec('pnpm', ['exec', 'tsx', script, '--check'], { cwd: root });
    // Drift is detected: a hand edit of a copy fails the check.
    const copy = join(scratch, 'slo-generated.yml');
    copyFileSync(generated, copy);
    writeFileSync(copy, readFileSync(copy, 'utf8').replace('> 0.0144', '> 0.02'));
    const drift = await exec('pnpm', ['exec', 'tsx', script, '--check', '--out', copy], { cwd: root }).then(
      () => 'no drift reported',
      (error: { stderr?: string }) => error.stderr ?? '',
    );
    expect(drift).toMatch(/out of date/);
  });

  it('refuses a latency SLO whose threshold is not a bucket boundary of the span_metrics histogram', async () => {
    const generator = (await import(join(promDir, 'slos', 'generate.ts'))) as {
      spanMetricBucketsSeconds(): number[];
      readSpecs(dir: string): unknown[];
    };
    expect(generator.spanMetricBucketsSeconds()).toContain(0.5);
    const specs = mkdtempSync(join(scratch, 'slos-'));
    const orders = readFileSync(join(promDir, 'slos', 'orders-api.yaml'), 'utf8');
    expect(orders).toContain('threshold_seconds: 0.5');
    writeFileSync(join(specs, 'orders-api.yaml'), orders);
    expect(generator.readSpecs(specs)).toHaveLength(1);
    writeFileSync(
      join(specs, 'orders-api.yaml'),
      orders.replace('threshold_seconds: 0.5', 'threshold_seconds: 0.4'),
    );
    expect(() => generator.readSpecs(specs)).toThrow(
      /orders-api\.yaml: SLO latency: threshold_seconds 0\.4 is not a bucket boundary of the span_metrics histogram .*use one of 0\.005, .*0\.5, /,
    );
  });

  it('generates the four multi-window multi-burn-rate alerts per SLO', () => {
    const slo = alertRules().filter((rule) => rule.file.endsWith('slo-generated.yml'));
    const orders = slo.filter(
      (rule) => rule.labels?.service === 'orders-api' && rule.labels.slo === 'availability',
    );
    const fast = orders.find((rule) => rule.alert === 'AvailabilityBudgetFastBurn');
    const slow = orders.find((rule) => rule.alert === 'AvailabilityBudgetSlowBurn');
    // orders-api: 99.9% → budget 0.001; 14.4×, 6× page; 3×, 1× ticket.
    expect(fast?.labels?.severity).toBe('critical');
    expect(fast?.expr).toMatch(
      /ratio_rate1h\{[^}]*\} > 0\.0144\s+and\s+slo:sli_error:ratio_rate5m\{[^}]*\} > 0\.0144/,
    );
    expect(fast?.expr).toMatch(
      /ratio_rate6h\{[^}]*\} > 0\.006\s+and\s+slo:sli_error:ratio_rate30m\{[^}]*\} > 0\.006/,
    );
    expect(slow?.labels?.severity).toBe('warning');
    expect(slow?.expr).toMatch(
      /ratio_rate1d\{[^}]*\} > 0\.003\s+and\s+slo:sli_error:ratio_rate2h\{[^}]*\} > 0\.003/,
    );
    expect(slow?.expr).toMatch(
      /ratio_rate3d\{[^}]*\} > 0\.001\s+and\s+slo:sli_error:ratio_rate6h\{[^}]*\} > 0\.001/,
    );
  });

  // Grafana as docker-compose.yml publishes it, and the dashboards it provisions.
  const grafanaPort = (
    parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { ports?: string[] }>;
    }
  ).services.grafana?.ports
    ?.map((mapping) => /^(?:127\.0\.0\.1:)?(\d+):3000$/.exec(mapping)?.[1])
    .find((port) => port !== undefined);
  const grafanaUrl = `http://localhost:${grafanaPort}`;
  const dashboardUids = new Set(
    readdirSync(join(root, 'grafana', 'dashboards'))
      .filter((file) => file.endsWith('.json'))
      .map(
        (file) =>
          (JSON.parse(readFileSync(join(root, 'grafana', 'dashboards', file), 'utf8')) as { uid: string })
            .uid,
      ),
  );

  it('every alert has a CamelCase name, severity, service, summary, templated description, runbook and dashboard', () => {
    const rules = alertRules();
    expect(rules.length).toBeGreaterThanOrEqual(20);
    const problems: string[] = [];
    for (const rule of rules) {
      const where = `${rule.alert} (${rule.file})`;
      if (!/^[A-Z][a-z0-9]*(?:[A-Z]+[a-z0-9]*)*$/.test(rule.alert)) problems.push(`${where}: not CamelCase`);
      if (!['critical', 'warning', 'info'].includes(rule.labels?.severity ?? ''))
        problems.push(`${where}: severity must be critical|warning|info`);
      if (!rule.labels?.service) problems.push(`${where}: no service label (Alertmanager groups by it)`);
      for (const key of REQUIRED_ANNOTATIONS)
        if (!rule.annotations?.[key]) problems.push(`${where}: no ${key} annotation`);
      if (!rule.annotations?.description?.includes('{{'))
        problems.push(`${where}: description not templated`);
      const expected = `${RUNBOOK_BASE}#${rule.alert.toLowerCase()}`;
      if (rule.annotations?.runbook_url !== expected)
        problems.push(`${where}: runbook_url should be ${expected}`);
      const link = /^(https?:\/\/[^/ ]+)\/d\/([\w-]+)/.exec(rule.annotations?.dashboard_url ?? '');
      if (link?.[1] !== grafanaUrl || !dashboardUids.has(link[2] ?? ''))
        problems.push(
          `${where}: dashboard_url ${rule.annotations?.dashboard_url} should open one of grafana/dashboards/ on ${grafanaUrl}`,
        );
    }
    expect(problems).toEqual([]);
  });

  it('every series a rule reads is recorded here, named by @otelkit/conventions or documented upstream', () => {
    const rules = ymlFiles(join(promDir, 'rules')).flatMap((file) =>
      (parse(readFileSync(file, 'utf8')) as RuleFile).groups.flatMap((group) => group.rules),
    );
    const recorded = new Set(rules.flatMap((rule) => (rule.record ? [rule.record] : [])));
    const used = new Set(rules.flatMap((rule) => metricNames(rule.expr)));
    expect(used.size).toBeGreaterThan(20);
    expect(used).toContain('otelcol_exporter_send_failed_log_records');
    expect([...used].filter((name) => !KNOWN_METRICS.has(name) && !recorded.has(name)).sort()).toEqual([]);
    // The extraction sees through a typo.
    expect(metricNames('sum by (job) (rate(otelkit_error_total{job="x"}[5m])) > 0')).toEqual([
      'otelkit_error_total',
    ]);
  });

  it('every runbook_url resolves to a section saying what it means, what to look at, how to stop it', () => {
    const sections = runbookSections();
    const problems: string[] = [];
    for (const rule of alertRules()) {
      const anchor = rule.annotations?.runbook_url?.split('#')[1] ?? '';
      const body = sections.get(anchor);
      if (body === undefined) {
        problems.push(`${rule.alert}: no section #${anchor} in docs/runbooks.md`);
        continue;
      }
      for (const part of SECTION_PARTS) {
        if (!body.includes(part)) problems.push(`${rule.alert}: section lacks ${part}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('every alert has a firing and a non-firing promtool case', () => {
    const firing = new Set<string>();
    const quiet = new Set<string>();
    for (const file of ymlFiles(join(promDir, 'tests'))) {
      const suite = parse(readFileSync(file, 'utf8')) as PromtoolTests;
      for (const test of suite.tests) {
        for (const check of test.alert_rule_test ?? []) {
          ((check.exp_alerts ?? []).length > 0 ? firing : quiet).add(check.alertname);
        }
      }
    }
    const names = [...new Set(alertRules().map((rule) => rule.alert))];
    expect(names.filter((name) => !firing.has(name))).toEqual([]);
    expect(names.filter((name) => !quiet.has(name) && !ALWAYS_FIRING.has(name))).toEqual([]);
  });
});

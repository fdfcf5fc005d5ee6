/**
 * SLOs as code: reads prometheus/slos/*.yaml and writes prometheus/rules/slo-generated.yml, the
 * SLI error-ratio recording rules over every burn-rate window and the multi-window multi-burn-rate
 * alerts of the Google SRE workbook (1h/5m at 14.4× and 6h/30m at 6× page; 1d/2h at 3× and 3d/6h
 * at 1× open a ticket).
 *
 *   pnpm exec tsx prometheus/slos/generate.ts           # rewrite the rules file
 *   pnpm exec tsx prometheus/slos/generate.ts --check   # exit 1 if it is not up to date
 *
 * `--out <file>` writes or checks another file than prometheus/rules/slo-generated.yml.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
// The repository root has no dependencies of its own; @otelkit/stack depends on `yaml`.
const { parse, stringify } = createRequire(join(root, 'packages', 'stack', 'package.json'))('yaml') as {
  parse(text: string): unknown;
  stringify(value: unknown, options: Record<string, unknown>): string;
};

/** One SLO of a service. */
interface SloSpec {
  name: string;
  /** Target in percent, e.g. 99.9. */
  objective: number;
  /** Compliance window, e.g. `30d` (documentation and the budget annotation). */
  window: string;
  sli: { type: 'availability' } | { type: 'latency'; threshold_seconds: number };
}

/** A file of prometheus/slos/. */
interface ServiceSlos {
  service: string;
  slos: SloSpec[];
}

const WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;
const SERVER = 'span_kind="SPAN_KIND_SERVER"';
const RUNBOOK = 'https://github.com/otelkit/otelkit/blob/main/docs/runbooks.md';

/** Burn-rate alert tiers: [long window, short window, factor] pairs combined with `or`. */
const TIERS = [
  {
    suffix: 'FastBurn',
    severity: 'critical',
    for: '2m',
    pairs: [
      ['1h', '5m', 14.4],
      ['6h', '30m', 6],
    ],
  },
  {
    suffix: 'SlowBurn',
    severity: 'warning',
    for: '15m',
    pairs: [
      ['1d', '2h', 3],
      ['3d', '6h', 1],
    ],
  },
] as const;

const clean = (n: number) => Number(n.toPrecision(10));
const camel = (s: string) => s.replace(/(^|[-_ ])(\w)/g, (_m, _sep, c: string) => c.toUpperCase());

function errorRatio(service: string, sli: SloSpec['sli'], window: string): string {
  const sel = `service_name="${service}", ${SERVER}`;
  const total = `sum by (service_name) (rate(traces_span_metrics_calls_total{${sel}}[${window}]))`;
  if (sli.type === 'availability') {
    const bad = `sum by (service_name) (rate(traces_span_metrics_calls_total{${sel}, status_code="STATUS_CODE_ERROR"}[${window}]))`;
    return `(${bad} or 0 * ${total}) / ${total}`;
  }
  const count = `sum by (service_name) (rate(traces_span_metrics_duration_seconds_count{${sel}}[${window}]))`;
  const fast = `sum by (service_name) (rate(traces_span_metrics_duration_seconds_bucket{${sel}, le="${sli.threshold_seconds}"}[${window}]))`;
  return `(${count} - ${fast}) / ${count}`;
}

/**
 * The upper bounds, in seconds, of the span-duration histogram buckets that the Collector's
 * `span_metrics` connector writes (collector/config.yaml). A latency SLI counts the requests in
 * the bucket `le="<threshold>"`, so its threshold must be one of them.
 */
export function spanMetricBucketsSeconds(configFile = join(root, 'collector', 'config.yaml')): number[] {
  const config = parse(readFileSync(configFile, 'utf8')) as {
    connectors?: { span_metrics?: { histogram?: { explicit?: { buckets?: unknown } } } };
  };
  const buckets = config.connectors?.span_metrics?.histogram?.explicit?.buckets;
  if (!Array.isArray(buckets))
    throw new Error(`${configFile}: connectors.span_metrics.histogram.explicit.buckets not found`);
  return buckets.map((bucket) => {
    const match = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(String(bucket));
    if (!match)
      throw new Error(
        `${configFile}: span_metrics bucket ${String(bucket)} is not a duration like 250ms or 1s`,
      );
    return clean(Number(match[1]) / (match[2] === 'ms' ? 1000 : 1));
  });
}

function validate(file: string, spec: ServiceSlos, bucketsSeconds: readonly number[]): void {
  if (!spec?.service || !Array.isArray(spec.slos)) throw new Error(`${file}: needs service and slos`);
  for (const slo of spec.slos) {
    if (!/^[a-z][a-z0-9_-]*$/.test(slo.name)) throw new Error(`${file}: bad SLO name ${slo.name}`);
    if (!(slo.objective > 0 && slo.objective < 100)) throw new Error(`${file}: objective in (0, 100)`);
    if (!/^\d+[dhw]$/.test(slo.window)) throw new Error(`${file}: window like 30d`);
    if (slo.sli?.type !== 'availability' && slo.sli?.type !== 'latency')
      throw new Error(`${file}: sli.type availability or latency`);
    if (slo.sli.type === 'latency' && !bucketsSeconds.includes(slo.sli.threshold_seconds)) {
      throw new Error(
        `${file}: SLO ${slo.name}: threshold_seconds ${String(slo.sli.threshold_seconds)} is not a bucket ` +
          `boundary of the span_metrics histogram (collector/config.yaml), so no series would count the ` +
          `requests under it; use one of ${bucketsSeconds.join(', ')} or add it to the buckets there`,
      );
    }
  }
}

/** The rules file for the given specs. */
export function generate(specs: ServiceSlos[]): string {
  const groups = specs.map((spec) => {
    const rules: Record<string, unknown>[] = [];
    for (const slo of spec.slos) {
      const labels = { service_name: spec.service, slo: slo.name };
      // The objective as a series, so that dashboards divide by each service's own budget.
      rules.push({ record: 'slo:objective:ratio', expr: `vector(${clean(slo.objective / 100)})`, labels });
      for (const window of WINDOWS) {
        rules.push({
          record: `slo:sli_error:ratio_rate${window}`,
          expr: errorRatio(spec.service, slo.sli, window),
          labels,
        });
      }
    }
    for (const slo of spec.slos) {
      const budget = clean(1 - slo.objective / 100);
      const selector = `{service_name="${spec.service}", slo="${slo.name}"}`;
      const what =
        slo.sli.type === 'availability'
          ? 'requests failing'
          : `requests slower than ${slo.sli.threshold_seconds}s`;
      for (const tier of TIERS) {
        const expr = tier.pairs
          .map(
            ([long, short, factor]) =>
              `(\n  slo:sli_error:ratio_rate${long}${selector} > ${clean(factor * budget)}\n` +
              `  and\n  slo:sli_error:ratio_rate${short}${selector} > ${clean(factor * budget)}\n)`,
          )
          .join('\nor\n');
        const name = `${camel(slo.name)}Budget${tier.suffix}`;
        const speed = tier.suffix === 'FastBurn' ? 'fast' : 'slowly';
        rules.push({
          alert: name,
          expr: `${expr}\n`,
          for: tier.for,
          labels: { severity: tier.severity, service: spec.service, slo: slo.name },
          annotations: {
            summary: `${spec.service} is burning its ${slo.name} error budget ${speed}`,
            description:
              `{{ $value | humanizePercentage }} of ${spec.service} ${what} over the last ` +
              `${tier.pairs.map((p) => p[0]).join(' or ')}, against a budget of ${clean(budget * 100)}% ` +
              `(SLO ${slo.objective}% over ${slo.window}); at ${tier.pairs.map((p) => `${p[2]}×`).join(' or ')} ` +
              `the budget burns out in ${tier.suffix === 'FastBurn' ? 'days' : 'weeks'}.`,
            runbook_url: `${RUNBOOK}#${name.toLowerCase()}`,
            dashboard_url: `http://localhost:3300/d/otelkit-uptime-slo?var-service=${spec.service}`,
          },
        });
      }
    }
    return { name: `slo-${spec.service}`, rules };
  });
  const header =
    '# GENERATED by prometheus/slos/generate.ts from prometheus/slos/*.yaml. Do not edit: change the\n' +
    '# SLO specs and run `pnpm exec tsx prometheus/slos/generate.ts`.\n';
  return header + stringify({ groups }, { lineWidth: 0, aliasDuplicateObjects: false });
}

/**
 * Reads every spec of `dir` (default prometheus/slos/), sorted by file name, and checks each
 * against the Collector's span-duration buckets.
 */
export function readSpecs(
  dir = here,
  bucketsSeconds: readonly number[] = spanMetricBucketsSeconds(),
): ServiceSlos[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const spec = parse(readFileSync(join(dir, f), 'utf8')) as ServiceSlos;
      validate(f, spec, bucketsSeconds);
      return spec;
    });
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const outIndex = process.argv.indexOf('--out');
  const target =
    outIndex >= 0 ? process.argv[outIndex + 1] : join(root, 'prometheus', 'rules', 'slo-generated.yml');
  if (!target) throw new Error('--out needs a file');
  const text = generate(readSpecs());
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(target, 'utf8');
    } catch {}
    if (current !== text) {
      console.error(`${target} is out of date: run pnpm exec tsx prometheus/slos/generate.ts`);
      process.exit(1);
    }
    console.log(`${target} is up to date`);
  } else {
    writeFileSync(target, text);
    console.log(`wrote ${target}`);
  }
}

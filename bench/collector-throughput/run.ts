/**
 * bench/collector-throughput: spans per second the otelkit Collector pipeline
 * (collector/config.yaml in the full native stack) sustains, against the same Collector binary
 * running a bare OTLP→OTLP config (bare.yaml), in one run, as a ratio.
 *
 *   pnpm bench:collector [--warmup=15] [--duration=30] [--rounds=2] [--concurrency=8]
 *                        [--traces=20] [--refusal-pause=100] [--arms=bare,full]
 *
 * (or BENCH_WARMUP_S, BENCH_DURATION_S, BENCH_ROUNDS, BENCH_CONCURRENCY,
 * BENCH_TRACES_PER_REQUEST, BENCH_REFUSAL_PAUSE_MS, BENCH_ARMS). The Collectors inherit the
 * environment, so OTELKIT_* variables (e.g. OTELKIT_MEMORY_LIMIT_MIB) change the full arm; the
 * run prints the ones set. Everything listens on 127.0.0.1, every process it starts is stopped
 * before it returns, and it ends by itself after rounds × 2 × (warm-up + duration) plus start-up.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  type Binaries,
  type ComponentName,
  cacheDir,
  freePort,
  ManagedProcess,
  pinnedVersions,
  provision,
  repoRoot,
  startStack,
} from '@otelkit/stack';
import { counter, scrape } from './collector-metrics.js';
import { startLoad } from './load.js';
import { buildPayload, type Payload } from './payload.js';
import { cpuSeconds, machineBusySeconds, memory } from './proc.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Run parameters. */
export interface BenchConfig {
  /**
   * Seconds of load before measuring, per arm. The default (15) exceeds tail sampling's
   * `decision_wait` (10 s): until then the full arm only fills its buffer and releases nothing,
   * so a shorter warm-up measures a start-up transient rather than the steady state.
   */
  warmupS: number;
  /** Seconds measured, per arm. */
  durationS: number;
  /** How many times each arm runs; arms alternate (bare, full, bare, full, ...). */
  rounds: number;
  /** Requests in flight. */
  concurrency: number;
  /** Traces per request (5 spans each). */
  tracesPerRequest: number;
  /** Pause of a load slot after a refused request, ms (see LoadOptions.refusalPauseMs). */
  refusalPauseMs: number;
  /** Arms to run, normally both; one alone is for experiments and yields no ratio. */
  arms: readonly Arm[];
}

/** The two configurations compared. */
export type Arm = 'bare' | 'full';

/** What one arm measured in one round, over the measured window only. */
export interface ArmResult {
  /** Which configuration. */
  arm: Arm;
  /** Round number, from 1. */
  round: number;
  /** Length of the measured window, s. */
  seconds: number;
  /** Spans in 2xx-answered requests per second: the throughput figure. */
  spansPerSec: number;
  /** Requests answered 2xx. */
  requestsOk: number;
  /** Requests answered non-2xx (refused, e.g. 503 from memory_limiter). */
  requestsRefused: number;
  /** Requests with no answer (connection error, timeout). */
  requestsFailed: number;
  /** Share of answered requests that were refused, 0..1. */
  refusedShare: number;
  /** Answers by HTTP status. */
  statuses: Record<number, number>;
  /** Median latency of accepted requests, ms. */
  latencyP50Ms: number;
  /** 99th percentile latency of accepted requests, ms. */
  latencyP99Ms: number;
  /** The Collector's own otelcol_receiver_accepted_spans (receiver otlp), per second. */
  collectorAcceptedSpansPerSec: number;
  /** The Collector's own otelcol_receiver_refused_spans (receiver otlp) in the window. */
  collectorRefusedSpans: number;
  /** Spans the Collector's trace exporter sent on per second (after tail sampling in `full`). */
  exporterSentSpansPerSec: number;
  /** Spans its exporters could not queue in the window (a full sending queue refuses upstream). */
  exporterEnqueueFailedSpans: number;
  /** Metric points (RED metrics in `full`) the Collector sent to Prometheus in the window. */
  exporterSentMetricPoints: number;
  /** Traces tail sampling evicted before their decision (its `num_traces` buffer was full). */
  tailSamplingDroppedTooEarly: number;
  /**
   * Flushes of RED metrics the span_metrics / service_graph connectors logged as failed, from
   * the Collector's start (warm-up included). They do not retry, so each one is lost data.
   */
  connectorFlushFailures: number;
  /** Cores the Collector kept busy (CPU seconds / wall seconds). */
  collectorCpuCores: number;
  /** Spans accepted per Collector CPU second: throughput with the shared machine factored out. */
  spansPerCpuSecond: number;
  /** The Collector's peak RSS since it started (warm-up included), MiB. */
  collectorPeakRssMiB: number;
  /**
   * Cores every other process of the arm kept busy, including this generator, and
   * `unaccounted`: the rest of the machine's busy time (kernel, other programs).
   */
  otherCpuCores: Record<string, number>;
}

/** Both arms' figures, averaged over rounds, and their ratio. */
export interface Summary {
  /** Mean over rounds of the bare arm. */
  bare: { spansPerSec: number; spansPerCpuSecond: number; peakRssMiB: number; refusedShare: number };
  /** Mean over rounds of the full arm. */
  full: { spansPerSec: number; spansPerCpuSecond: number; peakRssMiB: number; refusedShare: number };
  /** full / bare of accepted spans per second: the headline figure. */
  ratio: number;
  /** full / bare of spans per Collector CPU second. */
  cpuRatio: number;
}

/** A running Collector to load: where to send, where to read its metrics, and its processes. */
interface Target {
  otlpHttp: string;
  metricsUrl: string;
  collectorPid: number;
  /** The Collector's log file. */
  logFile: string;
  /** Other processes whose CPU is reported (sink, Prometheus, ...), by name. */
  others: Record<string, number>;
}

function parseArms(list: string): Arm[] {
  const arms = list.split(',').map((arm) => arm.trim());
  for (const arm of arms)
    if (arm !== 'bare' && arm !== 'full') throw new Error(`unknown arm "${arm}" (bare, full)`);
  return arms as Arm[];
}

function readConfig(argv: readonly string[], env: NodeJS.ProcessEnv): BenchConfig {
  const args = new Map<string, string>();
  for (const arg of argv) {
    const match = /^--([a-z-]+)=(.+)$/.exec(arg);
    if (match?.[1] && match[2]) args.set(match[1], match[2]);
    else if (arg !== '--') throw new Error(`unknown argument ${arg} (expected --name=value)`);
  }
  const number = (flag: string, variable: string, fallback: number, min: number): number => {
    const raw = args.get(flag) ?? env[variable];
    const value = raw === undefined ? fallback : Number(raw);
    if (!Number.isFinite(value) || value < min)
      throw new Error(`--${flag} / ${variable} must be a number >= ${min}`);
    return value;
  };
  return {
    warmupS: number('warmup', 'BENCH_WARMUP_S', 15, 0),
    durationS: number('duration', 'BENCH_DURATION_S', 30, 1),
    rounds: Math.floor(number('rounds', 'BENCH_ROUNDS', 2, 1)),
    concurrency: Math.floor(number('concurrency', 'BENCH_CONCURRENCY', 8, 1)),
    tracesPerRequest: Math.floor(number('traces', 'BENCH_TRACES_PER_REQUEST', 20, 1)),
    refusalPauseMs: number('refusal-pause', 'BENCH_REFUSAL_PAUSE_MS', 100, 0),
    arms: parseArms(args.get('arms') ?? env.BENCH_ARMS ?? 'bare,full'),
  };
}

/**
 * Another `otelkit provision` may be building Prometheus right now (a `v<version>.tmp-<pid>`
 * directory of a live process); provisioning in parallel would start a second multi-minute
 * build of the same thing, so wait for that one instead.
 */
async function waitForConcurrentPrometheusBuild(signal: AbortSignal): Promise<void> {
  const version = pinnedVersions(repoRoot()).prometheus;
  const dir = join(cacheDir(), 'prometheus');
  const binary = join(dir, `v${version}`, 'prometheus');
  const building = (): boolean => {
    if (existsSync(binary) || !existsSync(dir)) return false;
    return readdirSync(dir).some((entry) => {
      const pid = Number(/^v.+\.tmp-(\d+)$/.exec(entry)?.[1]);
      if (!pid) return false;
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
  };
  if (!building()) return;
  console.error(`waiting for another process to finish building Prometheus v${version} ...`);
  while (building()) await sleep(5000, undefined, { signal });
}

/** Lines of `file` matching `pattern`; 0 if it cannot be read. */
function countLines(file: string, pattern: RegExp): number {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => pattern.test(line)).length;
  } catch {
    return 0;
  }
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Loads `target` for warm-up + duration and measures the duration part. */
async function measure(
  arm: Arm,
  round: number,
  target: Target,
  payload: Payload,
  config: BenchConfig,
  signal: AbortSignal,
): Promise<ArmResult> {
  const load = startLoad({
    otlpHttp: target.otlpHttp,
    payload,
    concurrency: config.concurrency,
    refusalPauseMs: config.refusalPauseMs,
  });
  try {
    await sleep(config.warmupS * 1000, undefined, { signal });
    const processes = { collector: target.collectorPid, ...target.others };
    const cpuAt = () =>
      Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, cpuSeconds(pid)]));
    const metricsBefore = await scrape(target.metricsUrl);
    const before = load.snapshot();
    const cpuBefore = cpuAt();
    const machineBefore = machineBusySeconds();
    const generatorBefore = process.cpuUsage();

    await sleep(config.durationS * 1000, undefined, { signal });

    const after = load.snapshot();
    const cpuAfter = cpuAt();
    const generatorCpu = process.cpuUsage(generatorBefore);
    const machineCores = (machineBusySeconds() - machineBefore) / ((after.at - before.at) / 1000);
    const metricsAfter = await scrape(target.metricsUrl);
    const peak = memory(target.collectorPid).peakRssMiB;

    const seconds = (after.at - before.at) / 1000;
    const ok = after.ok - before.ok;
    const refused = after.refused - before.refused;
    const statuses: Record<number, number> = {};
    for (const [status, count] of Object.entries(after.statuses)) {
      const delta = count - (before.statuses[Number(status)] ?? 0);
      if (delta > 0) statuses[Number(status)] = delta;
    }
    const otlp = { receiver: 'otlp' };
    const delta = (name: string, where: Record<string, string> = {}) =>
      counter(metricsAfter, name, where) - counter(metricsBefore, name, where);
    const cores = (name: string) => ((cpuAfter[name] ?? 0) - (cpuBefore[name] ?? 0)) / seconds;
    const otherCpuCores: Record<string, number> = {
      generator: (generatorCpu.user + generatorCpu.system) / 1e6 / seconds,
    };
    for (const name of Object.keys(target.others)) otherCpuCores[name] = cores(name);
    // Whatever the machine did beyond the processes above: the kernel's share of networking,
    // and anything else running. Much above ~0.1 core means the figures were disturbed.
    const known = cores('collector') + Object.values(otherCpuCores).reduce((a, b) => a + b, 0);
    otherCpuCores.unaccounted = Math.max(0, machineCores - known);
    const spansPerSec = (ok * payload.spans) / seconds;
    const collectorCpuCores = cores('collector');
    return {
      arm,
      round,
      seconds,
      spansPerSec,
      requestsOk: ok,
      requestsRefused: refused,
      requestsFailed: after.failed - before.failed,
      refusedShare: ok + refused === 0 ? 0 : refused / (ok + refused),
      statuses,
      latencyP50Ms: percentile(after.latenciesMs, 50),
      latencyP99Ms: percentile(after.latenciesMs, 99),
      collectorAcceptedSpansPerSec: delta('otelcol_receiver_accepted_spans', otlp) / seconds,
      collectorRefusedSpans: delta('otelcol_receiver_refused_spans', otlp),
      exporterSentSpansPerSec: delta('otelcol_exporter_sent_spans') / seconds,
      exporterEnqueueFailedSpans: delta('otelcol_exporter_enqueue_failed_spans'),
      exporterSentMetricPoints: delta('otelcol_exporter_sent_metric_points'),
      tailSamplingDroppedTooEarly: delta('otelcol_processor_tail_sampling_sampling_trace_dropped_too_early'),
      connectorFlushFailures: countLines(target.logFile, /Failed ConsumeMetrics|failed to flush metrics/),
      collectorCpuCores,
      spansPerCpuSecond: collectorCpuCores === 0 ? 0 : spansPerSec / collectorCpuCores,
      collectorPeakRssMiB: peak,
      otherCpuCores,
    };
  } finally {
    await load.stop();
  }
}

/** Distinct free ports: freePort() releases each before returning, so ask until they differ. */
async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** Baseline: bare.yaml in the Collector binary, exporting to null-sink.yaml in a second one. */
async function runBare(
  round: number,
  binaries: Binaries,
  payload: Payload,
  config: BenchConfig,
  signal: AbortSignal,
): Promise<ArmResult> {
  const dir = mkdtempSync(join(tmpdir(), 'otelkit-bench-bare-'));
  const [sinkGrpc, sinkHealth, otlpHttp, health, metrics] = (await freePorts(5)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const local = (port: number) => `127.0.0.1:${port}`;
  const sink = new ManagedProcess({
    name: 'null-sink',
    command: binaries.collector.binary,
    args: ['--config', join(HERE, 'null-sink.yaml')],
    env: {
      BENCH_NULL_SINK_GRPC_ENDPOINT: local(sinkGrpc),
      BENCH_NULL_SINK_HEALTH_ENDPOINT: local(sinkHealth),
    },
    logFile: join(dir, 'null-sink.log'),
    ready: { http: `http://${local(sinkHealth)}/` },
  });
  const collector = new ManagedProcess({
    name: 'collector-bare',
    command: binaries.collector.binary,
    args: ['--config', join(HERE, 'bare.yaml')],
    env: {
      BENCH_OTLP_HTTP_ENDPOINT: local(otlpHttp),
      BENCH_HEALTH_ENDPOINT: local(health),
      BENCH_METRICS_PORT: String(metrics),
      BENCH_SINK_GRPC_ENDPOINT: local(sinkGrpc),
    },
    logFile: join(dir, 'collector-bare.log'),
    ready: { http: `http://${local(health)}/` },
  });
  try {
    await sink.start();
    await collector.start();
    if (!sink.pid || !collector.pid) throw new Error('bare arm: a process has no pid');
    return await measure(
      'bare',
      round,
      {
        otlpHttp: `http://${local(otlpHttp)}`,
        metricsUrl: `http://${local(metrics)}/metrics`,
        collectorPid: collector.pid,
        logFile: collector.spec.logFile,
        others: { sink: sink.pid },
      },
      payload,
      config,
      signal,
    );
  } finally {
    await collector.stop();
    await sink.stop();
    // Same convention as startStack: OTELKIT_KEEP_STATE=1 keeps the logs for a post-mortem.
    if (process.env.OTELKIT_KEEP_STATE === '1') console.error(`bare arm state kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** The otelkit pipeline as users run it: startStack() with collector/config.yaml. */
async function runFull(
  round: number,
  binaries: Binaries,
  payload: Payload,
  config: BenchConfig,
  signal: AbortSignal,
): Promise<ArmResult> {
  // startStack's own temporary state directory (persistent queues, Prometheus TSDB, logs) is
  // removed by stop(), also when start-up fails, unless OTELKIT_KEEP_STATE=1.
  const stack = await startStack({ ports: 'auto', binaries });
  try {
    const pid = (name: ComponentName): number => {
      const value = stack.processes[name].pid;
      if (!value) throw new Error(`full arm: ${name} has no pid`);
      return value;
    };
    return await measure(
      'full',
      round,
      {
        otlpHttp: stack.endpoints.otlpHttp,
        metricsUrl: stack.endpoints.collectorMetrics,
        collectorPid: pid('collector'),
        logFile: stack.processes.collector.spec.logFile,
        others: { sink: pid('sink'), prometheus: pid('prometheus'), alertmanager: pid('alertmanager') },
      },
      payload,
      config,
      signal,
    );
  } finally {
    await stack.stop();
  }
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

function summarize(results: readonly ArmResult[]): Summary {
  const of = (arm: Arm) => {
    const rows = results.filter((row) => row.arm === arm);
    return {
      spansPerSec: mean(rows.map((row) => row.spansPerSec)),
      spansPerCpuSecond: mean(rows.map((row) => row.spansPerCpuSecond)),
      peakRssMiB: Math.max(0, ...rows.map((row) => row.collectorPeakRssMiB)),
      refusedShare: mean(rows.map((row) => row.refusedShare)),
    };
  };
  const bare = of('bare');
  const full = of('full');
  return {
    bare,
    full,
    ratio: bare.spansPerSec === 0 ? 0 : full.spansPerSec / bare.spansPerSec,
    cpuRatio: bare.spansPerCpuSecond === 0 ? 0 : full.spansPerCpuSecond / bare.spansPerCpuSecond,
  };
}

const int = (value: number) => Math.round(value).toLocaleString('en-US');
const fixed = (value: number, digits = 2) => value.toFixed(digits);

function table(results: readonly ArmResult[], summary: Summary): string {
  const lines = [
    '| round | arm | spans/s accepted | Collector-counted spans/s | refused requests | p50 / p99 ms | Collector CPU (cores) | spans per CPU-s | Collector peak RSS MiB | spans/s sent on | other CPU (cores) |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|',
  ];
  for (const row of results) {
    const others = Object.entries(row.otherCpuCores)
      .map(([name, value]) => `${name} ${fixed(value)}`)
      .join(', ');
    lines.push(
      `| ${row.round} | ${row.arm} | ${int(row.spansPerSec)} | ${int(row.collectorAcceptedSpansPerSec)} | ` +
        `${int(row.requestsRefused)} (${fixed(row.refusedShare * 100, 1)} %) | ` +
        `${fixed(row.latencyP50Ms, 1)} / ${fixed(row.latencyP99Ms, 1)} | ${fixed(row.collectorCpuCores)} | ` +
        `${int(row.spansPerCpuSecond)} | ${int(row.collectorPeakRssMiB)} | ${int(row.exporterSentSpansPerSec)} | ${others} |`,
    );
  }
  for (const row of results) {
    const notes: string[] = [];
    if (row.exporterEnqueueFailedSpans > 0) {
      notes.push(`${int(row.exporterEnqueueFailedSpans)} spans refused because a sending queue was full`);
    }
    if (row.collectorRefusedSpans > row.exporterEnqueueFailedSpans) {
      notes.push(
        `${int(row.collectorRefusedSpans - row.exporterEnqueueFailedSpans)} spans refused by memory_limiter`,
      );
    }
    if (row.tailSamplingDroppedTooEarly > 0) {
      notes.push(`${int(row.tailSamplingDroppedTooEarly)} traces evicted by tail sampling before a decision`);
    }
    if (row.connectorFlushFailures > 0) {
      notes.push(`${row.connectorFlushFailures} RED metric flushes failed (Collector log)`);
    }
    if (notes.length > 0) lines.push('', `- round ${row.round}, ${row.arm}: ${notes.join('; ')}`);
  }
  lines.push(
    '',
    `full / bare, accepted spans/s: **${fixed(summary.ratio, 3)}** ` +
      `(${int(summary.full.spansPerSec)} / ${int(summary.bare.spansPerSec)}); ` +
      `per Collector CPU second: ${fixed(summary.cpuRatio, 3)} ` +
      `(${int(summary.full.spansPerCpuSecond)} / ${int(summary.bare.spansPerCpuSecond)})`,
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const config = readConfig(process.argv.slice(2), process.env);
  const abort = new AbortController();
  // Ctrl-C ends the current sleep; the finally blocks then stop every process started.
  const onSignal = () => abort.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  await waitForConcurrentPrometheusBuild(abort.signal);
  const binaries = await provision((line) => console.error(line));
  const payload = buildPayload(config.tracesPerRequest);
  const machine = {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    collector: pinnedVersions(repoRoot()).collector,
  };
  // The Collectors inherit this environment, so variables config.yaml reads (${env:NAME}) change
  // the full arm's pipeline: say which are set, since the figures are then another pipeline's.
  const configVariables = new Set(
    [
      ...readFileSync(join(repoRoot(), 'collector', 'config.yaml'), 'utf8').matchAll(/\$\{env:([A-Z0-9_]+)/g),
    ].map((match) => match[1]),
  );
  const overrides = Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => configVariables.has(entry[0]) && entry[1] !== undefined,
    ),
  );
  if (Object.keys(overrides).length > 0) console.error(`environment overrides: ${JSON.stringify(overrides)}`);
  console.error(
    `collector-throughput: ${machine.cpus} CPU (${machine.cpuModel}), ${machine.memoryGiB} GiB, ` +
      `Collector ${machine.collector}; ${payload.spans} spans (${payload.traces} traces) per request ` +
      `(${payload.template.length} bytes), ${config.concurrency} in flight, ` +
      `${config.warmupS} s warm-up + ${config.durationS} s measured per arm, ${config.rounds} round(s)`,
  );

  const results: ArmResult[] = [];
  for (let round = 1; round <= config.rounds; round++) {
    for (const arm of config.arms) {
      console.error(`round ${round}: ${arm} ...`);
      const result =
        arm === 'bare'
          ? await runBare(round, binaries, payload, config, abort.signal)
          : await runFull(round, binaries, payload, config, abort.signal);
      console.error(
        `round ${round}: ${arm}: ${int(result.spansPerSec)} spans/s, ${result.requestsRefused} refused, ` +
          `Collector ${fixed(result.collectorCpuCores)} cores, peak RSS ${int(result.collectorPeakRssMiB)} MiB`,
      );
      const unaccounted = result.otherCpuCores.unaccounted ?? 0;
      if (unaccounted > 0.25) {
        console.error(
          `round ${round}: ${arm}: warning: ${fixed(unaccounted)} cores busy outside the benchmark's processes; ` +
            'something else competed for the CPU',
        );
      }
      results.push(result);
    }
  }

  const summary = summarize(results);
  console.log(table(results, summary));
  console.log(
    JSON.stringify({
      bench: 'collector-throughput',
      date: new Date().toISOString(),
      machine,
      config,
      overrides,
      requestBytes: payload.template.length,
      spansPerRequest: payload.spans,
      summary,
      results,
    }),
  );
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});

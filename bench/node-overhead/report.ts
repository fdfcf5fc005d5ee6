import { ARM_NAMES, type ArmName } from './arms.js';
import type { Accepted } from './collector.js';
import type { LoadResult } from './load.js';

/** Which server a start-up sample ran: server.cjs (every arm) or its ES-module twin server.mjs. */
export type ServerModule = 'cjs' | 'esm';

/** One start-up measurement. */
export interface StartSample {
  arm: ArmName;
  /** The server's module system. */
  module: ServerModule;
  /** Milliseconds from spawn to the first HTTP 200. */
  firstOkMs: number;
  /** CPU milliseconds the server had used by then. */
  firstOkCpuMs: number;
}

/** One measured load window of one arm. */
export interface LoadRound {
  arm: ArmName;
  /** Round number, from 1. */
  round: number;
  /** The measured window (the warm-up is not in it). */
  load: LoadResult;
  /** Peak RSS of the server (VmHWM) after the window, MiB. */
  peakRssMiB: number;
  /** Server CPU time per answered request in the window, µs: noise-resistant cost figure. */
  cpuUsPerRequest: number;
  /** Cores' worth of CPU used by the server during the window. */
  serverCores: number;
  /** Cores' worth of CPU used by the Collector and the rest of the stack during the window. */
  stackCores: number;
  /** Cores' worth of CPU used by this process (autocannon) during the window. */
  loadGenCores: number;
  /** Cores' worth of CPU used by everything else on the machine during the window. */
  otherCores: number;
  /** Requests the server answered over its life (probe, warm-up, window). */
  requestsServed: number;
  /** What the Collector accepted from this server over its life. */
  accepted: Accepted;
  /** How the server ended after SIGTERM. */
  stoppedBy: 'sigterm' | 'sigkill' | 'exited';
}

/** Per-arm summary over rounds. */
export interface ArmSummary {
  arm: ArmName;
  requestsPerSec: number;
  p99Ms: number;
  peakRssMiB: number;
  cpuUsPerRequest: number;
  /** Median time to first 200, ms, and every sample. */
  startupMs: number;
  startupSamplesMs: number[];
  /** Median CPU time used up to the first 200, ms. */
  startupCpuMs: number;
  /** Accepted by the Collector per request served; NaN for the uninstrumented arm. */
  spansPerRequest: number;
  logRecordsPerRequest: number;
  /** Metric points accepted per server process (mean over rounds; warm-up and shutdown included). */
  metricPoints: number;
  /** Ratios to the uninstrumented arm. */
  throughputVsNone: number;
  p99VsNone: number;
  rssVsNone: number;
  addedStartupMs: number;
  addedStartupCpuMs: number;
  /** Errors and non-2xx over all rounds: must be 0. */
  failures: number;
}

/** The whole result. */
export interface Summary {
  arms: Record<ArmName, ArmSummary>;
  /**
   * Start-up of the ES-module server (medians), where otelkit also installs its ESM hooks;
   * uninstrumented and otelkit only.
   */
  esmStartup: {
    noneMs: number;
    otelkitMs: number;
    addedMs: number;
    addedCpuMs: number;
    samplesMs: { none: number[]; otelkit: number[] };
  };
  /** otelkit requests/s over upstream requests/s. */
  otelkitVsUpstreamThroughput: number;
  /** Server CPU per request that each part adds over the uninstrumented arm, µs (round means). */
  addedCpuUs: {
    upstream: number;
    otelkit: number;
    /** `otelkit` minus `otelkit-no-export`: building, serialising and sending the batches. */
    otelkitExport: number;
    /** `otelkit-no-export` minus uninstrumented: hooks, context, spans and records made. */
    otelkitInstrumentation: number;
    /**
     * What otelkit could add and still reach the throughput target, were requests/s in
     * proportion to CPU per request: upstream's µs/req ÷ target − uninstrumented µs/req.
     */
    budgetForTarget: number;
  };
  targets: {
    throughput: { value: number; target: number; met: boolean };
    startup: { value: number; target: number; met: boolean };
  };
}

/** Target: otelkit's throughput at least this multiple of upstream's. */
export const THROUGHPUT_TARGET = 1.5;
/** Target: otelkit adds less than this to time to first listen, ms. */
export const STARTUP_TARGET_MS = 250;

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Per-arm means over rounds (median for start-up, which is skewed by outliers), and ratios. */
export function summarise(starts: readonly StartSample[], rounds: readonly LoadRound[]): Summary {
  const partial = {} as Record<
    ArmName,
    Omit<ArmSummary, 'throughputVsNone' | 'p99VsNone' | 'rssVsNone' | 'addedStartupMs' | 'addedStartupCpuMs'>
  >;
  for (const arm of ARM_NAMES) {
    const mine = rounds.filter((r) => r.arm === arm);
    const mineStarts = starts.filter((s) => s.arm === arm && s.module === 'cjs');
    const samples = mineStarts.map((s) => s.firstOkMs);
    const served = mine.reduce((a, r) => a + r.requestsServed, 0);
    partial[arm] = {
      arm,
      requestsPerSec: mean(mine.map((r) => r.load.requestsPerSec)),
      p99Ms: mean(mine.map((r) => r.load.p99Ms)),
      peakRssMiB: mean(mine.map((r) => r.peakRssMiB)),
      cpuUsPerRequest: mean(mine.map((r) => r.cpuUsPerRequest)),
      startupMs: median(samples),
      startupSamplesMs: samples,
      startupCpuMs: median(mineStarts.map((s) => s.firstOkCpuMs)),
      spansPerRequest: arm === 'none' ? Number.NaN : mine.reduce((a, r) => a + r.accepted.spans, 0) / served,
      logRecordsPerRequest:
        arm === 'none' ? Number.NaN : mine.reduce((a, r) => a + r.accepted.logRecords, 0) / served,
      metricPoints: arm === 'none' ? Number.NaN : mean(mine.map((r) => r.accepted.metricPoints)),
      failures: mine.reduce((a, r) => a + r.load.errors + r.load.non2xx, 0),
    };
  }
  const none = partial.none;
  const arms = {} as Record<ArmName, ArmSummary>;
  for (const arm of ARM_NAMES) {
    const s = partial[arm];
    arms[arm] = {
      ...s,
      throughputVsNone: s.requestsPerSec / none.requestsPerSec,
      p99VsNone: s.p99Ms / none.p99Ms,
      rssVsNone: s.peakRssMiB / none.peakRssMiB,
      addedStartupMs: s.startupMs - none.startupMs,
      addedStartupCpuMs: s.startupCpuMs - none.startupCpuMs,
    };
  }
  const ratio = arms.otelkit.requestsPerSec / arms.upstream.requestsPerSec;
  const esm = (arm: ArmName) => starts.filter((s) => s.arm === arm && s.module === 'esm');
  const esmNone = esm('none');
  const esmOtelkit = esm('otelkit');
  const esmMedian = (list: StartSample[], key: 'firstOkMs' | 'firstOkCpuMs') =>
    median(list.map((s) => s[key]));
  return {
    arms,
    esmStartup: {
      noneMs: esmMedian(esmNone, 'firstOkMs'),
      otelkitMs: esmMedian(esmOtelkit, 'firstOkMs'),
      addedMs: esmMedian(esmOtelkit, 'firstOkMs') - esmMedian(esmNone, 'firstOkMs'),
      addedCpuMs: esmMedian(esmOtelkit, 'firstOkCpuMs') - esmMedian(esmNone, 'firstOkCpuMs'),
      samplesMs: { none: esmNone.map((s) => s.firstOkMs), otelkit: esmOtelkit.map((s) => s.firstOkMs) },
    },
    otelkitVsUpstreamThroughput: ratio,
    addedCpuUs: {
      upstream: arms.upstream.cpuUsPerRequest - arms.none.cpuUsPerRequest,
      otelkit: arms.otelkit.cpuUsPerRequest - arms.none.cpuUsPerRequest,
      otelkitExport: arms.otelkit.cpuUsPerRequest - arms['otelkit-no-export'].cpuUsPerRequest,
      otelkitInstrumentation: arms['otelkit-no-export'].cpuUsPerRequest - arms.none.cpuUsPerRequest,
      budgetForTarget: arms.upstream.cpuUsPerRequest / THROUGHPUT_TARGET - arms.none.cpuUsPerRequest,
    },
    targets: {
      throughput: { value: ratio, target: THROUGHPUT_TARGET, met: ratio >= THROUGHPUT_TARGET },
      startup: {
        value: arms.otelkit.addedStartupMs,
        target: STARTUP_TARGET_MS,
        met: arms.otelkit.addedStartupMs < STARTUP_TARGET_MS,
      },
    },
  };
}

const LABELS: Record<ArmName, string> = {
  none: 'uninstrumented',
  upstream: 'upstream `auto-instrumentations-node/register`',
  otelkit: '`@otelkit/node/register`',
  'otelkit-no-export': '`@otelkit/node/register`, exporters off (diagnostic)',
};

const f = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const x = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '–');
/**
 * A ratio checked against a target, cut (not rounded) to three decimals: 1.4999 reads 1.499×,
 * never a 1.50× that the verdict beside it calls missed.
 */
const versusTarget = (value: number) =>
  Number.isFinite(value) ? `${(Math.floor(value * 1000) / 1000).toFixed(3)}×` : '–';
const signed = (value: number) =>
  Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${value.toFixed(0)}` : '–';

/** The summary as markdown: the main table, the targets, telemetry cross-check and raw rounds. */
export function markdown(summary: Summary, rounds: readonly LoadRound[]): string {
  const lines = [
    '| arm | requests/s | vs uninstr. | p99 ms | vs uninstr. | peak RSS MiB | vs uninstr. | server CPU µs/req | first listen ms (median) | added ms | CPU to first listen ms | added CPU ms |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const arm of ARM_NAMES) {
    const s = summary.arms[arm];
    lines.push(
      `| ${LABELS[arm]} | ${f(s.requestsPerSec)} | ${x(s.throughputVsNone)} | ${f(s.p99Ms, 1)} | ${x(s.p99VsNone)} | ${f(s.peakRssMiB, 1)} | ${x(s.rssVsNone)} | ${f(s.cpuUsPerRequest)} | ${f(s.startupMs)} | ${arm === 'none' ? '–' : signed(s.addedStartupMs)} | ${f(s.startupCpuMs)} | ${arm === 'none' ? '–' : signed(s.addedStartupCpuMs)} |`,
    );
  }
  const { throughput, startup } = summary.targets;
  lines.push(
    '',
    `- otelkit / upstream throughput: **${versusTarget(throughput.value)}** (target ≥ ${throughput.target}×): **${throughput.met ? 'met' : 'missed'}**`,
    `- otelkit added start-up: **${signed(startup.value)} ms** (target < ${startup.target} ms): **${startup.met ? 'met' : 'missed'}**; upstream adds ${signed(summary.arms.upstream.addedStartupMs)} ms`,
    `- server CPU added per request over uninstrumented: upstream ${signed(summary.addedCpuUs.upstream)} µs, otelkit ${signed(summary.addedCpuUs.otelkit)} µs = ${signed(summary.addedCpuUs.otelkitInstrumentation)} µs instrumenting (the exporters-off arm) + ${signed(summary.addedCpuUs.otelkitExport)} µs exporting; the throughput target needs otelkit at about ${signed(summary.addedCpuUs.budgetForTarget)} µs or less`,
    `- the same server as an ES module (server.mjs; otelkit also installs its ESM hooks, on the loader thread before Node 22.22.3 and 24.11.1): otelkit adds **${signed(summary.esmStartup.addedMs)} ms** (CPU ${signed(summary.esmStartup.addedCpuMs)} ms) to ${f(summary.esmStartup.noneMs)} ms uninstrumented; ${summary.esmStartup.addedMs < STARTUP_TARGET_MS ? 'also' : 'not'} under the target; upstream not measured (its ESM path needs a second loader flag)`,
    '',
    'Telemetry the Collector accepted (cross-check that both instrumented arms export every signal):',
    '',
    '| arm | spans / request | log records / request | metric points per server |',
    '|---|---:|---:|---:|',
  );
  for (const arm of ['upstream', 'otelkit'] as const) {
    const s = summary.arms[arm];
    lines.push(
      `| ${LABELS[arm]} | ${f(s.spansPerRequest, 2)} | ${f(s.logRecordsPerRequest, 2)} | ${f(s.metricPoints)} |`,
    );
  }
  // A round whose telemetry did not all arrive did less export work than the others: flag it,
  // against the arm's best round (the arms make different numbers of spans per request).
  for (const arm of ['upstream', 'otelkit'] as const) {
    const mine = rounds.filter((r) => r.arm === arm);
    for (const [items, count] of [
      ['spans', (r: LoadRound) => r.accepted.spans],
      ['log records', (r: LoadRound) => r.accepted.logRecords],
    ] as const) {
      const perRequest = (r: LoadRound) => count(r) / r.requestsServed;
      const best = Math.max(...mine.map(perRequest));
      for (const r of mine.filter((round) => perRequest(round) < 0.98 * best)) {
        lines.push(
          '',
          `- **Telemetry lost in round ${r.round}, ${LABELS[arm]}:** the Collector accepted ${f(perRequest(r), 2)} ${items} per request against ${f(best, 2)} in this arm's best round; the SDK or the Collector dropped the rest, so this round did less export work and its figures flatter the arm.`,
        );
      }
    }
  }
  lines.push(
    '',
    'Rounds (CPU in cores: server / Collector+stack / autocannon / anything else on the machine):',
    '',
    '| round | arm | requests/s | p99 ms | peak RSS MiB | µs/req | CPU server / stack / load / other | spans / log records accepted per request (spans refused) | stopped by |',
    '|---:|---|---:|---:|---:|---:|---|---|---|',
  );
  for (const r of rounds) {
    lines.push(
      `| ${r.round} | ${r.arm} | ${f(r.load.requestsPerSec)} | ${f(r.load.p99Ms, 1)} | ${f(r.peakRssMiB, 1)} | ${f(r.cpuUsPerRequest)} | ${f(r.serverCores, 2)} / ${f(r.stackCores, 2)} / ${f(r.loadGenCores, 2)} / ${f(r.otherCores, 2)} | ${r.arm === 'none' ? '–' : `${f(r.accepted.spans / r.requestsServed, 2)} / ${f(r.accepted.logRecords / r.requestsServed, 2)} (${f(r.accepted.refusedSpans)})`} | ${r.stoppedBy} |`,
    );
  }
  return lines.join('\n');
}

/**
 * bench/node-overhead: what instrumentation costs a hello-world Express 5 server, in one run,
 * three arms on the same server and load: uninstrumented, upstream
 * `@opentelemetry/auto-instrumentations-node/register`, and `@otelkit/node/register`; both
 * instrumented arms with traces, metrics and logs at 100% sampling, exported to the real
 * Collector pipeline of `startStack({ ports: 'auto' })`. A fourth arm, otelkit with every
 * exporter off, splits otelkit's CPU per request into instrumenting and exporting; it is a
 * diagnostic, not part of the comparison.
 *
 *   pnpm exec tsx bench/node-overhead/run.ts [--duration=10] [--warmup=3] [--rounds=4]
 *       [--starts=10] [--connections=50] [--pipelining=1] [--log=per-request|none]
 *       [--metric-interval=10000] [--cpu-prof-dir=DIR]
 *
 * Start-up: each arm is started `starts` times (arms interleaved, order reversed every pass)
 * and timed from spawn to the first HTTP 200; the median counts. The uninstrumented and otelkit
 * arms are also started with server.mjs, the same server as an ES module. Load: per round, each arm gets
 * a fresh server, `warmup` s of untimed load, then `duration` s measured with autocannon; rounds
 * alternate the arm order (A B C, C B A, ...) so drift hits every arm alike. Prints a markdown
 * table and one `RESULT {json}` line. Everything listens on 127.0.0.1, and every process it
 * starts is stopped before it returns, on failure and on Ctrl-C too. Linux only (/proc).
 *
 * `--cpu-prof-dir` adds `--cpu-prof` to the load rounds' servers, which then exit on SIGUSR2
 * so that Node writes the profile; profiling slows the servers, so its figures are not results.
 */
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort, type Stack, startStack } from '@otelkit/stack';
import { ARM_NAMES, type Arm, type ArmName, armsFor, cleanEnvironment, STARTUP_ARM_NAMES } from './arms.js';
import { accepted, delta } from './collector.js';
import { type LoadShape, runLoad } from './load.js';
import { machineBusySeconds, processCpuSeconds, statusMiB } from './proc.js';
import { type LoadRound, markdown, type ServerModule, type StartSample, summarise } from './report.js';
import { type ServerProcess, startServer } from './server-process.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Run parameters. */
export interface BenchConfig {
  /** Measured seconds per arm and round. */
  durationS: number;
  /** Untimed seconds of load before each measured window. */
  warmupS: number;
  /** Load rounds; each runs every arm once. */
  rounds: number;
  /** Start-up measurements per arm. */
  starts: number;
  /** Load shape. */
  shape: LoadShape;
  /** `per-request`: the server logs one winston line per request; `none`: it logs nothing. */
  log: 'per-request' | 'none';
  /** `OTEL_METRIC_EXPORT_INTERVAL` of the instrumented arms, ms. */
  metricIntervalMs: number;
  /** Where `--cpu-prof` writes the load rounds' profiles; no profiling when undefined. */
  cpuProfDir: string | undefined;
}

function parseConfig(argv: readonly string[]): BenchConfig {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    const match = /^--([a-z-]+)=(.*)$/.exec(arg);
    if (!match?.[1] || match[2] === undefined) throw new Error(`unknown argument ${arg} (use --name=value)`);
    flags.set(match[1], match[2]);
  }
  const known = new Set([
    'duration',
    'warmup',
    'rounds',
    'starts',
    'connections',
    'pipelining',
    'log',
    'metric-interval',
    'cpu-prof-dir',
  ]);
  for (const name of flags.keys()) if (!known.has(name)) throw new Error(`unknown option --${name}`);
  const int = (name: string, fallback: number, min: number) => {
    const value = flags.get(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min)
      throw new Error(`--${name}=${value}: expected an integer ≥ ${min}`);
    return parsed;
  };
  const log = flags.get('log') ?? 'per-request';
  if (log !== 'per-request' && log !== 'none') throw new Error(`--log=${log}: expected per-request or none`);
  const cpuProfDir = flags.get('cpu-prof-dir');
  return {
    durationS: int('duration', 10, 1),
    warmupS: int('warmup', 3, 0),
    rounds: int('rounds', 4, 1),
    starts: int('starts', 10, 1),
    shape: { connections: int('connections', 50, 1), pipelining: int('pipelining', 1, 1) },
    log,
    metricIntervalMs: int('metric-interval', 10_000, 100),
    cpuProfDir: cpuProfDir === undefined ? undefined : resolve(cpuProfDir),
  };
}

/**
 * The Collector's memory_limiter ceiling in this benchmark, against 512 MiB by default. With the
 * default, the upstream arm's traffic held in tail sampling took the Collector over its soft limit,
 * and it refused spans into the round that followed: the SDK then dropped telemetry it never had to
 * encode or send, which flattered that round (otelkit's, whenever it came after upstream). The
 * machine has the memory; the comparison needs a Collector that takes everything from either arm.
 */
const COLLECTOR_MEMORY_LIMIT_MIB = 2048;

/** Arm order of pass `i`: forwards on even passes, backwards on odd ones. */
const order = (i: number): readonly ArmName[] => (i % 2 === 0 ? ARM_NAMES : [...ARM_NAMES].reverse());

const say = (line: string) => process.stderr.write(`${line}\n`);

/** CPU seconds used so far by the stack's processes (Collector, sink, Prometheus, Alertmanager). */
function stackCpuSeconds(stack: Stack): number {
  let total = 0;
  for (const [name, p] of Object.entries(stack.processes)) {
    const seconds = p.pid === undefined ? Number.NaN : processCpuSeconds(p.pid);
    if (Number.isNaN(seconds))
      say(`stack: cannot read the CPU time of ${name} (pid ${p.pid}, running ${p.running})`);
    total += seconds;
  }
  return total;
}

/**
 * Waits until the Collector is nearly idle (under 5% of a core over half a second), at most
 * `maxMs`. Tail sampling holds traces for its decision wait (10 s) and then exports them: without
 * this pause that work would land in the next arm's measured window.
 */
async function waitCollectorIdle(stack: Stack, maxMs = 20_000): Promise<void> {
  const pid = stack.processes.collector.pid;
  if (pid === undefined) return;
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    const before = processCpuSeconds(pid);
    await sleep(500);
    if (processCpuSeconds(pid) - before < 0.025) return;
  }
}

/** Cores' worth of CPU other processes (not this one, not the stack) used over `windowMs`. */
async function foreignCores(stack: Stack, windowMs: number): Promise<number> {
  const machine0 = machineBusySeconds();
  const stack0 = stackCpuSeconds(stack);
  const self0 = process.cpuUsage();
  await sleep(windowMs);
  const self = process.cpuUsage(self0);
  const busy =
    machineBusySeconds() - machine0 - (stackCpuSeconds(stack) - stack0) - (self.user + self.system) / 1e6;
  return Math.max(0, busy) / (windowMs / 1000);
}

/**
 * Waits, at most `maxMs`, until other processes use under 0.2 of a core: on a shared 2-core
 * machine a test suite starting next door halves a window's throughput. It cannot stop load
 * that starts mid-window; the rounds table reports that (the "other" column).
 */
async function waitQuiet(ctx: Context, windowMs: number, maxMs = 60_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let cores = await foreignCores(ctx.stack, windowMs);
  if (cores < 0.2) return;
  say(`machine busy (${cores.toFixed(2)} cores used by other processes): waiting up to ${maxMs / 1000} s`);
  while (Date.now() < deadline) {
    cores = await foreignCores(ctx.stack, windowMs);
    if (cores < 0.2) return;
  }
  ctx.busyWarnings++;
  say(`machine still busy (${cores.toFixed(2)} cores): measuring anyway`);
}

interface Context {
  config: BenchConfig;
  stack: Stack;
  arms: Record<ArmName, Arm>;
  baseEnv: Record<string, string>;
  servers: Set<ServerProcess>;
  /** Servers started with `--cpu-prof`. */
  profiled: WeakSet<ServerProcess>;
  /** Measurements taken although other processes kept the machine busy. */
  busyWarnings: number;
}

async function launch(
  ctx: Context,
  arm: Arm,
  profile: boolean,
  module: ServerModule = 'cjs',
): Promise<ServerProcess> {
  // One directory per arm, profiles named by Node: the otelkit arm's ESM hooks thread writes a
  // profile of its own, which a fixed --cpu-prof-name would overwrite.
  const extra =
    profile && ctx.config.cpuProfDir
      ? ['--cpu-prof', `--cpu-prof-dir=${join(ctx.config.cpuProfDir, arm.name)}`]
      : [];
  const server = await startServer(arm, {
    entry: join(HERE, module === 'cjs' ? 'server.cjs' : 'server.mjs'),
    cwd: HERE,
    port: await freePort(),
    baseEnv: ctx.baseEnv,
    serverEnv: { BENCH_LOG: ctx.config.log },
    extraNodeArgs: extra,
  });
  ctx.servers.add(server);
  if (extra.length > 0) ctx.profiled.add(server);
  return server;
}

async function stop(ctx: Context, server: ServerProcess, graceMs: number) {
  if (ctx.profiled.has(server)) {
    // server.cjs exits cleanly on SIGUSR2 when profiling, so Node writes the profile.
    try {
      process.kill(server.pid, 'SIGUSR2');
      await sleep(2000);
    } catch {
      // Already gone: nothing to write.
    }
  }
  const how = await server.stop(graceMs);
  ctx.servers.delete(server);
  return how;
}

async function measureStartups(ctx: Context): Promise<StartSample[]> {
  // One untimed start per arm first: the first launch reads every module from disk, later ones
  // from the page cache, and that would penalise whichever arm happened to go first.
  // The ES-module server runs in the uninstrumented and otelkit arms only: upstream's ESM path
  // needs a second loader flag, which is not the setup its register entry documents.
  const launches = (pass: number): [ArmName, ServerModule][] => {
    const arms = order(pass).filter((name) => STARTUP_ARM_NAMES.includes(name));
    return [
      ...arms.map((name): [ArmName, ServerModule] => [name, 'cjs']),
      ...arms.filter((name) => name !== 'upstream').map((name): [ArmName, ServerModule] => [name, 'esm']),
    ];
  };
  for (const [name, module] of launches(0)) {
    await stop(ctx, await launch(ctx, ctx.arms[name], false, module), 1000);
  }
  const samples: StartSample[] = [];
  for (let i = 0; i < ctx.config.starts; i++) {
    for (const [name, module] of launches(i)) {
      await waitQuiet(ctx, 500);
      const server = await launch(ctx, ctx.arms[name], false, module);
      samples.push({ arm: name, module, firstOkMs: server.firstOkMs, firstOkCpuMs: server.firstOkCpuMs });
      // Upstream's SIGTERM handler flushes but never exits, so a short grace before SIGKILL.
      await stop(ctx, server, 1000);
      say(
        `start-up ${i + 1}/${ctx.config.starts} ${name} (${module}): ${server.firstOkMs.toFixed(0)} ms (CPU ${server.firstOkCpuMs.toFixed(0)} ms)`,
      );
    }
  }
  return samples;
}

async function measureLoad(ctx: Context, arm: Arm, round: number): Promise<LoadRound> {
  const { config, stack } = ctx;
  await waitCollectorIdle(stack);
  await waitQuiet(ctx, 1000);
  const acceptedBefore = await accepted(stack.endpoints.collectorMetrics);
  const server = await launch(ctx, arm, true);
  const target = `${server.url}/hello/world`;
  const warm = config.warmupS > 0 ? await runLoad(target, config.warmupS, config.shape) : undefined;

  const server0 = processCpuSeconds(server.pid);
  const stack0 = stackCpuSeconds(stack);
  const self0 = process.cpuUsage();
  const machine0 = machineBusySeconds();
  const load = await runLoad(target, config.durationS, config.shape);
  const machine1 = machineBusySeconds();
  const self = process.cpuUsage(self0);
  const serverCpu = processCpuSeconds(server.pid) - server0;
  const stackCpu = stackCpuSeconds(stack) - stack0;
  const peakRssMiB = statusMiB(server.pid, 'VmHWM');

  const stoppedBy = await stop(ctx, server, 5000);
  // Both SDKs flush on SIGTERM; give the Collector's receiver a moment to count the last batch.
  await sleep(500);
  const acceptedAfter = await accepted(stack.endpoints.collectorMetrics);
  const selfCpu = (self.user + self.system) / 1e6;
  const seconds = load.seconds;
  const stderr = server.stderr().trim();
  if (stderr) say(`${arm.name} stderr:\n${stderr}`);
  return {
    arm: arm.name,
    round,
    load,
    peakRssMiB,
    cpuUsPerRequest: (serverCpu * 1e6) / load.requests,
    serverCores: serverCpu / seconds,
    stackCores: stackCpu / seconds,
    loadGenCores: selfCpu / seconds,
    otherCores: Math.max(0, machine1 - machine0 - serverCpu - stackCpu - selfCpu) / seconds,
    requestsServed: 1 + (warm?.requests ?? 0) + load.requests,
    accepted: delta(acceptedBefore, acceptedAfter),
    stoppedBy,
  };
}

async function main(): Promise<void> {
  const config = parseConfig(process.argv.slice(2));
  const loadBefore = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  if (config.cpuProfDir) mkdirSync(config.cpuProfDir, { recursive: true });
  say(`node-overhead: ${JSON.stringify(config)}`);
  say(
    `starting the native stack (Collector with a ${COLLECTOR_MEMORY_LIMIT_MIB} MiB memory limit, Prometheus, Alertmanager, sink)...`,
  );
  const stack = await startStack({
    ports: 'auto',
    collectorEnv: { OTELKIT_MEMORY_LIMIT_MIB: String(COLLECTOR_MEMORY_LIMIT_MIB) },
  });
  const ctx: Context = {
    config,
    stack,
    arms: armsFor({ otlpHttp: stack.endpoints.otlpHttp, metricExportIntervalMs: config.metricIntervalMs }),
    baseEnv: cleanEnvironment(),
    servers: new Set(),
    profiled: new WeakSet(),
    busyWarnings: 0,
  };
  let cleaning: Promise<void> | undefined;
  const cleanup = () => {
    cleaning ??= (async () => {
      for (const server of ctx.servers) await server.stop(1000);
      await stack.stop();
    })();
    return cleaning;
  };
  const onSignal = () => {
    say('interrupted: stopping every process started...');
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const starts = await measureStartups(ctx);
    const rounds: LoadRound[] = [];
    for (let r = 0; r < config.rounds; r++) {
      for (const name of order(r)) {
        const result = await measureLoad(ctx, ctx.arms[name], r + 1);
        rounds.push(result);
        say(
          `round ${r + 1} ${name}: ${result.load.requestsPerSec.toFixed(0)} req/s, p99 ${result.load.p99Ms} ms, ` +
            `peak RSS ${result.peakRssMiB.toFixed(1)} MiB, errors ${result.load.errors}, non-2xx ${result.load.non2xx}`,
        );
      }
    }
    const summary = summarise(starts, rounds);
    const cpu = cpus();
    const machine = `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, Node ${process.version}, load average before the run ${loadBefore}`;
    const out = [
      '',
      `Machine: ${machine}`,
      `Load: autocannon, ${config.shape.connections} connections, pipelining ${config.shape.pipelining}, ` +
        `${config.warmupS} s warm-up + ${config.durationS} s measured, ${config.rounds} rounds; ` +
        `start-up: ${config.starts} starts per arm; log per request: ${config.log}` +
        `${config.cpuProfDir ? '; PROFILING (--cpu-prof): figures not comparable' : ''}`,
      '',
      markdown(summary, rounds),
      '',
      ...(ctx.busyWarnings > 0
        ? [
            `WARNING: ${ctx.busyWarnings} measurements were taken while other processes kept the machine busy.`,
            '',
          ]
        : []),
      `Start-up samples (ms): ${STARTUP_ARM_NAMES.map((a) => `${a} ${summary.arms[a].startupSamplesMs.map((v) => v.toFixed(0)).join(', ')}`).join('; ')}`,
      `ESM start-up samples (ms): ${(['none', 'otelkit'] as const).map((a) => `${a} ${summary.esmStartup.samplesMs[a].map((v) => v.toFixed(0)).join(', ')}`).join('; ')}`,
      '',
      `RESULT ${JSON.stringify({ machine, config, summary, rounds, busyWarnings: ctx.busyWarnings })}`,
    ];
    process.stdout.write(`${out.join('\n')}\n`);
    const failures = ARM_NAMES.reduce((a, name) => a + summary.arms[name].failures, 0);
    if (failures > 0) {
      say(`node-overhead: ${failures} failed or non-2xx requests: the figures are not valid`);
      process.exitCode = 1;
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup();
  }
}

main().catch((error: unknown) => {
  say(`node-overhead: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});

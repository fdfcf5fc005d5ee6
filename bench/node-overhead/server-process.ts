import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Arm } from './arms.js';
import { processCpuSeconds } from './proc.js';

/** A server.cjs process of one arm, answering on 127.0.0.1. */
export interface ServerProcess {
  /** The arm it runs. */
  arm: Arm;
  /** PID of the node process itself (no shell in between, so /proc/<pid> is the server). */
  pid: number;
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Milliseconds from `spawn()` to the first HTTP 200 from the route under test. */
  firstOkMs: number;
  /**
   * CPU milliseconds (all threads) the process had used by then: less sensitive than
   * {@link firstOkMs} to other work on the machine, at 10 ms resolution.
   */
  firstOkCpuMs: number;
  /** The process's stderr so far (bounded): SDK warnings show up here. */
  stderr(): string;
  /** Stops it: SIGTERM, then SIGKILL after `graceMs`. Says which one ended it. */
  stop(graceMs?: number): Promise<'sigterm' | 'sigkill' | 'exited'>;
}

/** Options of {@link startServer}. */
export interface StartServerOptions {
  /** Absolute path of server.cjs. */
  entry: string;
  /** Working directory; the preload specifiers resolve from here (bench/node_modules). */
  cwd: string;
  /** Port to listen on. */
  port: number;
  /** Environment before the arm's own variables. */
  baseEnv: Readonly<Record<string, string>>;
  /** Extra server environment (BENCH_LOG). */
  serverEnv: Readonly<Record<string, string>>;
  /** Extra Node flags before the arm's (e.g. `--cpu-prof`). */
  extraNodeArgs?: readonly string[];
  /** Give up after this long without a 200, ms. */
  timeoutMs?: number;
}

const STDERR_LIMIT = 8192;
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills any server still running if the bench exits without stopping it (a crash, Ctrl-C). */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/** One GET; resolves with the status, or 0 when nothing answers (refused, reset, timeout). */
function probe(url: string): Promise<number> {
  return new Promise((resolveStatus) => {
    const req = request(url, { agent: false, timeout: 1000 }, (res) => {
      res.resume();
      res.once('end', () => resolveStatus(res.statusCode ?? 0));
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolveStatus(0));
    req.end();
  });
}

/**
 * Spawns `node <arm flags> server.cjs` and resolves once `GET /hello/start` answers 200, with
 * the time that took: what a user waits for after a deploy before the service serves.
 *
 * Polls every 5 ms: a coarser interval would add its own granularity to a figure whose targets
 * are a few hundred ms apart, and a refused connect on loopback costs microseconds.
 */
export async function startServer(arm: Arm, options: StartServerOptions): Promise<ServerProcess> {
  const url = `http://127.0.0.1:${options.port}`;
  const args = [...(options.extraNodeArgs ?? []), ...arm.nodeArgs, options.entry];
  const env = { ...options.baseEnv, ...arm.env, ...options.serverEnv, PORT: String(options.port) };
  installExitHook();
  const t0 = performance.now();
  // stdout (one winston line per request) goes to /dev/null in every arm alike.
  const child = spawn(process.execPath, args, { cwd: options.cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  live.add(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    if (stderr.length < STDERR_LIMIT) stderr += chunk.slice(0, STDERR_LIMIT - stderr.length);
  });
  const exited = new Promise<void>((resolveExit) => {
    child.once('exit', () => {
      live.delete(child);
      resolveExit();
    });
  });
  const running = () => child.exitCode === null && child.signalCode === null;

  const stop = async (graceMs = 5000): Promise<'sigterm' | 'sigkill' | 'exited'> => {
    if (!running()) return 'exited';
    child.kill('SIGTERM');
    const timedOut = await Promise.race([exited.then(() => false), sleep(graceMs).then(() => true)]);
    if (!timedOut) return 'sigterm';
    child.kill('SIGKILL');
    await exited;
    return 'sigkill';
  };

  const deadline = t0 + (options.timeoutMs ?? 30_000);
  try {
    for (;;) {
      if (!running()) throw new Error(`${arm.label}: server exited before answering:\n${stderr}`);
      if ((await probe(`${url}/hello/start`)) === 200) break;
      if (performance.now() > deadline)
        throw new Error(`${arm.label}: no 200 from ${url} in time:\n${stderr}`);
      await sleep(5);
    }
  } catch (error) {
    await stop(1000);
    throw error;
  }
  const firstOkMs = performance.now() - t0;
  if (child.pid === undefined) throw new Error(`${arm.label}: spawned without a pid`);
  const firstOkCpuMs = processCpuSeconds(child.pid) * 1000;
  return { arm, pid: child.pid, url, firstOkMs, firstOkCpuMs, stderr: () => stderr, stop };
}

#!/usr/bin/env node
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pickDemoPorts, startDemoServices } from './demo/run-demo-services.js';
import { DEMO_SERVICE_NAMES, type DemoPorts } from './demo/services.js';
import { doctor } from './doctor.js';
import { defaultStateDir } from './paths.js';
import { MissingPrerequisiteError, provision } from './provision/index.js';
import { COMPONENTS, type Stack, startStack } from './stack.js';
import { clearState, isOurProcess, readState, type StackState, writeState } from './state-file.js';

const USAGE = `usage: otelkit <command> [--state-dir DIR]

  up [--demo]   build what is missing, start the Collector, Prometheus, Alertmanager, the
                blackbox exporter and the Loki/Tempo sink on 127.0.0.1 in the background;
                --demo also runs Redis, the example services (orders-api, inventory-api,
                accounts-api) and the demo traffic generator
  down          stop what "otelkit up" started (only those PIDs)
  status        show each backend: running or not, ready or not, where
  doctor        check prerequisites, one line each
  provision     build or install every backend "up" runs (cached; a second run rebuilds nothing);
                --loki also builds Loki from its Go module, which the tests run (about 3 min, once)`;

const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      'state-dir': { type: 'string' },
      demo: { type: 'boolean', default: false },
      loki: { type: 'boolean', default: false },
      help: { type: 'boolean' },
    },
  });
  const command = positionals[0];
  // Before any command runs: "otelkit up --help" must not start the stack.
  if (values.help) {
    say(USAGE);
    return 0;
  }
  const stateDir = values['state-dir'] ?? defaultStateDir();
  switch (command) {
    case 'provision': {
      const started = Date.now();
      // Loki only when asked: "up" never runs it, and its first build takes minutes.
      const binaries = await provision(say, { loki: values.loki ?? false });
      const built = Object.values(binaries).filter((b) => b.built).length;
      say(
        built === 0
          ? `provision: nothing rebuilt, every backend came from the cache (${Date.now() - started} ms)`
          : `provision: built or installed ${built} backend(s) in ${Math.round((Date.now() - started) / 1000)} s`,
      );
      return 0;
    }
    case 'up':
      return up(stateDir, values.demo ?? false);
    case 'down':
      return down(stateDir);
    case 'status':
      return status(stateDir);
    case 'doctor': {
      const findings = await doctor();
      for (const f of findings) say(`${f.status.padEnd(7)} ${f.name}: ${f.detail}`);
      return findings.some((f) => f.status === 'missing') ? 1 : 0;
    }
    default:
      say(USAGE);
      return command === undefined ? 0 : 2;
  }
}

async function up(stateDir: string, demo: boolean): Promise<number> {
  const existing = readState(stateDir);
  if (existing && Object.values(existing.processes).some((p) => isOurProcess(p.pid, p.command))) {
    say(
      `otelkit: already running from ${stateDir}; "pnpm otelkit status" shows it, "pnpm otelkit down" stops it`,
    );
    return 1;
  }
  mkdirSync(stateDir, { recursive: true });
  // The demo's ports are chosen first: Prometheus' uptime probes are rendered with them.
  const demoPorts = demo ? await pickDemoPorts('default') : undefined;
  // Ctrl-C while the detached backends or demo services start: they would outlive this process,
  // unrecorded.
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const stack = await startStack({
      stateDir,
      detached: true,
      report: say,
      signal: interrupt.signal,
      ...(demoPorts ? { demoPorts, collectorEnv: demoCollectorEnv(demoPorts) } : {}),
    });
    const processes: StackState['processes'] = {};
    for (const name of COMPONENTS) {
      const proc = stack.processes[name];
      if (proc.pid)
        processes[name] = { pid: proc.pid, command: proc.spec.command, logFile: proc.spec.logFile };
    }
    const save = () =>
      writeState(stateDir, {
        startedAt: new Date().toISOString(),
        ports: stack.ports,
        endpoints: stack.endpoints,
        processes,
      });
    // Saved before the demo starts, so that "otelkit down" stops the stack even if the demo fails.
    save();
    if (demoPorts) {
      try {
        await startDemo(stack, stateDir, demoPorts, processes, interrupt.signal);
      } catch (error) {
        // A Ctrl-C stops all of "up", not only the demo services it reached.
        if (interrupt.signal.aborted) {
          await stack.stop();
          clearState(stateDir);
        }
        throw error;
      }
      save();
    }
    printEndpoints(stack, stateDir, demoPorts);
    return 0;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** Where everything "otelkit up" started can be reached. */
function printEndpoints(stack: Stack, stateDir: string, demoPorts: DemoPorts | undefined): void {
  const e = stack.endpoints;
  say('');
  say(`OTLP         ${e.otlpHttp} (HTTP)  ${e.otlpGrpc} (gRPC)`);
  say(`Prometheus   ${e.prometheus} (alerts: ${e.prometheus}/alerts)   Alertmanager ${e.alertmanager}`);
  say(`Logs and traces (Loki/Tempo stand-in): ${e.sinkDir}/{logs,traces}.jsonl`);
  if (demoPorts) {
    say(`Demo web page http://localhost:${demoPorts['orders-api']}/ (served by orders-api)`);
    say(
      `Demo APIs    orders-api http://127.0.0.1:${demoPorts['orders-api']}  inventory-api http://127.0.0.1:${demoPorts['inventory-api']}  accounts-api http://127.0.0.1:${demoPorts['accounts-api']}`,
    );
    say('Grafana      not available natively: "docker compose up" runs it with the dashboards');
  }
  say(`State and logs: ${stateDir}   Stop with: pnpm otelkit down`);
}

/**
 * The Collector accepts browser telemetry from the demo's web page (served by orders-api), unless
 * the user chose the allowed origins.
 */
function demoCollectorEnv(ports: DemoPorts): Record<string, string> {
  if (process.env.OTELKIT_CORS_ALLOWED_ORIGINS) return {};
  const page = ports['orders-api'];
  return {
    OTELKIT_CORS_ALLOWED_ORIGINS: `[http://localhost:${page}, http://127.0.0.1:${page}, http://localhost:5173, http://localhost:8080]`,
  };
}

/**
 * Starts Redis and the example services against the stack's Collector, then the traffic
 * generator (dist/demo.js, the same one docker compose runs), all detached, and records each in
 * `processes` for "otelkit down".
 */
async function startDemo(
  stack: Stack,
  stateDir: string,
  ports: DemoPorts,
  processes: StackState['processes'],
  signal: AbortSignal,
): Promise<void> {
  const logDir = join(stateDir, 'logs');
  const services = await startDemoServices({
    otlpHttp: stack.endpoints.otlpHttp,
    ports,
    logDir,
    dataDir: join(stateDir, 'redis'),
    detached: true,
    report: say,
    signal,
  });
  for (const name of ['redis', ...DEMO_SERVICE_NAMES] as const) {
    const proc = services.processes[name];
    // A node service is recognised by its entry file: every service's executable is node.
    const command = name === 'redis' ? proc.spec.command : (proc.spec.args.at(-1) ?? proc.spec.command);
    if (proc.pid) processes[name] = { pid: proc.pid, command, logFile: proc.spec.logFile };
  }
  const logFile = join(logDir, 'demo-traffic.log');
  const fd = openSync(logFile, 'a');
  const demoScript = fileURLToPath(new URL('./demo.js', import.meta.url));
  const child = spawn(process.execPath, [demoScript], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: {
      ...process.env,
      OTEL_EXPORTER_OTLP_ENDPOINT: stack.endpoints.otlpHttp,
      ORDERS_URL: services.urls['orders-api'],
      ACCOUNTS_URL: services.urls['accounts-api'],
      INVENTORY_URL: services.urls['inventory-api'],
    },
  });
  closeSync(fd);
  child.unref();
  if (child.pid) processes['demo-traffic'] = { pid: child.pid, command: demoScript, logFile };
  say(`demo-traffic: sending a realistic mix to the example services (pid ${child.pid}, log ${logFile})`);
}

async function down(stateDir: string): Promise<number> {
  const state = readState(stateDir);
  if (!state) {
    say(`otelkit: nothing started from ${stateDir}`);
    return 0;
  }
  // Stop in reverse start order (the state lists processes as they started): the demo first,
  // then the Collector, so it flushes to backends that are still up.
  const names = Object.keys(state.processes).reverse();
  for (const name of names) {
    const proc = state.processes[name];
    if (!proc) continue;
    if (!isOurProcess(proc.pid, proc.command)) {
      say(`${name}: not running (pid ${proc.pid} gone or reused)`);
      continue;
    }
    signal(proc.pid, 'SIGTERM');
    let alive = true;
    for (let waited = 0; waited < 15_000 && alive; waited += 100) {
      await sleep(100);
      alive = isOurProcess(proc.pid, proc.command);
    }
    if (alive) signal(proc.pid, 'SIGKILL');
    say(`${name}: stopped (pid ${proc.pid}${alive ? ', killed after 15 s' : ''})`);
  }
  clearState(stateDir);
  return 0;
}

/** Signals `pid`; one that has exited since it was checked is already where `down` wants it. */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function status(stateDir: string): Promise<number> {
  const state = readState(stateDir);
  if (!state) {
    say(`otelkit: not running (no stack started from ${stateDir})`);
    return 3;
  }
  const readyUrls: Record<string, string> = {
    collector: state.endpoints.collectorHealth,
    prometheus: `${state.endpoints.prometheus}/-/ready`,
    alertmanager: `${state.endpoints.alertmanager}/-/ready`,
    blackbox: `http://127.0.0.1:${state.ports.blackbox}/-/healthy`,
    sink: `http://127.0.0.1:${state.ports.sinkHealth}/`,
  };
  let healthy = true;
  for (const [name, proc] of Object.entries(state.processes)) {
    const running = isOurProcess(proc.pid, proc.command);
    let ready = running;
    const url = readyUrls[name];
    if (running && url) {
      ready = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.ok,
        () => false,
      );
    }
    healthy &&= running && ready;
    say(
      `${name.padEnd(13)} ${running ? (ready ? 'ready  ' : 'running (not ready)') : 'stopped'} pid ${proc.pid}  log ${proc.logFile}`,
    );
  }
  return healthy ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof MissingPrerequisiteError) say(`missing ${error.message}`);
    else say(`otelkit: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);

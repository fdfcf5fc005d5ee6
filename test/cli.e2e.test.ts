import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SpanMetrics } from '@otelkit/conventions';
import { DEFAULT_PORTS, repoRoot } from '@otelkit/stack';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from './helpers/poll.js';
import { query } from './helpers/prometheus.js';
import { sinkSpans } from './helpers/sink.js';

const exec = promisify(execFile);
const cli = join(repoRoot(), 'packages', 'stack', 'dist', 'cli.js');
const stateDir = mkdtempSync(join(tmpdir(), 'otelkit-cli-'));
const otelkit = (...args: string[]) =>
  exec(process.execPath, [cli, ...args, '--state-dir', stateDir]).catch(
    (error: { stdout: string; stderr: string; code: number }) => error,
  );

interface State {
  processes: Record<string, { pid: number }>;
}

/** Whether `pid` is a live process. A zombie has exited; it only waits for its reaper. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('otelkit up / status / down (the quick start)', () => {
  afterAll(async () => {
    await otelkit('down');
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('brings the stack up in the background with demo telemetry flowing, then takes it down', async () => {
    const up = await otelkit('up', '--demo');
    expect(up.stdout).toContain('collector: ready');
    expect(up.stdout).toContain(`http://127.0.0.1:${DEFAULT_PORTS.prometheus}`);

    const status = await otelkit('status');
    expect(status.stdout).toMatch(/^collector\s+ready/m);
    expect(status.stdout).toMatch(/^prometheus\s+ready/m);
    expect(status.stdout).toMatch(/^alertmanager\s+ready/m);
    expect(status.stdout).toMatch(/^sink\s+ready/m);
    expect(status.stdout).toMatch(/^blackbox\s+ready/m);

    // The demo: Redis, the three example services and the traffic generator, in the background.
    for (const name of ['redis', 'inventory-api', 'orders-api', 'accounts-api', 'demo-traffic'])
      expect(status.stdout).toMatch(new RegExp(`^${name}\\s+ready`, 'm'));
    const page = /Demo web page (http:\/\/localhost:\d+\/)/.exec(up.stdout)?.[1];
    expect(page, up.stdout).toBeDefined();
    // Printed as localhost for the browser (the page's CORS origin); the service binds 127.0.0.1.
    const html = await fetch(String(page).replace('localhost', '127.0.0.1')).then((r) => r.text());
    expect(html).toContain('otelkit-web.min.js');

    const prometheus = `http://127.0.0.1:${DEFAULT_PORTS.prometheus}`;
    await eventually(
      'RED metrics of the example services in Prometheus',
      async () => {
        const calls = await query(prometheus, `sum by (service_name) (${SpanMetrics.calls})`);
        const services = calls.filter((c) => c.value > 0).map((c) => c.metric.service_name);
        return ['orders-api', 'inventory-api', 'accounts-api', 'shop-web'].every((s) => services.includes(s))
          ? true
          : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 2000 },
    );
    await eventually('demo traces in the Tempo sink', async () =>
      sinkSpans(join(stateDir, 'sink')).some((s) => s.resource['service.name'] === 'orders-api')
        ? true
        : undefined,
    );

    const state = JSON.parse(readFileSync(join(stateDir, 'stack.json'), 'utf8')) as State;
    const pids = Object.values(state.processes).map((p) => p.pid);
    // Five backends, Redis, three services, the traffic generator.
    expect(pids).toHaveLength(10);

    const down = await otelkit('down');
    expect(down.stdout).toMatch(/collector: stopped/);
    expect(down.stdout).toMatch(/demo-traffic: stopped/);
    for (const pid of pids) expect(alive(pid), `pid ${pid} still running`).toBe(false);
    expect(existsSync(join(stateDir, 'stack.json'))).toBe(false);
    const after = await otelkit('status');
    expect(after.stdout).toContain('not running');
  });
});

describe('otelkit when something is in the way', () => {
  const dir = mkdtempSync(join(tmpdir(), 'otelkit-cli-way-'));
  const run = (...args: string[]) =>
    exec(process.execPath, [cli, ...args, '--state-dir', dir]).then(
      (ok) => ({ ...ok, code: 0 }),
      (error: { stdout: string; stderr: string; code: number }) => error,
    );
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints its usage for --help after a command, and starts nothing', async () => {
    const help = await run('up', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: otelkit');
    expect(existsSync(join(dir, 'stack.json'))).toBe(false);
  });

  it('refuses to start when a port is taken, naming it, instead of reporting a dead backend ready', async () => {
    // Another program on Alertmanager's port, as the docker compose stack would be: it answers
    // the readiness check that Alertmanager, unable to bind, never could.
    const squatter = createServer((_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => squatter.listen(DEFAULT_PORTS.alertmanager, '127.0.0.1', resolve));
    try {
      const up = await run('up');
      expect(up.code).toBe(1);
      expect(`${up.stdout}${up.stderr}`).toContain(`port ${DEFAULT_PORTS.alertmanager} (alertmanager)`);
      expect(`${up.stdout}${up.stderr}`).not.toMatch(/: ready/);
      expect(existsSync(join(dir, 'stack.json'))).toBe(false);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  /**
   * Runs `otelkit up <args>`, presses Ctrl-C once `readyBefore` processes are ready, and checks
   * that each process it reported ready is gone and otelkit's ports are free.
   */
  async function interruptUp(args: string[], readyBefore: number): Promise<string> {
    const child = spawn(process.execPath, [cli, 'up', ...args, '--state-dir', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const pids: number[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      pids.splice(0, pids.length, ...[...output.matchAll(/: ready \(pid (\d+)/g)].map((m) => Number(m[1])));
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = once(child, 'exit');
    // Ctrl-C while the next one starts, those before it running detached.
    await eventually(
      `${readyBefore} processes ready`,
      async () => (pids.length >= readyBefore ? true : undefined),
      {
        timeoutMs: 90_000,
        intervalMs: 50,
      },
    );
    child.kill('SIGINT');
    const [code] = (await exited) as [number | null];
    expect(code, output).toBe(1);
    expect(output).toContain('interrupted');
    expect(pids.length, output).toBeGreaterThanOrEqual(readyBefore);
    for (const pid of pids) expect(alive(pid), `pid ${pid} still running\n${output}`).toBe(false);
    // Nothing of it holds otelkit's ports: a new "otelkit up" would start.
    for (const port of Object.values(DEFAULT_PORTS)) {
      const probe = createServer();
      await new Promise<void>((resolve, reject) =>
        probe.once('error', reject).listen(port, '127.0.0.1', resolve),
      );
      await new Promise((resolve) => probe.close(resolve));
    }
    expect(existsSync(join(dir, 'stack.json')), 'state of a stack that no longer runs').toBe(false);
    return output;
  }

  it('stops the backends already started when interrupted while starting them', async () => {
    await interruptUp([], 2);
  });

  it('stops the demo services and the backends when interrupted while starting the demo', async () => {
    // The five backends, then Redis and inventory-api: Ctrl-C while orders-api starts.
    const output = await interruptUp(['--demo'], 7);
    expect(output).toMatch(/inventory-api: ready \(pid \d+/);
  });

  it('names a damaged state file and what to do about it', async () => {
    writeFileSync(join(dir, 'stack.json'), '{"startedAt":"2026-');
    const status = await run('status');
    expect(status.code).toBe(1);
    expect(`${status.stdout}${status.stderr}`).toContain(
      `${join(dir, 'stack.json')} is not the state otelkit wrote`,
    );
    expect(`${status.stdout}${status.stderr}`).toContain('delete it');
  });
});

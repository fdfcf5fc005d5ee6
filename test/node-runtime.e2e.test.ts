import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ErrorAttributes,
  ErrorsMetric,
  SecurityAttributes,
  SecurityEventsMetric,
} from '@otelkit/conventions';
import type { Stack } from '@otelkit/stack';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fillVariables, loadDashboards, queriesOf } from '../packages/dashboards/src/queries.js';
import { closeLocalServers, listenSilent } from '../packages/node/src/testing/local-server.js';
import { eventually } from './helpers/poll.js';
import { query } from './helpers/prometheus.js';
import { type RunningService, startService } from './helpers/services.js';
import { OtlpSpanKind, OtlpStatusCode, requestTrace, sinkLogs, sinkSpans } from './helpers/sink.js';
import { startTestStack } from './helpers/stack.js';

const SECURE_APP = 'test/fixtures/secure-app.mjs';
const logDir = mkdtempSync(join(tmpdir(), 'otelkit-runtime-'));
const cwd = join(import.meta.dirname, '.');

/** Resident memory of a process in MiB, from /proc. */
function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

describe('@otelkit/node at run time: shutdown, Collector outages, errors, security events, health', () => {
  let stack: Stack;
  let service: RunningService | undefined;
  const start = (name: string, env: Record<string, string> = {}, entry = SECURE_APP) =>
    startService(stack, { name, entry, cwd, env }, logDir).then((s) => {
      service = s;
      return s;
    });

  /** Waits until `app` has said that a request to `path` reached it, as exiting-app.mjs does. */
  const arrived = (app: RunningService, path: string) =>
    eventually(
      `the request to ${path} reaching the app`,
      async () => readFileSync(app.process.spec.logFile, 'utf8').includes(`received ${path}`) || undefined,
      { timeoutMs: 10_000, intervalMs: 10 },
    );

  /** Waits for the span of `serviceName`'s request to `path` in the Collector's sink. */
  const spanInSink = (what: string, serviceName: string, path: string) =>
    eventually(what, async () => requestTrace(stack.endpoints.sinkDir, serviceName, path)?.server, {
      timeoutMs: 15_000,
    });

  beforeAll(async () => {
    stack = await startTestStack({ collectorEnv: { OTELKIT_TRACE_SAMPLE_PERCENT: '100' } });
  });
  afterEach(async () => {
    await service?.process.stop();
    service = undefined;
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(logDir, { recursive: true, force: true });
  });

  it('on SIGTERM flushes the last request’s spans and logs, then exits by the signal like Node', async () => {
    // Batches are held for a minute: only the shutdown flush can deliver them in time.
    const app = await start('sigterm-probe', {
      OTEL_BSP_SCHEDULE_DELAY: '60000',
      OTEL_BLRP_SCHEDULE_DELAY: '60000',
      OTEL_METRIC_EXPORT_INTERVAL: '60000',
    });
    expect((await fetch(`${app.url}/login?user=last-request&password=nope`)).status).toBe(401);
    const startedAt = Date.now();
    await app.process.kill('SIGTERM');
    const exit = await app.process.exit();
    expect(exit.signal).toBe('SIGTERM');
    expect(Date.now() - startedAt).toBeLessThan(6000);

    const span = await spanInSink('the last request’s server span', 'sigterm-probe', '/login');
    const log = sinkLogs(stack.endpoints.sinkDir).find(
      (l) =>
        l.resource['service.name'] === 'sigterm-probe' &&
        l.attributes[SecurityAttributes.userId] === 'last-request',
    );
    expect(log?.traceId).toBe(span.traceId);
  });

  it('flushes on SIGTERM before signal-exit, loaded by a dependency, ends the process', async () => {
    // Batches are held for a minute: only the shutdown flush can deliver them.
    const app = await start(
      'signal-exit-app',
      { OTEL_BSP_SCHEDULE_DELAY: '60000' },
      'test/fixtures/signal-exit-app.mjs',
    );
    expect((await fetch(`${app.url}/before-sigterm`)).status).toBe(200);
    await app.process.kill('SIGTERM');
    const exit = await app.process.exit();
    expect(exit.signal).toBe('SIGTERM');
    // The application's own exit handler still runs, as without otelkit.
    expect(readFileSync(app.process.spec.logFile, 'utf8')).toContain(
      'signal-exit cleanup ran (null, SIGTERM)',
    );
    await spanInSink('the server span of the request before SIGTERM', 'signal-exit-app', '/before-sigterm');
  });

  it('records the requests an application drains after SIGTERM with its own handler', async () => {
    // Batches are held for a minute: only a flush at the end can deliver them.
    const app = await start(
      'graceful-app',
      { OTEL_BSP_SCHEDULE_DELAY: '60000' },
      'test/fixtures/graceful-app.mjs',
    );
    const inFlight = fetch(`${app.url}/drained`);
    await sleep(150);
    await app.process.kill('SIGTERM');
    expect((await inFlight).status).toBe(200);
    // The application's handler decides: it drains and then ends by itself, with code 0.
    const exit = await app.process.exit();
    expect(exit).toMatchObject({ code: 0, signal: null });
    await spanInSink(
      'the server span of the request that finished during the drain',
      'graceful-app',
      '/drained',
    );
  });

  /**
   * Sends graceful-app.mjs, exporting to `endpoint`, a SIGTERM; its handler closes the server, and
   * the process ends once nothing else holds it. Resolves how long that took, and its log.
   */
  const drainWithCollectorAt = async (name: string, endpoint: string, env: Record<string, string> = {}) => {
    const app = await startService(
      stack,
      { name, entry: 'test/fixtures/graceful-app.mjs', cwd, otlpHttp: endpoint, env },
      logDir,
    );
    service = app;
    await fetch(`${app.url}/before`);
    const signalled = Date.now();
    await app.process.kill('SIGTERM');
    expect(await app.process.exit()).toMatchObject({ code: 0, signal: null });
    return { took: Date.now() - signalled, log: readFileSync(app.process.spec.logFile, 'utf8') };
  };

  // One bounded wait (5 s), then the application ends. Before, the flush when the event loop ran
  // empty waited 5 s more and said so a second time; with metrics exported every second, new
  // retrying exports kept the process from ever ending; and then the exports already under way
  // held it up to their timeout (10 s): 11.1 s measured for a refusing Collector, 13.1 s for one
  // that never answers.
  it('waits for an unreachable Collector once, then lets a drained application end', async () => {
    // Port 9 (discard) refuses connections on loopback: every export fails and is retried.
    const { took, log } = await drainWithCollectorAt('graceful-down', 'http://127.0.0.1:9');
    expect(log.match(/otelkit: telemetry was still being exported/g), log).toHaveLength(1);
    expect(took).toBeGreaterThanOrEqual(5_000);
    expect(took).toBeLessThan(8_000);
  });

  // A pending HTTP request holds the process through its socket, a pending gRPC call through its
  // client's channel, each until its timeout (10 s): 13.1 s and 13.2 s from SIGTERM to exit before
  // otelkit released them.
  it.each(['http/protobuf', 'grpc'])(
    'lets a drained application end after its bounded wait for a Collector that never answers (%s)',
    async (protocol) => {
      const silent = await listenSilent();
      try {
        const { took, log } = await drainWithCollectorAt(
          `graceful-silent-${protocol.split('/')[0]}`,
          silent.url,
          {
            OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
          },
        );
        expect(log.match(/otelkit: telemetry was still being exported/g), log).toHaveLength(1);
        expect(silent.connections.size, 'the application reached the Collector').toBeGreaterThan(0);
        expect(took).toBeGreaterThanOrEqual(5_000);
        expect(took).toBeLessThan(8_000);
      } finally {
        await closeLocalServers();
      }
    },
  );

  it('sends the spans and logs of an application whose SIGTERM handler calls process.exit()', async () => {
    // Batches are held for a minute: only the send in the 'exit' event can deliver them.
    const app = await start(
      'exit-now-app',
      { OTEL_BSP_SCHEDULE_DELAY: '60000', OTEL_BLRP_SCHEDULE_DELAY: '60000', EXIT_ON_SIGTERM: 'now' },
      'test/fixtures/exiting-app.mjs',
    );
    expect((await fetch(`${app.url}/answered`)).status).toBe(200);
    const cutShort = fetch(`${app.url}/cut-short`).catch(() => undefined);
    await arrived(app, '/cut-short');
    await app.process.kill('SIGTERM');
    expect(await app.process.exit()).toMatchObject({ code: 0, signal: null });
    await cutShort;
    const span = await spanInSink(
      'the server span of the request before SIGTERM',
      'exit-now-app',
      '/answered',
    );
    // The request cut short by the exit never ended its span: the exit ends it, as an error.
    const cut = await spanInSink('the server span of the request cut short', 'exit-now-app', '/cut-short');
    expect(cut).toMatchObject({
      kind: OtlpSpanKind.server,
      statusCode: OtlpStatusCode.error,
      statusMessage: 'the process exited before this span ended',
    });
    expect(cut.attributes['error.type']).toBe('process_exit');
    expect(span.statusCode).not.toBe(OtlpStatusCode.error);
    const logs = await eventually(
      'the log records of both requests',
      async () => {
        const found = sinkLogs(stack.endpoints.sinkDir).filter(
          (l) => l.resource['service.name'] === 'exit-now-app',
        );
        return found.length >= 2 ? found : undefined;
      },
      { timeoutMs: 15_000 },
    );
    expect(logs.map((l) => l.attributes[SecurityAttributes.userId]).sort()).toEqual([
      '/answered',
      '/cut-short',
    ]);
    expect(logs.find((l) => l.attributes[SecurityAttributes.userId] === '/answered')?.traceId).toBe(
      span.traceId,
    );
  });

  it('records the requests drained by an application that then raises SIGTERM again', async () => {
    // Batches are held for a minute: only the flush before the process ends can deliver them.
    const app = await start(
      'reraise-app',
      { OTEL_BSP_SCHEDULE_DELAY: '60000', OTEL_BLRP_SCHEDULE_DELAY: '60000', EXIT_ON_SIGTERM: 'reraise' },
      'test/fixtures/exiting-app.mjs',
    );
    const inFlight = fetch(`${app.url}/drained`);
    await arrived(app, '/drained');
    await app.process.kill('SIGTERM');
    expect((await inFlight).status).toBe(200);
    // It ends by the signal, as it would without otelkit.
    expect(await app.process.exit()).toMatchObject({ signal: 'SIGTERM' });
    const span = await spanInSink('the server span of the request drained', 'reraise-app', '/drained');
    expect(span.statusCode).not.toBe(OtlpStatusCode.error);
    const log = await eventually('the drained request’s log record', async () =>
      sinkLogs(stack.endpoints.sinkDir).find((l) => l.resource['service.name'] === 'reraise-app'),
    );
    expect(log.traceId).toBe(span.traceId);
  });

  it('ends and sends the spans of requests a SIGTERM without a handler cuts short', async () => {
    const app = await start(
      'sigterm-cut-app',
      { OTEL_BSP_SCHEDULE_DELAY: '60000', EXIT_ON_SIGTERM: 'default' },
      'test/fixtures/exiting-app.mjs',
    );
    const cutShort = fetch(`${app.url}/slow`).catch(() => undefined);
    await arrived(app, '/slow');
    await app.process.kill('SIGTERM');
    expect(await app.process.exit()).toMatchObject({ signal: 'SIGTERM' });
    await cutShort;
    const cut = await spanInSink('the server span of the request cut short', 'sigterm-cut-app', '/slow');
    expect(cut).toMatchObject({
      statusCode: OtlpStatusCode.error,
      statusMessage: 'the process was ended by SIGTERM before this span ended',
    });
  });

  it('sends what a drain records before the application calls process.exit()', async () => {
    // Batches are held for a minute: only the send in the 'exit' event can deliver them.
    const app = await start(
      'exit-drain-app',
      { OTEL_BSP_SCHEDULE_DELAY: '60000', OTEL_BLRP_SCHEDULE_DELAY: '60000', EXIT_ON_SIGTERM: 'after-drain' },
      'test/fixtures/exiting-app.mjs',
    );
    const inFlight = fetch(`${app.url}/drained`);
    await arrived(app, '/drained');
    await app.process.kill('SIGTERM');
    expect((await inFlight).status).toBe(200);
    expect(await app.process.exit()).toMatchObject({ code: 0, signal: null });
    await spanInSink(
      'the server span of the request drained before process.exit()',
      'exit-drain-app',
      '/drained',
    );
  });

  it('flushes when the application ends by itself, and keeps its exit code', async () => {
    const job = spawn(process.execPath, ['--import', '@otelkit/node/register', 'fixtures/batch-job.mjs'], {
      cwd,
      env: {
        PATH: process.env.PATH ?? '',
        OTEL_SERVICE_NAME: 'batch-job',
        OTEL_EXPORTER_OTLP_ENDPOINT: stack.endpoints.otlpHttp,
        // Batches are held for a minute: only a flush at the end can deliver them.
        OTEL_BSP_SCHEDULE_DELAY: '60000',
      },
      stdio: 'ignore',
    });
    const startedAt = Date.now();
    const [code] = (await once(job, 'exit')) as [number | null];
    expect(code).toBe(3);
    expect(Date.now() - startedAt).toBeLessThan(6000);
    await spanInSink('the job’s server span', 'batch-job', '/job/run');
  });

  it('keeps serving while the Collector is down, warns once, stays bounded and resumes', async () => {
    await stack.processes.collector.stop();
    try {
      const app = await start('outage-probe');
      let failed = 0;
      for (let batch = 0; batch < 30; batch++) {
        const responses = await Promise.all(
          Array.from({ length: 10 }, () =>
            fetch(`${app.url}/`).then(
              (r) => r.status,
              () => 0,
            ),
          ),
        );
        failed += responses.filter((status) => status !== 200).length;
      }
      expect(failed).toBe(0);
      const warningsOf = () =>
        readFileSync(app.process.spec.logFile, 'utf8').match(/otelkit: cannot export/g) ?? [];
      // The exporters retry within their timeout before giving up on a batch; then one line.
      await eventually('the export warning', async () => (warningsOf().length > 0 ? true : undefined), {
        timeoutMs: 30_000,
      });
      // More batches fail meanwhile (spans, logs and metrics every second): still one line.
      await sleep(5000);
      expect(warningsOf()).toHaveLength(1);
      expect(rssMiB(app.process.pid ?? 0)).toBeLessThan(250);
    } finally {
      await stack.processes.collector.start();
    }
    const app = service as RunningService;
    await fetch(`${app.url}/login?user=after-outage&password=nope`);
    await eventually('telemetry after the Collector returned', async () =>
      sinkLogs(stack.endpoints.sinkDir).find(
        (l) =>
          l.resource['service.name'] === 'outage-probe' &&
          l.attributes[SecurityAttributes.userId] === 'after-outage',
      ),
    );
    // Said once every signal that failed has been exported again (metrics every second).
    await eventually('the recovery line', async () =>
      /otelkit: telemetry export to .* recovered/.test(readFileSync(app.process.spec.logFile, 'utf8'))
        ? true
        : undefined,
    );
  });

  it('says once, and counts in Prometheus and on the Node runtime dashboard, the spans a full export queue drops', async () => {
    // A queue of 4 spans, exported 2 at a time: a burst of 100 requests (one span each) overflows it.
    const app = await start('queue-overflow', {
      OTEL_BSP_MAX_QUEUE_SIZE: '4',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '2',
    });
    const statuses = await Promise.all(
      Array.from({ length: 100 }, () => fetch(`${app.url}/`).then((r) => r.status)),
    );
    expect(statuses.every((status) => status === 200)).toBe(true);
    const log = () => readFileSync(app.process.spec.logFile, 'utf8');
    await eventually(
      'the drop warning',
      async () => log().includes('otelkit: spans are being dropped') || undefined,
      {
        timeoutMs: 10_000,
      },
    ).catch((error: Error) => {
      throw new Error(`${error.message}; the service's output:\n${log()}`);
    });
    // The Node runtime dashboard shows them, although one burst made the series with its count in
    // it: its panel and a plain sum agree once both read the same, complete count.
    const [panel] = loadDashboards(join(cwd, '../grafana/dashboards'))
      .flatMap(({ json }) => queriesOf(json))
      .filter((q) => q.dashboard === 'otelkit-node-runtime' && q.expr.includes('span_processed'));
    expect(panel?.panel).toBe('Telemetry lost before export, in range');
    const { dropped, shown } = await eventually('the dropped spans counted in Prometheus', async () => {
      const [sum] = await query(
        stack.endpoints.prometheus,
        'sum(otel_sdk_processor_span_processed_total{job="queue-overflow", error_type="queue_full"})',
      );
      const shown = await query(
        stack.endpoints.prometheus,
        fillVariables(panel?.expr ?? '', { service: 'queue-overflow' }),
      );
      return sum && sum.value > 0 && shown.length === 1 && shown[0]?.value === sum.value
        ? { dropped: sum.value, shown }
        : undefined;
    });
    // The first batch and the queue behind it are never dropped.
    expect(dropped).toBeLessThanOrEqual(100 - 6);
    expect(shown.map((s) => [s.metric.error_type, s.value])).toEqual([['queue_full', dropped]]);
    expect(log().match(/otelkit: spans are being dropped/g)).toHaveLength(1);
  });

  it('says, as a process.exit() ends the process, the drops it had not said yet', async () => {
    const app = await start(
      'exit-drops-app',
      { OTEL_BSP_MAX_QUEUE_SIZE: '4', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '2' },
      'test/fixtures/exiting-app.mjs',
    );
    const log = () => readFileSync(app.process.spec.logFile, 'utf8');
    const burst = () =>
      Promise.all(Array.from({ length: 100 }, () => fetch(`${app.url}/`).then((r) => r.status)));
    expect((await burst()).every((status) => status === 200)).toBe(true);
    await eventually(
      'the first drop warning',
      async () => log().includes('otelkit: spans are being dropped') || undefined,
      {
        timeoutMs: 10_000,
      },
    );
    // Drops within 5 minutes of that warning wait for the next report, which this process never reaches.
    expect((await burst()).every((status) => status === 200)).toBe(true);
    expect(log()).not.toContain('since the last report');
    // No signal: the application ends itself, as a job runner or a CLI does.
    expect(await (await fetch(`${app.url}/exit`)).text()).toBe('bye');
    expect(await app.process.exit()).toMatchObject({ code: 0, signal: null });
    expect(
      log().match(/otelkit: \d+ spans dropped before export since the last report \(export queue full\)/g),
    ).toHaveLength(1);
  });

  it('sends security events to the logs sink and Prometheus without the secrets they were given', async () => {
    const app = await start('secure-app');
    const secret = 'hunter2-never-leaves';
    for (let i = 0; i < 2; i++) await fetch(`${app.url}/login?user=mallory&password=${secret}`);
    await fetch(`${app.url}/login?user=alice&password=correct-horse`);

    const failures = await eventually('two failed logins in the logs sink', async () => {
      const found = sinkLogs(stack.endpoints.sinkDir).filter(
        (l) =>
          l.resource['service.name'] === 'secure-app' &&
          l.attributes[SecurityAttributes.type] === 'authentication' &&
          l.attributes[SecurityAttributes.outcome] === 'failure',
      );
      return found.length >= 2 ? found : undefined;
    });
    expect(failures).toHaveLength(2);
    expect(failures[0]?.attributes[SecurityAttributes.userId]).toBe('mallory');
    expect(failures[0]?.traceId).toMatch(/^[0-9a-f]{32}$/);

    const labels = SecurityEventsMetric.prometheusLabels;
    const counted = await eventually('the security counter in Prometheus', async () => {
      const [sample] = await query(
        stack.endpoints.prometheus,
        `sum(${SecurityEventsMetric.prometheusName}{job="secure-app", ${labels.type}="authentication", ${labels.outcome}="failure"})`,
      );
      return sample && sample.value >= 2 ? sample.value : undefined;
    });
    expect(counted).toBe(2);
    const [success] = await query(
      stack.endpoints.prometheus,
      `sum(${SecurityEventsMetric.prometheusName}{job="secure-app", ${labels.outcome}="success"})`,
    );
    expect(success?.value).toBe(1);

    // The password was in the event's attributes and in the request URL: it reaches no sink.
    for (const file of ['logs.jsonl', 'traces.jsonl']) {
      expect(readFileSync(join(stack.endpoints.sinkDir, file), 'utf8')).not.toContain(secret);
    }
    const series = await query(stack.endpoints.prometheus, '{job="secure-app"}');
    expect(JSON.stringify(series)).not.toContain(secret);
  });

  it('gives the same error thrown twice one fingerprint and counts it', async () => {
    const app = await start('error-probe');
    for (let i = 0; i < 2; i++) expect((await fetch(`${app.url}/boom`)).status).toBe(500);
    const records = await eventually('two error records', async () => {
      const found = sinkLogs(stack.endpoints.sinkDir).filter(
        (l) =>
          l.resource['service.name'] === 'error-probe' && l.attributes[ErrorAttributes.type] === 'TypeError',
      );
      return found.length >= 2 ? found : undefined;
    });
    const fingerprints = new Set(records.map((r) => r.attributes[ErrorAttributes.fingerprint]));
    expect(fingerprints.size).toBe(1);
    const [fingerprint] = fingerprints;
    expect(fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(records[0]?.attributes[ErrorAttributes.stacktrace]).toContain('secure-app.mjs');
    const counted = await eventually('the error counter in Prometheus', async () => {
      const [sample] = await query(
        stack.endpoints.prometheus,
        `sum(${ErrorsMetric.prometheusName}{job="error-probe", ${ErrorsMetric.prometheusLabels.fingerprint}="${fingerprint}"})`,
      );
      return sample && sample.value >= 2 ? sample.value : undefined;
    });
    expect(counted).toBe(2);
  });

  it('serves health endpoints with built-in checks and keeps probes out of traces', async () => {
    const app = await start('health-probe');
    for (const path of ['/health/live', '/health/ready'])
      expect((await fetch(`${app.url}${path}`)).status).toBe(200);
    const deep = await fetch(`${app.url}/health`);
    expect(deep.status).toBe(200);
    const report = (await deep.json()) as {
      status: string;
      checks: Record<string, { status: string }>;
      uptimeSeconds: number;
    };
    expect(['healthy', 'degraded']).toContain(report.status);
    expect(Object.keys(report.checks)).toEqual(
      expect.arrayContaining(['event-loop-lag', 'heap', 'telemetry-export']),
    );
    expect(report.uptimeSeconds).toBeGreaterThanOrEqual(0);

    await fetch(`${app.url}/after-probes`);
    await eventually('the ordinary request span', async () =>
      sinkSpans(stack.endpoints.sinkDir).find(
        (s) => s.resource['service.name'] === 'health-probe' && s.attributes['url.path'] === '/after-probes',
      ),
    );
    const probes = sinkSpans(stack.endpoints.sinkDir).filter(
      (s) =>
        s.resource['service.name'] === 'health-probe' &&
        String(s.attributes['url.path']).startsWith('/health'),
    );
    expect(probes).toEqual([]);
  });

  it("keeps the service's own /healthz and the paths of OTELKIT_IGNORE_PATHS out of traces", async () => {
    const app = await start('ignored-paths', { OTELKIT_IGNORE_PATHS: '/metrics,/internal/*' });
    // A trailing slash does not count; case does, as routers such as Fastify's may send
    // /METRICS to another handler.
    for (const path of ['/healthz', '/readyz/', '/METRICS', '/internal/stats', '/metrics-report'])
      expect((await fetch(`${app.url}${path}`)).status).toBe(200);
    // Requests are answered in order, and their spans leave in the same batches.
    await eventually('the span of the path no pattern covers', async () =>
      sinkSpans(stack.endpoints.sinkDir).find(
        (s) =>
          s.resource['service.name'] === 'ignored-paths' && s.attributes['url.path'] === '/metrics-report',
      ),
    );
    const paths = sinkSpans(stack.endpoints.sinkDir)
      .filter((s) => s.resource['service.name'] === 'ignored-paths')
      .map((s) => s.attributes['url.path']);
    expect(paths.sort()).toEqual(['/METRICS', '/metrics-report']);
  });

  it('reports invalid configuration on one line per variable and still starts', async () => {
    const app = await start('misconfigured', {
      OTEL_TRACES_SAMPLER: 'sometimes',
      OTEL_EXPORTER_OTLP_TIMEOUT: '10s',
    });
    expect((await fetch(`${app.url}/`)).status).toBe(200);
    const log = readFileSync(app.process.spec.logFile, 'utf8');
    expect(log).toContain('otelkit: OTEL_TRACES_SAMPLER="sometimes" is invalid: expected one of always_on');
    expect(log).toContain(
      'otelkit: OTEL_EXPORTER_OTLP_TIMEOUT="10s" is invalid: expected a whole number of milliseconds',
    );
    await eventually('telemetry from the misconfigured service', async () =>
      sinkSpans(stack.endpoints.sinkDir).find((s) => s.resource['service.name'] === 'misconfigured'),
    );
  });

  it('honours the standard propagation, limit, batching and compression variables', async () => {
    const app = await start('standard-settings', {
      OTEL_PROPAGATORS: 'b3multi',
      // The general limit applies to log records; spans have their own.
      OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '4',
      OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '12',
      // Each span leaves at once; log records wait a minute, so only SIGTERM's flush sends them.
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '1',
      OTEL_BLRP_SCHEDULE_DELAY: '60000',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
    });
    const b3 = { traceId: '463ac35c9f6413ad48485a3953bb6124', spanId: 'a2fb4a1d1a96d312' };
    const response = await fetch(`${app.url}/login?user=truncated-user&password=nope`, {
      headers: { 'x-b3-traceid': b3.traceId, 'x-b3-spanid': b3.spanId, 'x-b3-sampled': '1' },
    });
    expect(response.status).toBe(401);

    const span = await spanInSink('the server span, continuing the B3 trace', 'standard-settings', '/login');
    expect({ traceId: span.traceId, parentSpanId: span.parentSpanId }).toEqual({
      traceId: b3.traceId,
      parentSpanId: b3.spanId,
    });
    expect(span.attributes['url.query']).toBe('user=truncat');
    const logOf = () =>
      sinkLogs(stack.endpoints.sinkDir).find((l) => l.resource['service.name'] === 'standard-settings');
    // With the default delay of 1 s the record would be here by now, ahead of the tail-sampled span.
    expect(logOf(), 'a log record before the batch delay').toBeUndefined();

    await app.process.kill('SIGTERM');
    await app.process.exit();
    const log = await eventually('the security event, flushed at SIGTERM', async () => logOf());
    expect(log.traceId).toBe(b3.traceId);
    expect(log.attributes[SecurityAttributes.userId]).toBe('trun');
  });

  it('exports over OTLP/gRPC, the OTLP headers going as call metadata', async () => {
    const app = await start('grpc-probe', {
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://${stack.endpoints.otlpGrpc}`,
      OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=e2e',
    });
    expect((await fetch(`${app.url}/login?user=grpc-user&password=nope`)).status).toBe(401);
    const span = await spanInSink('the server span, sent over gRPC', 'grpc-probe', '/login');
    await eventually('the security event, sent over gRPC', async () =>
      sinkLogs(stack.endpoints.sinkDir).find(
        (l) => l.resource['service.name'] === 'grpc-probe' && l.traceId === span.traceId,
      ),
    );
  });

  it('instruments an unchanged Fastify app: route spans, and the health plugin answers', async () => {
    const app = await start('fastify-probe', {}, 'test/fixtures/fastify-app.mjs');
    expect((await fetch(`${app.url}/items/7`)).status).toBe(200);
    expect((await fetch(`${app.url}/health/ready`)).status).toBe(200);
    const server = await eventually('the Fastify server span with its route', async () =>
      sinkSpans(stack.endpoints.sinkDir).find(
        (s) =>
          s.resource['service.name'] === 'fastify-probe' &&
          s.kind === OtlpSpanKind.server &&
          s.attributes['url.path'] === '/items/7',
      ),
    );
    const trace = sinkSpans(stack.endpoints.sinkDir).filter((s) => s.traceId === server.traceId);
    expect(trace.some((s) => s.attributes['http.route'] === '/items/:id')).toBe(true);
    expect(trace.length).toBeGreaterThan(1);
  });
});

/**
 * pino, as winston: an application that logs with pino gets, under `@otelkit/node/register` and
 * with no code of its own, `trace_id`/`span_id`/`trace_flags` on each JSON line it writes and each
 * record sent over OTLP exactly once, with the trace context and a severity. Fastify logs with
 * pino, so a Fastify service gets the same for its request log lines.
 *
 * The applications run as a user would run them, in a child process; their OTLP/JSON exports go
 * to a server in this process, which keeps each request's body.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeLocalServers, listenLocal } from '../packages/node/src/testing/local-server.js';

const exec = promisify(execFile);
const testDir = import.meta.dirname;

// An application directory whose node_modules holds pino and Fastify, as its own dependencies.
const app = mkdtempSync(join(tmpdir(), 'otelkit-pino-'));
mkdirSync(join(app, 'node_modules'));
for (const pkg of ['pino', 'fastify']) {
  symlinkSync(realpathSync(join(testDir, 'node_modules', pkg)), join(app, 'node_modules', pkg));
}

// Each application serves one request and logs twice while handling it (info, then warn), then
// closes its server, so the process ends by itself and otelkit flushes before it exits.
const handler = `(req, res) => {
  logger.info({ order: 7 }, 'order loaded');
  logger.warn('stock low');
  res.end('ok');
}`;
const serveOnce = `server.listen(0, '127.0.0.1', async () => {
  await fetch('http://127.0.0.1:' + server.address().port + '/orders/7');
  server.close();
});`;
writeFileSync(
  join(app, 'main.cjs'),
  `const http = require('node:http');
const pino = require('pino');
const logger = pino();
const server = http.createServer(${handler});
${serveOnce}\n`,
);
writeFileSync(
  join(app, 'main.mjs'),
  `import http from 'node:http';
import pino, { pino as namedPino } from 'pino';
// Both of pino's ES-module exports are patched: the default and the named one.
const logger = process.env.NAMED_IMPORT ? namedPino() : pino();
const server = http.createServer(${handler});
${serveOnce}\n`,
);
// The user report: a Fastify service, whose request logger is pino.
writeFileSync(
  join(app, 'fastify.mjs'),
  `import Fastify from 'fastify';
const api = Fastify({ logger: true });
api.get('/orders/:id', async (request) => {
  request.log.info({ order: request.params.id }, 'order loaded');
  return { ok: true };
});
await api.listen({ port: 0, host: '127.0.0.1' });
await fetch('http://127.0.0.1:' + api.server.address().port + '/orders/7');
await api.close();\n`,
);

type AnyValue = { stringValue?: string; intValue?: string | number };
type KeyValue = { key: string; value?: AnyValue };

/** One OTLP/JSON traces request body, as far as these tests read it. */
interface TracesBody {
  resourceSpans?: {
    scopeSpans?: { spans?: { traceId: string; spanId: string; kind?: number; attributes?: KeyValue[] }[] }[];
  }[];
}

/** One OTLP/JSON logs request body, as far as these tests read it. */
interface LogsBody {
  resourceLogs?: {
    scopeLogs?: {
      scope?: { name?: string };
      logRecords?: {
        traceId?: string;
        spanId?: string;
        severityNumber?: number;
        severityText?: string;
        body?: AnyValue;
      }[];
    }[];
  }[];
}

interface ServerSpan {
  traceId: string;
  spanId: string;
  path: string;
}

interface OtlpLogRecord {
  scope: string;
  traceId: string;
  spanId: string;
  severityNumber: number;
  severityText: string;
  body: string;
}

/** The OTLP/JSON request bodies received, by path. */
const received: { path: string; body: string }[] = [];
let endpoint: string;

beforeAll(async () => {
  endpoint = await listenLocal((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      received.push({ path: req.url ?? '', body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
});

afterAll(closeLocalServers);

/** The OTLP server spans and log records an application sent, and its stdout lines (JSON objects). */
interface Run {
  lines: Record<string, unknown>[];
  stderr: string;
  serverSpans: ServerSpan[];
  records: OtlpLogRecord[];
}

/**
 * Runs `file` under `<entryFlag> @otelkit/node/register` until it ends by itself, exporting traces
 * and logs over OTLP/JSON to this process; returns what it wrote and what it sent. Each run tags
 * its resource with a run id, so runs never read each other's exports.
 */
async function run(
  file: string,
  env: Record<string, string> = {},
  entryFlag: '--import' | '--require' = '--import',
): Promise<Run> {
  const runId = `run-${received.length}-${Math.random().toString(16).slice(2)}`;
  const { stdout, stderr } = await exec(
    process.execPath,
    [entryFlag, '@otelkit/node/register', join(app, file)],
    {
      cwd: testDir,
      env: {
        PATH: process.env.PATH ?? '',
        OTEL_SERVICE_NAME: 'pino-app',
        OTEL_RESOURCE_ATTRIBUTES: `test.run=${runId}`,
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_METRICS_EXPORTER: 'none',
        ...env,
      },
      timeout: 30_000,
    },
  );
  const ours = received.filter((r) => r.body.includes(runId));
  const serverSpans = ours
    .filter((r) => r.path === '/v1/traces')
    .flatMap((r) => (JSON.parse(r.body) as TracesBody).resourceSpans ?? [])
    .flatMap((rs) => rs.scopeSpans ?? [])
    .flatMap((ss) => ss.spans ?? [])
    // OTLP's SPAN_KIND_SERVER.
    .filter((span) => span.kind === 2)
    .map((span) => ({
      traceId: span.traceId,
      spanId: span.spanId,
      path: span.attributes?.find((a) => a.key === 'url.path')?.value?.stringValue ?? '',
    }));
  const records = ours
    .filter((r) => r.path === '/v1/logs')
    .flatMap((r) => (JSON.parse(r.body) as LogsBody).resourceLogs ?? [])
    .flatMap((rl) => rl.scopeLogs ?? [])
    .flatMap((sl) =>
      (sl.logRecords ?? []).map((record) => ({
        scope: sl.scope?.name ?? '',
        traceId: record.traceId ?? '',
        spanId: record.spanId ?? '',
        severityNumber: record.severityNumber ?? 0,
        severityText: record.severityText ?? '',
        body: record.body?.stringValue ?? '',
      })),
    );
  const lines = stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { lines, stderr, serverSpans, records };
}

const PINO_SCOPE = '@opentelemetry/instrumentation-pino';
// OpenTelemetry's SeverityNumber for pino's info (30) and warn (40).
const INFO = 9;
const WARN = 13;

/** The one server span of the request to /orders/7 (throws the run's output otherwise). */
function requestSpan(result: Run): ServerSpan {
  const spans = result.serverSpans.filter((span) => span.path === '/orders/7');
  expect(spans, JSON.stringify(result)).toHaveLength(1);
  return spans[0] as ServerSpan;
}

describe('@otelkit/node/register and pino', () => {
  for (const [kind, file] of [
    ['CommonJS', 'main.cjs'],
    ['ES-module', 'main.mjs'],
  ] as const) {
    it(`${kind} application: each line carries its span, each call is sent once with its severity`, async () => {
      const result = await run(file);
      const span = requestSpan(result);

      const loaded = result.lines.find((line) => line.msg === 'order loaded');
      expect(loaded, JSON.stringify(result.lines)).toMatchObject({
        level: 30,
        order: 7,
        trace_id: span.traceId,
        span_id: span.spanId,
        trace_flags: '01',
      });
      expect(result.lines.find((line) => line.msg === 'stock low')).toMatchObject({
        level: 40,
        trace_id: span.traceId,
        span_id: span.spanId,
      });

      // Exactly the two records of the two calls: none twice, none from another path.
      const pinoRecords = result.records.filter((record) => record.scope === PINO_SCOPE);
      expect(pinoRecords.map((record) => record.body).sort()).toEqual(['order loaded', 'stock low']);
      expect(result.records.filter((record) => record.body === 'order loaded')).toEqual([
        {
          scope: PINO_SCOPE,
          traceId: span.traceId,
          spanId: span.spanId,
          severityNumber: INFO,
          severityText: 'info',
          body: 'order loaded',
        },
      ]);
      expect(result.records.filter((record) => record.body === 'stock low')).toEqual([
        expect.objectContaining({ traceId: span.traceId, severityNumber: WARN, severityText: 'warn' }),
      ]);
    });
  }

  it('an ES-module application under --require gets the same, with the named import too', async () => {
    const result = await run('main.mjs', { NAMED_IMPORT: '1' }, '--require');
    const span = requestSpan(result);
    expect(result.lines.find((line) => line.msg === 'order loaded')).toMatchObject({
      trace_id: span.traceId,
      span_id: span.spanId,
    });
    expect(result.records.filter((record) => record.scope === PINO_SCOPE)).toHaveLength(2);
  });

  it("a Fastify service's request log lines are correlated and each sent once", async () => {
    const result = await run('fastify.mjs');
    const span = requestSpan(result);
    const messages = ['incoming request', 'order loaded', 'request completed'];
    for (const msg of messages) {
      const line = result.lines.find((candidate) => candidate.msg === msg);
      expect(line, `${msg}: ${JSON.stringify(result.lines)}`).toMatchObject({ trace_id: span.traceId });
      expect(line?.span_id).toMatch(/^[0-9a-f]{16}$/);
      const records = result.records.filter((record) => record.body === msg);
      expect(records, msg).toEqual([
        expect.objectContaining({
          scope: PINO_SCOPE,
          traceId: span.traceId,
          spanId: line?.span_id,
          severityNumber: INFO,
        }),
      ]);
    }
  });

  it('OTEL_NODE_ENABLED_INSTRUMENTATIONS takes pino', async () => {
    const result = await run('fastify.mjs', { OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,fastify,pg,pino' });
    expect(result.stderr).not.toContain('is invalid');
    const span = requestSpan(result);
    expect(result.lines.find((line) => line.msg === 'order loaded')).toMatchObject({
      trace_id: span.traceId,
    });
    expect(result.records.filter((record) => record.body === 'order loaded')).toHaveLength(1);
  });

  it('OTEL_NODE_DISABLED_INSTRUMENTATIONS=pino leaves pino alone', async () => {
    for (const file of ['main.cjs', 'main.mjs']) {
      const result = await run(file, { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'pino' });
      // A known name, not one rejected (which would leave pino uninstrumented too).
      expect(result.stderr, file).not.toContain('is invalid');
      // The request was traced and exported, so nothing pino would have sent is still on its way.
      requestSpan(result);
      const loaded = result.lines.find((line) => line.msg === 'order loaded');
      expect(loaded, file).toBeDefined();
      expect(loaded, file).not.toHaveProperty('trace_id');
      expect(
        result.records.filter((record) => record.scope === PINO_SCOPE),
        file,
      ).toEqual([]);
    }
  });
});

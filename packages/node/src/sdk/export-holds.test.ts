import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OTLPHttpTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { closeLocalServers, listenSilent } from '../testing/local-server.js';
import { selfSignedLoopbackCertificate } from '../testing/self-signed-certificate.js';
import {
  exportAgentFactory,
  exportRetryTimer,
  holdExports,
  holdGrpcExports,
  releaseExports,
} from './export-holds.js';
import { ExportGate } from './tracked-exporters.js';

let gate: ExportGate;
beforeEach(() => {
  gate = new ExportGate();
  holdExports(gate);
});
afterEach(() => vi.useRealTimers());

/** What start() does when it gives up on the Collector. */
const giveUp = () => {
  gate.closeFor(60_000);
  releaseExports();
};

describe('export retry timers', () => {
  it('hold the process until released, then let it end and still retry while it runs', async () => {
    let retried = 0;
    const under = exportRetryTimer(() => retried++, 30);
    expect(under.hasRef()).toBe(true);

    giveUp();
    expect(under.hasRef()).toBe(false);
    const later = exportRetryTimer(() => retried++, 10);
    expect(later.hasRef()).toBe(false);

    await sleep(60);
    expect(retried).toBe(2);
  });

  it('hold the process again once the release has run out, or a new SDK holds them', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    giveUp();
    vi.setSystemTime(Date.now() + 60_001);
    const afterwards = exportRetryTimer(() => {}, 1_000);
    expect(afterwards.hasRef()).toBe(true);
    clearTimeout(afterwards);

    giveUp();
    gate = new ExportGate();
    holdExports(gate);
    const restarted = exportRetryTimer(() => {}, 1_000);
    expect(restarted.hasRef()).toBe(true);
    clearTimeout(restarted);
  });
});

describe('export agents', () => {
  // A Collector behind TLS with a certificate of its own, which only the configured CA file trusts.
  const dir = mkdtempSync(join(tmpdir(), 'otelkit-export-tls-'));
  const { cert, key } = selfSignedLoopbackCertificate(dir);
  let server: https.Server;
  let url: string;

  beforeAll(async () => {
    server = https.createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (_req, res) =>
      res.end('ok'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
  });

  afterAll(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (agent: https.Agent) =>
    new Promise<string>((resolve) => {
      https
        .request(url, { method: 'POST', agent }, (res) => resolve(String(res.statusCode)))
        .on('error', (error) => resolve(error.message))
        .end();
    });

  it('reach an https Collector through the CA file its variable names, and keep connections alive', async () => {
    const trusting = (await exportAgentFactory({ ca: cert })('https:')) as https.Agent;
    expect(trusting.options).toMatchObject({ keepAlive: true });
    expect(await post(trusting)).toBe('200');
    // The same Collector without the CA: the check above is the CA file at work.
    const plain = (await exportAgentFactory({})('https:')) as https.Agent;
    expect(await post(plain)).toMatch(/self.signed certificate/);
    trusting.destroy();
    plain.destroy();
  });

  it('give a plain http endpoint no TLS files', async () => {
    const agent = await exportAgentFactory({ ca: cert, cert, key })('http:');
    expect(agent.options).toMatchObject({ keepAlive: true });
    expect(agent.options).not.toHaveProperty('ca');
  });
});

describe('gRPC exports', () => {
  /** A Collector that never answers: a gRPC call waits for its deadline. */
  let url: string;
  beforeAll(async () => {
    ({ url } = await listenSilent());
  });
  afterAll(closeLocalServers);

  /** One finished span to export. */
  const span = () => {
    const recorded = new InMemorySpanExporter();
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(recorded)] })
      .getTracer('test')
      .startSpan('GET /orders')
      .end();
    return recorded.getFinishedSpans();
  };
  const clientOf = (exporter: OTLPTraceExporter) =>
    (exporter as unknown as { _delegate: { _transport: { _client?: object } } })._delegate._transport._client;

  it('are recognised for each signal, and nothing else is', () => {
    for (const exporter of [
      new OTLPTraceExporter({ url }),
      new OTLPMetricExporter({ url }),
      new OTLPLogExporter({ url }),
    ]) {
      expect(holdGrpcExports(exporter)).toBe(true);
    }
    expect(holdGrpcExports(new OTLPHttpTraceExporter())).toBe(false);
    expect(holdGrpcExports({})).toBe(false);
  });

  it('end at once when released, long before their timeout, and the next export makes a new client', async () => {
    const exporter = new OTLPTraceExporter({ url, timeoutMillis: 20_000 });
    expect(holdGrpcExports(exporter)).toBe(true);
    const answered = (): Promise<ExportResult> => new Promise((resolve) => exporter.export(span(), resolve));
    const first = answered();
    const unanswered = Symbol('unanswered');
    expect(await Promise.race([first, sleep(500, unanswered)])).toBe(unanswered);
    const closed = clientOf(exporter);
    expect(closed).toBeDefined();

    const releasedAt = Date.now();
    giveUp();
    expect((await first).code).toBe(ExportResultCode.FAILED);
    expect(Date.now() - releasedAt).toBeLessThan(2_000);
    expect(clientOf(exporter)).toBeUndefined();

    // A process that keeps running exports again, over a new client.
    const second = answered();
    await sleep(100);
    expect(clientOf(exporter)).toBeDefined();
    expect(clientOf(exporter)).not.toBe(closed);
    giveUp();
    expect((await second).code).toBe(ExportResultCode.FAILED);
  });
});

import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PipelineLabels, ServiceGraphMetrics, SpanMetrics } from '@otelkit/conventions';
import {
  collectorEnvironment,
  freePorts,
  ManagedProcess,
  provision,
  repoRoot,
  type Stack,
  type StackPorts,
  sinkProcess,
} from '@otelkit/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './helpers/poll.js';
import { query } from './helpers/prometheus.js';
import { OtlpSpanKind, type SinkSpan, sinkLogs, sinkSpans } from './helpers/sink.js';
import { startTestStack, TEST_COLLECTOR_ENV } from './helpers/stack.js';

// The scale-out layout of docs/scaling.md, natively: one agent Collector (collector/scale/agent.yaml)
// load-balancing by trace id over two gateway Collectors (collector/config.yaml merged with
// collector/scale/gateway.yaml). Each gateway sends its sampled traces and its logs to a sink of
// its own, so the test can tell which gateway got what; both write metrics to one Prometheus.

const root = repoRoot();
const collectorDir = join(root, 'collector');
const TRACES = 200;
/** Traces per OTLP request: each request mixes spans of many traces. */
const TRACES_PER_REQUEST = 50;
const FRONTEND = 'scale-frontend';
const BACKEND = 'scale-backend';
/** Label the gateway overlay stamps on RED metrics (attribute collector.instance.id). */
const GATEWAY_LABEL = 'collector_instance_id';
const GATEWAY_IDS = ['gateway-1', 'gateway-2'] as const;
/** The gauge of {@link metricsRequest} after Prometheus' OTLP translation. */
const APP_GAUGE = 'stock_reservations_pending';

/** One span of a test trace, before it is encoded as OTLP/JSON. */
interface TestSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP span kind: see {@link OtlpSpanKind}. */
  kind: number;
  start: bigint;
  end: bigint;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/**
 * A frontend → backend request as four spans: frontend server and client spans, backend server
 * span and an internal step. The client/server pair is what service_graph turns into an edge.
 */
function testTrace(now: bigint): TestSpan[] {
  const traceId = hex(16);
  const [root, call, handler, step] = [hex(8), hex(8), hex(8), hex(8)];
  const ms = 1_000_000n;
  return [
    {
      service: FRONTEND,
      traceId,
      spanId: root,
      parentSpanId: '',
      name: 'GET /checkout',
      kind: OtlpSpanKind.server,
      start: now,
      end: now + 40n * ms,
    },
    {
      service: FRONTEND,
      traceId,
      spanId: call,
      parentSpanId: root,
      name: 'POST',
      kind: OtlpSpanKind.client,
      start: now + 5n * ms,
      end: now + 35n * ms,
    },
    {
      service: BACKEND,
      traceId,
      spanId: handler,
      parentSpanId: call,
      name: 'POST /reserve',
      kind: OtlpSpanKind.server,
      start: now + 6n * ms,
      end: now + 34n * ms,
    },
    {
      service: BACKEND,
      traceId,
      spanId: step,
      parentSpanId: handler,
      name: 'reserve stock',
      kind: OtlpSpanKind.internal,
      start: now + 7n * ms,
      end: now + 30n * ms,
    },
  ];
}

/** An OTLP/JSON ExportTraceServiceRequest holding `spans`, one resource per service. */
function tracesRequest(spans: TestSpan[]): unknown {
  const services = [...new Set(spans.map((span) => span.service))];
  return {
    resourceSpans: services.map((service) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [
        {
          scope: { name: 'scale-out-test' },
          spans: spans
            .filter((span) => span.service === service)
            .map((span) => ({
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId,
              name: span.name,
              kind: span.kind,
              startTimeUnixNano: String(span.start),
              endTimeUnixNano: String(span.end),
            })),
        },
      ],
    })),
  };
}

/** An OTLP/JSON ExportMetricsServiceRequest with one gauge point of the backend service. */
function metricsRequest(now: bigint): unknown {
  return {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: BACKEND } }] },
        scopeMetrics: [
          {
            metrics: [
              {
                name: 'stock.reservations.pending',
                gauge: { dataPoints: [{ timeUnixNano: String(now), asInt: '7' }] },
              },
            ],
          },
        ],
      },
    ],
  };
}

/** An OTLP/JSON ExportLogsServiceRequest: one record per trace, carrying its trace id. */
function logsRequest(traceIds: string[], now: bigint): unknown {
  return {
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: BACKEND } }] },
        scopeLogs: [
          {
            logRecords: traceIds.map((traceId) => ({
              timeUnixNano: String(now),
              severityNumber: 9,
              body: { stringValue: `reserved stock for ${traceId}` },
              traceId,
            })),
          },
        ],
      },
    ],
  };
}

async function post(url: string, body: unknown): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${await response.text()}`);
}

/**
 * Sends span k of every trace in round k, in requests that each mix 50 traces, with a pause
 * longer than the agent's batch flush (200 ms) so rounds leave the agent as separate batches:
 * only routing by trace id puts the four spans of a trace on one gateway.
 */
async function sendTraces(agentHttp: string, traces: TestSpan[][]): Promise<void> {
  for (let round = 0; round < 4; round++) {
    for (let first = 0; first < traces.length; first += TRACES_PER_REQUEST) {
      const spans = traces.slice(first, first + TRACES_PER_REQUEST).flatMap((trace) => trace[round] ?? []);
      await post(`${agentHttp}/v1/traces`, tracesRequest(spans));
    }
    await sleep(400);
  }
}

/** A gateway Collector and the sink standing in for its Tempo and Loki. */
interface Gateway {
  id: string;
  ports: StackPorts;
  sinkDir: string;
  gateway: ManagedProcess;
  sink: ManagedProcess;
}

describe('scale-out: an agent Collector load-balances by trace id over two gateway Collectors', () => {
  let stack: Stack;
  let stateDir: string;
  let agent: ManagedProcess;
  let agentHttp: string;
  const gateways: Gateway[] = [];
  const traces: TestSpan[][] = [];

  beforeAll(async () => {
    const binaries = await provision();
    const binary = binaries.collector.binary;
    // The stack supplies the Prometheus both gateways write to; its own Collector stays idle.
    stack = await startTestStack({ binaries });
    stateDir = mkdtempSync(join(tmpdir(), 'otelkit-scale-'));
    const [agentGrpc = 0, agentHttpPort = 0, agentHealth = 0, agentMetrics = 0, ...rest] = await freePorts(
      4 + 7 * GATEWAY_IDS.length,
    );
    const local = (port: number) => `127.0.0.1:${port}`;

    for (const [i, id] of GATEWAY_IDS.entries()) {
      const [
        otlpGrpc = 0,
        otlpHttp = 0,
        collectorHealth = 0,
        collectorMetrics = 0,
        sinkGrpc = 0,
        sinkHttp = 0,
        sinkHealth = 0,
      ] = rest.slice(i * 7, i * 7 + 7);
      const ports: StackPorts = {
        ...stack.ports,
        otlpGrpc,
        otlpHttp,
        collectorHealth,
        collectorMetrics,
        sinkGrpc,
        sinkHttp,
        sinkHealth,
      };
      const dir = join(stateDir, id);
      const sinkDir = join(dir, 'sink');
      mkdirSync(sinkDir, { recursive: true });
      const sink = sinkProcess({
        name: `${id}-sink`,
        collectorBinary: binary,
        root,
        ports: { grpc: sinkGrpc, http: sinkHttp, health: sinkHealth },
        sinkDir,
        logFile: join(dir, 'sink.log'),
      });
      const gateway = new ManagedProcess({
        name: id,
        command: binary,
        args: [
          '--config',
          join(collectorDir, 'config.yaml'),
          '--config',
          join(collectorDir, 'scale', 'gateway.yaml'),
        ],
        env: {
          // Same pipeline settings as every other e2e test, pointed at this gateway's sink and
          // the shared Prometheus; every trace is kept so the sinks hold all of them.
          ...collectorEnvironment(ports, dir),
          ...TEST_COLLECTOR_ENV,
          OTELKIT_TAIL_DECISION_WAIT: '5s',
          OTELKIT_TRACE_SAMPLE_PERCENT: '100',
          OTELKIT_GATEWAY_ID: id,
        },
        logFile: join(dir, 'gateway.log'),
        ready: { http: `http://${local(collectorHealth)}/` },
      });
      gateways.push({ id, ports, sinkDir, gateway, sink });
    }

    agent = new ManagedProcess({
      name: 'agent',
      command: binary,
      args: ['--config', join(collectorDir, 'scale', 'agent.yaml')],
      env: {
        OTELKIT_OTLP_GRPC_ENDPOINT: local(agentGrpc),
        OTELKIT_OTLP_HTTP_ENDPOINT: local(agentHttpPort),
        OTELKIT_HEALTH_ENDPOINT: local(agentHealth),
        OTELKIT_COLLECTOR_METRICS_HOST: '127.0.0.1',
        OTELKIT_COLLECTOR_METRICS_PORT: String(agentMetrics),
        OTELKIT_STORAGE_DIR: join(stateDir, 'agent', 'storage'),
        OTELKIT_GATEWAYS: `[${gateways.map((g) => local(g.ports.otlpGrpc)).join(', ')}]`,
      },
      logFile: join(stateDir, 'agent', 'agent.log'),
      ready: { http: `http://${local(agentHealth)}/` },
    });
    agentHttp = `http://${local(agentHttpPort)}`;

    for (const g of gateways) {
      await g.sink.start();
      await g.gateway.start();
    }
    await agent.start();

    const now = BigInt(Date.now()) * 1_000_000n;
    for (let i = 0; i < TRACES; i++) traces.push(testTrace(now));
    await sendTraces(agentHttp, traces);
    for (let first = 0; first < TRACES; first += TRACES_PER_REQUEST) {
      const ids = traces.slice(first, first + TRACES_PER_REQUEST).map((trace) => trace[0]?.traceId ?? '');
      await post(`${agentHttp}/v1/logs`, logsRequest(ids, now));
    }
    await post(`${agentHttp}/v1/metrics`, metricsRequest(now));
  });

  afterAll(async () => {
    await agent?.stop();
    for (const g of gateways) await g.gateway.stop();
    for (const g of gateways) await g.sink.stop();
    await stack?.stop();
    if (stateDir && process.env.OTELKIT_KEEP_STATE !== '1')
      rmSync(stateDir, { recursive: true, force: true });
  });

  /** Spans per gateway, once all 4 × TRACES spans have reached the sinks. */
  async function spansByGateway(): Promise<Map<string, SinkSpan[]>> {
    return eventually('every span in a gateway sink', async () => {
      const byGateway = new Map(gateways.map((g) => [g.id, sinkSpans(g.sinkDir)]));
      const total = [...byGateway.values()].reduce((sum, spans) => sum + spans.length, 0);
      return total >= 4 * TRACES ? byGateway : undefined;
    });
  }

  it('puts every span of a trace on exactly one gateway, and both gateways get traces', async () => {
    const byGateway = await spansByGateway();
    const gatewaysOfTrace = new Map<string, Set<string>>();
    for (const [id, spans] of byGateway) {
      for (const span of spans) {
        const seen = gatewaysOfTrace.get(span.traceId) ?? new Set<string>();
        seen.add(id);
        gatewaysOfTrace.set(span.traceId, seen);
      }
    }
    const split = [...gatewaysOfTrace].filter(([, ids]) => ids.size > 1).map(([traceId]) => traceId);
    expect(split, 'traces whose spans landed on more than one gateway').toEqual([]);

    for (const trace of traces) {
      const traceId = trace[0]?.traceId ?? '';
      const [id] = [...(gatewaysOfTrace.get(traceId) ?? [])];
      const spans = (id ? (byGateway.get(id) ?? []) : []).filter((span) => span.traceId === traceId);
      // All four spans, each once: nothing lost, nothing duplicated.
      expect(spans.map((span) => span.spanId).sort(), traceId).toEqual(
        trace.map((span) => span.spanId).sort(),
      );
    }

    const tracesPerGateway = gateways.map(
      (g) => [...gatewaysOfTrace.values()].filter((ids) => ids.has(g.id)).length,
    );
    console.log(
      `traces per gateway: ${GATEWAY_IDS.map((id, i) => `${id} ${tracesPerGateway[i]}`).join(', ')}`,
    );
    expect(tracesPerGateway.reduce((a, b) => a + b, 0)).toBe(TRACES);
    // Consistent hashing over two gateways splits roughly in half; a quarter is a loose floor.
    for (const count of tracesPerGateway) expect(count).toBeGreaterThanOrEqual(TRACES / 4);
  });

  it('passes logs and application metrics through the agent and a gateway', async () => {
    const logs = await eventually('every log record in a gateway sink', async () => {
      const found = gateways.flatMap((g) => sinkLogs(g.sinkDir));
      return found.length >= TRACES ? found : undefined;
    });
    // Each record once: the agent's retry did not duplicate any.
    expect(logs.map((log) => log.traceId).sort()).toEqual(traces.map((trace) => trace[0]?.traceId).sort());

    const [depth] = await eventually('the application gauge in Prometheus', () =>
      query(stack.endpoints.prometheus, `${APP_GAUGE}{job="${BACKEND}"}`).then((r) =>
        r.length ? r : undefined,
      ),
    );
    expect(depth?.value).toBe(7);
  });

  it('RED metrics from both gateways add up in one Prometheus, one series set per gateway', async () => {
    const byGateway = await spansByGateway();
    const prometheus = stack.endpoints.prometheus;
    const services = `${PipelineLabels.serviceName}=~"${FRONTEND}|${BACKEND}"`;
    const edge = `${ServiceGraphMetrics.requests}{${PipelineLabels.client}="${FRONTEND}", ${PipelineLabels.server}="${BACKEND}"}`;
    /** Sum of `selector` per gateway label value. */
    const perGateway = async (selector: string) =>
      Object.fromEntries(
        (await query(prometheus, `sum by (${GATEWAY_LABEL}) (${selector})`)).map((s) => [
          s.metric[GATEWAY_LABEL] ?? '',
          s.value,
        ]),
      );
    await eventually('span metrics and service-graph edges of every trace', async () => {
      const [calls] = await query(prometheus, `sum(${SpanMetrics.calls}{${services}})`);
      const [edges] = await query(prometheus, `sum(${edge})`);
      return calls && calls.value >= 4 * TRACES && edges && edges.value >= TRACES ? true : undefined;
    });

    // Each gateway's series count exactly the spans and edges of the traces in its own sink.
    // Without the gateway label the two gateways write one service-graph series, each with its
    // own partial count, and Prometheus keeps whichever came last.
    const spansOn = (id: string) => byGateway.get(id)?.length ?? 0;
    expect(await perGateway(`${SpanMetrics.calls}{${services}}`)).toEqual(
      Object.fromEntries(GATEWAY_IDS.map((id) => [id, spansOn(id)])),
    );
    expect(await perGateway(edge)).toEqual(
      Object.fromEntries(GATEWAY_IDS.map((id) => [id, spansOn(id) / 4])),
    );
  });

  it("holds a stopped gateway's share until it is back: nothing lost, nothing sent twice", async () => {
    const [up, down] = gateways;
    if (!up || !down) throw new Error('two gateways expected');
    await down.gateway.stop();
    const now = BigInt(Date.now()) * 1_000_000n;
    const more = Array.from({ length: TRACES / 2 }, () => testTrace(now));
    await sendTraces(agentHttp, more);
    // Long enough for the agent to retry the stopped gateway's share several times.
    await sleep(5_000);
    await down.gateway.start();

    const ids = new Set(more.map((trace) => trace[0]?.traceId));
    const wanted = (id: string) =>
      sinkSpans(gateways.find((g) => g.id === id)?.sinkDir ?? '').filter((s) => ids.has(s.traceId));
    await eventually('every span of the traces sent while a gateway was down', async () => {
      const total = wanted(up.id).length + wanted(down.id).length;
      return total >= 4 * more.length ? true : undefined;
    });
    // Let retries still in flight land before counting duplicates.
    await sleep(3_000);
    const spans = [...wanted(up.id), ...wanted(down.id)];
    const spanIds = spans.map((span) => span.spanId);
    expect(spanIds.length - new Set(spanIds).size, 'spans delivered twice').toBe(0);
    expect(new Set(spanIds)).toEqual(new Set(more.flat().map((span) => span.spanId)));
    const onDown = new Set(wanted(down.id).map((span) => span.traceId));
    const onUp = new Set(wanted(up.id).map((span) => span.traceId));
    expect(
      [...onDown].filter((id) => onUp.has(id)),
      'traces split across gateways',
    ).toEqual([]);
    expect(onDown.size, 'the stopped gateway got its share once back').toBeGreaterThan(0);
  });
});

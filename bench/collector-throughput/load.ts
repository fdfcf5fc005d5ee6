import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Payload } from './payload.js';

/** Options of {@link startLoad}. */
export interface LoadOptions {
  /** The Collector's OTLP/HTTP base URL, e.g. `http://127.0.0.1:4318`. */
  otlpHttp: string;
  /** The request to send, re-stamped before every send. */
  payload: Payload;
  /** Requests in flight at any time, each on its own keep-alive connection. */
  concurrency: number;
  /** A request that takes longer is abandoned and counted as failed. Default 30 000 ms. */
  requestTimeoutMs?: number;
  /**
   * Pause of a slot after a refused (non-2xx) response, as an OTLP client backs off before it
   * retries; without it refusals turn into a busy loop that steals CPU from the Collector.
   * Default 100 ms. Refused requests are counted, never retried.
   */
  refusalPauseMs?: number;
}

/** Counters since the load started (latencies: since the previous snapshot). */
export interface LoadSnapshot {
  /** When the snapshot was taken (`performance.now()`, ms). */
  at: number;
  /** Requests answered 2xx. */
  ok: number;
  /** Requests answered with any other status (e.g. 503 from memory_limiter). */
  refused: number;
  /** Requests without an answer: connection error or timeout. */
  failed: number;
  /** Answers by HTTP status (0 = no answer). */
  statuses: Record<number, number>;
  /** Latencies (ms) of the requests answered 2xx since the previous snapshot. */
  latenciesMs: number[];
}

/** A running load; see {@link startLoad}. */
export interface Load {
  /** Current counters; drains the latency list. */
  snapshot(): LoadSnapshot;
  /** Stops sending and waits for the requests in flight. */
  stop(): Promise<void>;
}

/** POSTs `body` and resolves with the HTTP status, or 0 when there is no answer. */
function post(agent: Agent, url: URL, body: Buffer, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: '/v1/traces',
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
      },
      (res) => {
        // The body (an ExportTraceServiceResponse) is not needed; draining keeps the socket reusable.
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
        res.once('error', () => resolve(0));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.once('error', () => resolve(0));
    req.end(body);
  });
}

/**
 * Sends `payload` to `/v1/traces` from `concurrency` slots, each waiting for its answer before
 * the next send (closed loop), until {@link Load.stop}. Every slot owns a copy of the template
 * that it re-stamps in place, so a send allocates nothing proportional to the request size.
 */
export function startLoad(options: LoadOptions): Load {
  const url = new URL(options.otlpHttp);
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const refusalPauseMs = options.refusalPauseMs ?? 100;
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const counts = { ok: 0, refused: 0, failed: 0 };
  const statuses: Record<number, number> = {};
  let latencies: number[] = [];
  let running = true;

  const slot = async (): Promise<void> => {
    const body = Buffer.from(options.payload.template);
    while (running) {
      options.payload.stamp(body);
      const started = performance.now();
      const status = await post(agent, url, body, timeoutMs);
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status >= 200 && status < 300) {
        counts.ok++;
        latencies.push(performance.now() - started);
      } else if (status === 0) {
        counts.failed++;
        await sleep(100);
      } else {
        counts.refused++;
        await sleep(refusalPauseMs);
      }
    }
  };
  const slots = Array.from({ length: options.concurrency }, () => slot());

  return {
    snapshot(): LoadSnapshot {
      const drained = latencies;
      latencies = [];
      return { at: performance.now(), ...counts, statuses: { ...statuses }, latenciesMs: drained };
    },
    async stop(): Promise<void> {
      running = false;
      await Promise.all(slots);
      agent.destroy();
    },
  };
}

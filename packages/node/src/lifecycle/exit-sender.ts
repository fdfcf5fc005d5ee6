import { Worker } from 'node:worker_threads';
import type { TlsFiles } from '../config/options.js';

/** One OTLP/HTTP request for {@link sendBeforeExit}. */
export interface ExitRequest {
  /** The signal's export URL. */
  url: string;
  /** Request headers, content type included. */
  headers: Record<string, string>;
  /** The encoded (and, when configured, compressed) export request. */
  body: Uint8Array;
  /** PEM files for an https URL, as the OTLP exporters read them from `OTEL_EXPORTER_OTLP_*`. */
  tls: TlsFiles;
}

/** How {@link sendBeforeExit} ended: every request answered 2xx, one did not, or time ran out. */
export type ExitSendOutcome = 'sent' | 'failed' | 'timed out';

// The shared flag: 0 while the worker sends, then 1 when every request was answered 2xx, else 2.
const PENDING = 0;
const SENT = 1;

/**
 * Sends `requests` and blocks the calling thread until they are answered, at most `timeoutMs`.
 *
 * For the 'exit' event, where the event loop no longer runs: the requests go out from a worker
 * thread, which has its own, while this thread waits on a shared flag. Blocking is what
 * `process.exit()` leaves: the process ends as soon as the 'exit' listeners return.
 */
export function sendBeforeExit(requests: readonly ExitRequest[], timeoutMs: number): ExitSendOutcome {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(`(${exitSenderThread.toString()})(require);`, {
    eval: true,
    workerData: { requests, flag },
    // The application's preloads (otelkit's own --import among them) have no business there.
    execArgv: [],
    stdout: true,
    stderr: true,
  });
  worker.unref();
  if (Atomics.wait(flag, 0, PENDING, timeoutMs) === 'timed-out') {
    void worker.terminate();
    return 'timed out';
  }
  return Atomics.load(flag, 0) === SENT ? 'sent' : 'failed';
}

interface SenderData {
  requests: ExitRequest[];
  flag: Int32Array;
}

/**
 * The worker's program. It runs from its source text, so it uses nothing from this module:
 * modules come through `load`, the constants are spelled out.
 */
function exitSenderThread(load: (id: string) => unknown): void {
  const { workerData } = load('node:worker_threads') as { workerData: SenderData };
  const { readFileSync } = load('node:fs') as typeof import('node:fs');
  const http = load('node:http') as typeof import('node:http');
  const https = load('node:https') as typeof import('node:https');
  const { requests, flag } = workerData;
  let left = requests.length;
  let failed = false;
  const settle = (ok: boolean) => {
    failed ||= !ok;
    left -= 1;
    if (left > 0) return;
    Atomics.store(flag, 0, failed ? 2 : 1); // SENT or failed, see above

    Atomics.notify(flag, 0);
  };
  const pem = (path: string | undefined) => (path === undefined ? undefined : readFileSync(path));
  for (const request of requests) {
    let answered = false;
    const once = (ok: boolean) => {
      if (answered) return;
      answered = true;
      settle(ok);
    };
    try {
      const url = new URL(request.url);
      const options = { method: 'POST', headers: request.headers };
      const tls = { ca: pem(request.tls.ca), cert: pem(request.tls.cert), key: pem(request.tls.key) };
      const client =
        url.protocol === 'https:' ? https.request(url, { ...options, ...tls }) : http.request(url, options);
      client.on('response', (response) => {
        const ok = response.statusCode !== undefined && response.statusCode < 300;
        response.resume();
        response.on('end', () => once(ok));
        response.on('error', () => once(false));
      });
      client.on('error', () => once(false));
      client.end(request.body);
    } catch {
      once(false);
    }
  }
}

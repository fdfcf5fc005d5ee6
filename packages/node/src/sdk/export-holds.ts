import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TlsFiles } from '../config/options.js';

/** What these holds read of the running SDK's export gate (ExportGate). */
type GateState = { readonly closed: boolean };

/** The part of @opentelemetry/otlp-grpc-exporter-base's transport that holds a gRPC client. */
interface GrpcTransport {
  _client?: { close(): void } | undefined;
}

/**
 * What of the OTLP exporters' work holds the process: for HTTP, the waits between an export's
 * attempts and its requests' sockets; for gRPC, the client's channel while a call is pending. They
 * keep the event loop alive, as they should while an export may still succeed. But once a flush on
 * the way out has given up on the Collector, an application draining after SIGTERM stayed up to
 * the export timeout (10 s by default) after otelkit's bound of 5 s: refused connections were
 * retried on timers, and an unanswered request kept its socket or its channel.
 * {@link releaseExports} lets go of them; a process that keeps running still exports.
 *
 * Upstream's retrying transport waits with a plain `setTimeout`, so the bundle
 * (scripts/bundle.mjs) routes that call through {@link exportRetryTimer}.
 */
const waiting = new Set<NodeJS.Timeout>();
const agents = new Set<http.Agent>();
const grpcTransports = new Set<GrpcTransport>();
// The running SDK's export gate: while it refuses new exports, those under way are let go of.
let gate: GateState | undefined;
const released = () => gate?.closed === true;

const letGo = (socket: Duplex) => (socket as Socket).unref?.();

/** `setTimeout` for an export's next attempt: it holds the process until {@link releaseExports}. */
export function exportRetryTimer(retry: () => void, delayMs: number): NodeJS.Timeout {
  const timer = setTimeout(() => {
    waiting.delete(timer);
    retry();
  }, delayMs);
  if (released()) timer.unref();
  else waiting.add(timer);
  return timer;
}

/** The contents of a PEM file the configuration found readable; none if it no longer is. */
function pem(path: string | undefined): Buffer | undefined {
  try {
    return path === undefined ? undefined : readFileSync(path);
  } catch {
    return undefined;
  }
}

/**
 * The agent an OTLP HTTP exporter sends with, as its `httpAgentOptions` takes a factory: keep-alive
 * (the exporters' default) and, for https, the contents of the PEM files `tls` names, read when the
 * first export goes out, as the exporters would read them; its sockets stop holding the process at
 * {@link releaseExports}. Node's keep-alive agent already lets go of idle sockets.
 */
export function exportAgentFactory(tls: TlsFiles): (protocol: string) => Promise<http.Agent> {
  return async (protocol) => {
    const agent =
      protocol === 'http:'
        ? new http.Agent({ keepAlive: true })
        : new https.Agent({ keepAlive: true, ca: pem(tls.ca), cert: pem(tls.cert), key: pem(tls.key) });
    const { createConnection, reuseSocket } = agent;
    agent.createConnection = function (
      this: http.Agent,
      ...args: Parameters<http.Agent['createConnection']>
    ) {
      const socket = createConnection.apply(this, args);
      if (released() && socket) letGo(socket);
      return socket;
    };
    agent.reuseSocket = function (this: http.Agent, socket: Duplex, request: http.ClientRequest) {
      reuseSocket.call(this, socket, request);
      if (released()) letGo(socket);
    };
    agents.add(agent);
    return agent;
  };
}

/**
 * Lets the process end without waiting for the exports under way, once the gate given to
 * {@link holdExports} has closed: a flush on the way out found the Collector unreachable, and what
 * they carry is already reported lost. Their retries and requests go on while something else keeps
 * the process alive. Later ones are let go of too while the gate stays closed; after that, a
 * process still running holds for its exports again.
 */
export function releaseExports(): void {
  for (const timer of waiting) timer.unref();
  waiting.clear();
  for (const agent of agents) for (const sockets of Object.values(agent.sockets)) sockets?.forEach(letGo);
  // Closing a client ends its calls at once; the transport makes a new one for its next export, as
  // it does itself after repeated deadline failures. While the gate is closed there is none.
  for (const transport of grpcTransports) {
    const client = transport._client;
    transport._client = undefined;
    client?.close();
  }
}

/**
 * Lets {@link releaseExports} close the gRPC client of `exporter`, an OTLP gRPC exporter. Returns
 * false when the exporter is not built as @opentelemetry/otlp-grpc-exporter-base 0.223 builds it:
 * its calls then hold an ending process up to their timeout.
 */
export function holdGrpcExports(exporter: object): boolean {
  const transport = (exporter as { _delegate?: { _transport?: object } })._delegate?._transport;
  if (transport?.constructor.name !== 'GrpcExporterTransport' || !('_client' in transport)) return false;
  grpcTransports.add(transport as GrpcTransport);
  return true;
}

/**
 * Exports hold the process again, until `exportGate` (the new SDK's, see ExportGate) closes: a
 * new SDK starts, after one that may have given up.
 */
export function holdExports(exportGate: GateState): void {
  gate = exportGate;
  agents.clear();
  grpcTransports.clear();
}

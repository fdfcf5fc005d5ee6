import { createServer, type RequestListener, type Server } from 'node:http';
import {
  type AddressInfo,
  createServer as createTcpServer,
  type Socket,
  type Server as TcpServer,
} from 'node:net';

const servers: Server[] = [];
const silentServers: { server: TcpServer; connections: Set<Socket> }[] = [];

/** Serves `listener` on a free loopback port until {@link closeLocalServers}; returns its base URL. */
export async function listenLocal(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * A Collector that hangs: accepts connections on a free loopback port and never answers, over
 * HTTP or gRPC alike, until {@link closeLocalServers}. Returns its base URL and every connection
 * it took, closed ones too, to tell that a client did reach it.
 */
export async function listenSilent(): Promise<{ url: string; connections: ReadonlySet<Socket> }> {
  const connections = new Set<Socket>();
  const server = createTcpServer((socket) => connections.add(socket));
  silentServers.push({ server, connections });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections };
}

/** Closes every server {@link listenLocal} and {@link listenSilent} started (call it from `afterEach`). */
export async function closeLocalServers(): Promise<void> {
  const silent = silentServers.splice(0).map(({ server, connections }) => {
    for (const socket of connections) socket.destroy();
    return server;
  });
  await Promise.all(
    [...servers.splice(0), ...silent].map((server) => new Promise((resolve) => server.close(resolve))),
  );
}

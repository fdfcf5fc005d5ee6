// Inventory service: a plain node:http server with no framework and no telemetry code.
import { createServer } from 'node:http';

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 3001);
const stock = new Map([
  ['1001', 12],
  ['1002', 0],
  ['1003', 4],
  ['1004', 7],
]);
// Item 1004 sits in a remote warehouse whose lookup takes over two seconds: the slow path the
// demo's latency panels, slow-trace sampling and HighP99Latency (threshold 2 s) show (orders-api
// caches it for 30 s).
const REMOTE_WAREHOUSE = new Set(['1004']);

const server = createServer((request, response) => {
  const match = /^\/stock\/([\w-]+)$/.exec(request.url ?? '');
  if (request.method !== 'GET' || !match) {
    response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    return;
  }
  const id = match[1];
  // A little latency, like a real lookup; a lot for the remote warehouse.
  const delayMs = REMOTE_WAREHOUSE.has(id) ? 2200 + Math.random() * 600 : 5;
  setTimeout(() => {
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ id, available: stock.get(id) ?? 0 }));
  }, delayMs);
});

server.listen(port, host, () => console.log(`inventory-api listening on ${host}:${port}`));

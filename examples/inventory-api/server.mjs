// Inventory service: a plain node:http server with no framework and no telemetry code.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 3001);
const stock = new Map([
  ['1001', 12],
  ['1002', 0],
  ['1003', 4],
]);

const server = createServer((request, response) => {
  const match = /^\/stock\/([\w-]+)$/.exec(request.url ?? '');
  if (request.method !== 'GET' || !match) {
    response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    return;
  }
  const id = match[1];
  // A little latency, like a real lookup.
  setTimeout(() => {
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ id, available: stock.get(id) ?? 0 }));
  }, 5);
});

server.listen(port, '127.0.0.1', () => console.log(`inventory-api listening on ${port}`));

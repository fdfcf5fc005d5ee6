// Orders service (ESM): Express 5, Redis cache via ioredis, winston logging and an outbound call
// to the inventory service. It contains no telemetry code: run it with
//   node --import @otelkit/node/register orders-api/server.mjs
// server.cjs is the same service written as CommonJS, to prove both module systems.
import express from 'express';
import Redis from 'ioredis';
import winston from 'winston';

const port = Number(process.env.PORT ?? 3000);
const inventoryUrl = process.env.INVENTORY_URL ?? 'http://127.0.0.1:3001';
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
const logger = winston.createLogger({
  level: 'info',
  format: winston.format.json(),
  defaultMeta: { module: 'orders' },
  transports: [new winston.transports.Console()],
});

const app = express();
app.use(express.json());
app.use(express.static(new URL('../web/public', import.meta.url).pathname));

app.get('/api/orders/:id', async (request, response) => {
  const { id } = request.params;
  const cached = await redis.get(`order:${id}`);
  if (cached) {
    logger.info('order served from cache', { orderId: id });
    response.json(JSON.parse(cached));
    return;
  }
  const stock = await fetch(`${inventoryUrl}/stock/${id}`).then((r) => r.json());
  const order = { id, inStock: stock.available > 0, available: stock.available };
  await redis.set(`order:${id}`, JSON.stringify(order), 'EX', 30);
  logger.info('order loaded from inventory', { orderId: id, available: stock.available });
  response.json(order);
});

app.post('/api/orders', async (request, response) => {
  const { item, quantity } = request.body ?? {};
  if (typeof item !== 'string' || !Number.isInteger(quantity) || quantity < 1) {
    logger.warn('rejected order', { item, quantity });
    response.status(400).json({ error: 'item (string) and quantity (integer >= 1) are required' });
    return;
  }
  const id = String(await redis.incr('orders:next-id'));
  await redis.set(`order:${id}`, JSON.stringify({ id, item, quantity }), 'EX', 300);
  logger.info('order placed', { orderId: id, item, quantity });
  response.status(201).json({ id, item, quantity });
});

app.get('/api/checkout-fails', () => {
  throw new Error('payment provider timed out');
});

app.use((error, _request, response, _next) => {
  logger.error('request failed', { error: error.message });
  response.status(500).json({ error: 'internal error' });
});

app.listen(port, '127.0.0.1', () => logger.info('orders-api listening', { port }));

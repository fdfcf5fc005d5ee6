// Orders service (ESM): Express 5, Redis cache via ioredis, winston logging and an outbound call
// to the inventory service. It contains no telemetry code: run it with
//   node --import @otelkit/node/register orders-api/server.mjs
// server.cjs is the same service written as CommonJS, to prove both module systems.
import express from 'express';
import Redis from 'ioredis';
import winston from 'winston';

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 3000);
const inventoryUrl = process.env.INVENTORY_URL ?? 'http://127.0.0.1:3001';
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
// The payment provider is simulated and flaky on purpose: this share of checkouts (default 20%)
// times out, which is what the demo's HighServerErrorRatio alert on /api/checkout is about.
const paymentFailureRate = Number(process.env.PAYMENT_FAILURE_RATE ?? 0.2);
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

app.post('/api/checkout', async (request, response) => {
  const orderId = String(request.body?.orderId ?? '');
  const order = await redis.get(`order:${orderId}`);
  if (!order) {
    logger.warn('checkout of an unknown order', { orderId });
    response.status(404).json({ error: `no order ${orderId}` });
    return;
  }
  // The payment provider answers in 50-150 ms, or not at all.
  await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100));
  if (Math.random() < paymentFailureRate) {
    throw Object.assign(new Error('payment provider timed out'), { status: 504 });
  }
  logger.info('order paid', { orderId });
  response.json({ orderId, status: 'paid' });
});

app.use((error, _request, response, _next) => {
  logger.error('request failed', { error: error.message });
  const status = Number.isInteger(error.status) && error.status >= 500 ? error.status : 500;
  response.status(status).json({ error: 'internal error' });
});

app.listen(port, host, () => logger.info('orders-api listening', { host, port }));

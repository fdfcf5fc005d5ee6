/**
 * RabbitMQ through amqplib: an unchanged order API publishes to a queue and an unchanged worker
 * consumes from it, both run with `--import @otelkit/node/register` (ES module and CommonJS) against
 * a real RabbitMQ broker (Debian's). The request's trace continues through the queue into the
 * worker, and the worker's log line carries that trace.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stack } from '@otelkit/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './helpers/poll.js';
import { type RunningRabbitMq, startRabbitMq } from './helpers/rabbitmq.js';
import { type RunningService, startService } from './helpers/services.js';
import { descendsFrom, OtlpSpanKind, requestTrace, sinkLogs } from './helpers/sink.js';
import { startAll, startTestStack } from './helpers/stack.js';

const workDir = mkdtempSync(join(tmpdir(), 'otelkit-amqp-'));

describe('@otelkit/node with RabbitMQ (amqplib), unchanged services, one flag', () => {
  let stack: Stack;
  let rabbitmq: RunningRabbitMq;
  const services: RunningService[] = [];

  beforeAll(async () => {
    await startAll([
      // Every trace reaches the sink; tail sampling would otherwise keep a share of fast ones.
      startTestStack({ collectorEnv: { OTELKIT_TRACE_SAMPLE_PERCENT: '100' } }).then((s) => {
        stack = s;
      }),
      startRabbitMq(workDir, join(workDir, 'rabbitmq.log')).then((r) => {
        rabbitmq = r;
      }),
    ]);
  });

  afterAll(async () => {
    for (const service of services) await service.process.stop();
    await rabbitmq?.stop();
    await stack?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  for (const form of ['mjs', 'cjs'] as const) {
    it(`${form}: the request's trace continues through the queue into the worker and its log`, async () => {
      const start = (role: 'api' | 'worker') =>
        startService(
          stack,
          {
            name: `amqp-${role}-${form}`,
            entry: `test/fixtures/amqp-app.${form}`,
            cwd: import.meta.dirname,
            // A queue per form: each worker takes its own API's orders.
            env: { AMQP_URL: rabbitmq.url, ROLE: role, QUEUE: `orders-${form}` },
          },
          workDir,
        ).then((service) => {
          services.push(service);
          return service;
        });
      const [api] = await Promise.all([start('api'), start('worker')]);
      const id = form === 'mjs' ? 61 : 62;
      expect((await fetch(`${api.url}/orders/${id}`, { method: 'POST' })).status).toBe(202);

      const trace = await eventually(`the order's trace from amqp-api-${form} into the worker`, async () => {
        const request = requestTrace(stack.endpoints.sinkDir, `amqp-api-${form}`, `/orders/${id}`);
        const producer = request?.spans.find((s) => s.kind === OtlpSpanKind.producer);
        const consumer = request?.spans.find((s) => s.kind === OtlpSpanKind.consumer);
        return request && producer && consumer ? { ...request, producer, consumer } : undefined;
      });
      const { server, producer, consumer, spans } = trace;
      expect(descendsFrom(producer, server, spans)).toBe(true);
      expect(producer.attributes['messaging.system']).toBe('rabbitmq');
      // The worker's span, in the worker's service, continues from the publish.
      expect(consumer.resource['service.name']).toBe(`amqp-worker-${form}`);
      expect(consumer.parentSpanId).toBe(producer.spanId);
      expect(consumer.attributes['messaging.system']).toBe('rabbitmq');

      const log = await eventually('the worker’s log line', async () =>
        sinkLogs(stack.endpoints.sinkDir).find(
          (l) => l.resource['service.name'] === `amqp-worker-${form}` && l.attributes.orderId === id,
        ),
      );
      expect(log.body).toBe('order processed');
      expect(log.traceId).toBe(server.traceId);
      expect(log.spanId).toBe(consumer.spanId);
    });
  }
});

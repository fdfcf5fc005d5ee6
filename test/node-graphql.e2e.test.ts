/**
 * GraphQL, on by default: an unchanged graphql-js service behind graphql-http, run with `--import
 * @otelkit/node/register` in ES-module and CommonJS form, gets its query parsed, validated and
 * executed as spans of the request's trace, the execution named by the operation, a span for the
 * resolvers it wrote (one for all of a list's items) and none for the fields graphql reads itself,
 * and neither the query's literals nor its variables' values.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stack } from '@otelkit/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './helpers/poll.js';
import { type RunningService, startService } from './helpers/services.js';
import { descendsFrom, requestTrace } from './helpers/sink.js';
import { startTestStack } from './helpers/stack.js';

const QUERY =
  'query GetOrder($id: ID!) { order(id: $id) { id status items { sku quantity price(currency: "EUR") } } }';
const workDir = mkdtempSync(join(tmpdir(), 'otelkit-graphql-'));

describe('@otelkit/node with GraphQL (graphql-js behind graphql-http), unchanged service, one flag', () => {
  let stack: Stack;
  const services: RunningService[] = [];

  beforeAll(async () => {
    // Every trace reaches the sink; tail sampling would otherwise keep a share of fast ones.
    stack = await startTestStack({ collectorEnv: { OTELKIT_TRACE_SAMPLE_PERCENT: '100' } });
  });

  afterAll(async () => {
    for (const service of services) await service.process.stop();
    await stack?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  for (const form of ['mjs', 'cjs'] as const) {
    it(`${form}: parse, validate and execute spans, the resolvers' spans, and no values`, async () => {
      const name = `graphql-app-${form}`;
      const service = await startService(
        stack,
        { name, entry: `test/fixtures/graphql-app.${form}`, cwd: import.meta.dirname },
        workDir,
      );
      services.push(service);
      const response = await fetch(`${service.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: QUERY, variables: { id: '7' } }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        data: {
          order: {
            id: '7',
            status: 'shipped',
            items: [
              { sku: 'A-1', quantity: 2, price: 9.5 },
              { sku: 'B-2', quantity: 1, price: 20 },
            ],
          },
        },
      });

      const { server, spans } = await eventually(`${name}'s request with its GraphQL spans`, async () => {
        const request = requestTrace(stack.endpoints.sinkDir, name, '/graphql');
        return request?.spans.some((s) => s.name.startsWith('graphql.resolve order.items'))
          ? request
          : undefined;
      });
      const graphql = spans.filter((s) => s.name.startsWith('graphql.') || s.name.startsWith('query'));
      expect(graphql.map((s) => s.name).sort()).toEqual([
        'graphql.parse',
        'graphql.resolve order',
        'graphql.resolve order.items.*.price',
        'graphql.validate',
        'query GetOrder',
      ]);
      for (const span of graphql) expect(descendsFrom(span, server, spans), span.name).toBe(true);

      const execute = graphql.find((s) => s.name === 'query GetOrder');
      expect(execute?.attributes).toMatchObject({
        'graphql.operation.type': 'query',
        'graphql.operation.name': 'GetOrder',
      });
      // The query as written, its literal masked: an id, an email or a token in a query stays home.
      // The query as written, its literals masked, and no variable's value: an id, an email or a
      // token stays home.
      expect(execute?.attributes['graphql.source']).toBe(QUERY.replace('"EUR"', '"*"'));
      for (const span of graphql) {
        const variables = Object.keys(span.attributes).filter((key) => key.startsWith('graphql.variables'));
        expect(variables, span.name).toEqual([]);
      }
      const resolve = graphql.find((s) => s.name === 'graphql.resolve order');
      expect(resolve?.attributes).toMatchObject({
        'graphql.field.name': 'order',
        'graphql.field.path': 'order',
      });
      expect(descendsFrom(resolve ?? server, execute ?? server, spans)).toBe(true);
    });
  }
});

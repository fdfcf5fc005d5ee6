/**
 * Koa, node-redis and mysql2, as the node README promises: an unchanged Koa service that caches
 * in Redis (Debian's) and reads from MariaDB (Debian's), run with `--import
 * @otelkit/node/register` in ES-module and CommonJS form, gets its route on the server span and
 * its commands and queries as client spans inside the request's trace.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type ManagedProcess, redisProcess, type Stack } from '@otelkit/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningMariaDb, startMariaDb } from './helpers/mariadb.js';
import { eventually } from './helpers/poll.js';
import { type RunningService, startService } from './helpers/services.js';
import { descendsFrom, OtlpSpanKind, requestTrace, sinkSpans } from './helpers/sink.js';
import { startAll, startTestStack } from './helpers/stack.js';

const QUERY = 'SELECT\n  ? AS id, DATABASE() AS db';
const workDir = mkdtempSync(join(tmpdir(), 'otelkit-koa-'));

describe('@otelkit/node with Koa, node-redis and mysql2, unchanged service, one flag', () => {
  let stack: Stack;
  let mariadb: RunningMariaDb;
  let redis: ManagedProcess;
  let redisUrl: string;
  const services: RunningService[] = [];

  beforeAll(async () => {
    const redisPort = await freePort();
    redisUrl = `redis://127.0.0.1:${redisPort}`;
    redis = redisProcess({ port: redisPort, logFile: join(workDir, 'redis.log') });
    await startAll([
      // Every trace reaches the sink; tail sampling would otherwise keep a share of fast ones.
      startTestStack({ collectorEnv: { OTELKIT_TRACE_SAMPLE_PERCENT: '100' } }).then((s) => {
        stack = s;
      }),
      startMariaDb(workDir, join(workDir, 'mariadb.log')).then((m) => {
        mariadb = m;
      }),
      redis.start(),
    ]);
  });

  afterAll(async () => {
    for (const service of services) await service.process.stop();
    await redis?.stop();
    await mariadb?.stop();
    await stack?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  for (const form of ['mjs', 'cjs'] as const) {
    it(`${form}: the route names the server span; commands and queries are its client spans`, async () => {
      const name = `koa-app-${form}`;
      const service = await startService(
        stack,
        {
          name,
          entry: `test/fixtures/koa-app.${form}`,
          cwd: import.meta.dirname,
          env: { REDIS_URL: redisUrl, MYSQL_URL: mariadb.url },
        },
        workDir,
      );
      services.push(service);
      const id = form === 'mjs' ? 51 : 52;
      const response = await fetch(`${service.url}/items/${id}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ id, db: 'mysql', cached: false });

      const trace = await eventually(`${name}'s request with its query and commands`, async () => {
        const request = requestTrace(stack.endpoints.sinkDir, name, `/items/${id}`);
        const clients = request?.spans.filter((s) => s.kind === OtlpSpanKind.client) ?? [];
        return request && clients.length >= 3 ? { ...request, clients } : undefined;
      });
      const { server, clients, spans } = trace;
      expect(server.name).toBe('GET /items/:id');
      expect(server.attributes['http.route']).toBe('/items/:id');
      expect(spans.some((s) => s.attributes['koa.type'] === 'router')).toBe(true);

      const query = clients.find((s) => s.attributes['db.system.name'] === 'mysql');
      // Named by its verb, not by the text up to the first space ("SELECT\n").
      expect(query?.name).toBe('SELECT');
      // The statement as written: the bound id is not formatted into it.
      expect(query?.attributes).toMatchObject({
        'db.query.text': QUERY,
        'server.address': '127.0.0.1',
        'server.port': mariadb.port,
      });
      const commands = clients.filter((s) => s.attributes['db.system.name'] === 'redis');
      expect(commands.map((s) => s.attributes['db.operation.name']).sort()).toEqual(['GET', 'SET']);
      for (const client of [query, ...commands]) {
        expect(client && descendsFrom(client, server, spans), client?.name).toBe(true);
      }
      // The start-up check ran outside any request: no trace of its own, as for pg and Redis.
      const startupQueries = sinkSpans(stack.endpoints.sinkDir).filter(
        (s) => s.resource['service.name'] === name && s.attributes['db.query.text'] === 'SELECT 1 AS ready',
      );
      expect(startupQueries).toEqual([]);
    });
  }
});

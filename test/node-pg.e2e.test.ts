/**
 * PostgreSQL through pg, as the node README promises: an unchanged service with a pg Pool, run
 * with `--import @otelkit/node/register` in ES-module and CommonJS form against a real
 * PostgreSQL server (Debian's), sends its queries as client spans inside the request's trace.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stack } from '@otelkit/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './helpers/poll.js';
import { type RunningPostgres, startPostgres } from './helpers/postgres.js';
import { type RunningService, startService } from './helpers/services.js';
import { descendsFrom, OtlpSpanKind, requestTrace } from './helpers/sink.js';
import { startAll, startTestStack } from './helpers/stack.js';

const QUERY = 'SELECT $1::int AS id, current_database() AS db';
const workDir = mkdtempSync(join(tmpdir(), 'otelkit-pg-'));

describe('@otelkit/node with PostgreSQL (pg), unchanged service, one flag', () => {
  let stack: Stack;
  let postgres: RunningPostgres;
  const services: RunningService[] = [];

  beforeAll(async () => {
    await startAll([
      // Every trace reaches the sink; tail sampling would otherwise keep a share of fast ones.
      startTestStack({ collectorEnv: { OTELKIT_TRACE_SAMPLE_PERCENT: '100' } }).then((s) => {
        stack = s;
      }),
      startPostgres(workDir, join(workDir, 'postgres.log')).then((p) => {
        postgres = p;
      }),
    ]);
  });

  afterAll(async () => {
    for (const service of services) await service.process.stop();
    await postgres?.stop();
    await stack?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  for (const form of ['mjs', 'cjs'] as const) {
    it(`${form}: each query is a client span of the request's trace, with the statement`, async () => {
      const name = `pg-app-${form}`;
      const service = await startService(
        stack,
        {
          name,
          entry: `test/fixtures/pg-app.${form}`,
          cwd: import.meta.dirname,
          env: { DATABASE_URL: postgres.url },
        },
        workDir,
      );
      services.push(service);
      const id = form === 'mjs' ? '41' : '42';
      const response = await fetch(`${service.url}/items/${id}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ id: Number(id), db: 'postgres' });

      const trace = await eventually(`${name}'s query span`, async () => {
        const request = requestTrace(stack.endpoints.sinkDir, name, `/items/${id}`);
        const query = request?.spans.find(
          (s) => s.kind === OtlpSpanKind.client && s.attributes['db.query.text'] === QUERY,
        );
        return request && query ? { ...request, query } : undefined;
      });
      const { query } = trace;
      expect(query.attributes).toMatchObject({
        'db.system.name': 'postgresql',
        'db.namespace': 'postgres',
        'server.address': '127.0.0.1',
        'server.port': postgres.port,
      });
      // Under the request: its parent chain within the trace reaches the server span.
      expect(
        descendsFrom(query, trace.server, trace.spans),
        'the query span descends from the request span',
      ).toBe(true);
    });
  }
});

import type { RequestListener } from 'node:http';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { closeLocalServers, listenLocal as listen } from '../testing/local-server.js';
import { expressHealth, type FastifyReplyLike, fastifyHealth, withHealth } from './adapters.js';
import { isHealthPath } from './handlers.js';
import { HealthRegistry, type HealthReport } from './health-registry.js';

afterEach(closeLocalServers);

const app: RequestListener = (req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' }).end(`app ${req.method} ${req.url}`);
};

async function get(url: string): Promise<{ status: number; body: HealthReport }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as HealthReport };
}

describe('withHealth over a real node:http server', () => {
  it('answers 200 when healthy', async () => {
    const registry = new HealthRegistry();
    registry.registerCheck('db', () => {});
    const base = await listen(withHealth(app, registry));
    const deep = await get(`${base}/health`);
    expect(deep.status).toBe(200);
    expect(deep.body.status).toBe('healthy');
    expect(deep.body.checks.db).toMatchObject({ status: 'healthy', critical: true });
    expect(typeof deep.body.checks.db?.durationMs).toBe('number');
    expect(typeof deep.body.uptimeSeconds).toBe('number');
    expect(typeof deep.body.version).toBe('string');
    expect((await get(`${base}/health/ready`)).status).toBe(200);
  });

  it('answers 200 when degraded, with the degraded check in the report', async () => {
    const registry = new HealthRegistry();
    registry.registerCheck('db', () => {});
    registry.registerCheck('search', () => ({ status: 'unhealthy', detail: 'index offline' }), {
      critical: false,
    });
    const base = await listen(withHealth(app, registry));
    const deep = await get(`${base}/health`);
    expect(deep.status).toBe(200);
    expect(deep.body.status).toBe('degraded');
    expect(deep.body.checks.search).toEqual(
      expect.objectContaining({ status: 'unhealthy', critical: false, detail: 'index offline' }),
    );
    const ready = await get(`${base}/health/ready`);
    expect(ready).toEqual({ status: 200, body: { status: 'degraded' } });
  });

  it('answers 503 when a critical check fails, while liveness stays 200', async () => {
    const registry = new HealthRegistry();
    registry.registerCheck('db', () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    });
    const base = await listen(withHealth(app, registry));
    const deep = await get(`${base}/health`);
    expect(deep.status).toBe(503);
    expect(deep.body.status).toBe('unhealthy');
    expect(deep.body.checks.db?.detail).toBe('connect ECONNREFUSED 127.0.0.1:5432');
    expect(await get(`${base}/health/ready`)).toEqual({ status: 503, body: { status: 'unhealthy' } });
    expect(await get(`${base}/health/live`)).toEqual({ status: 200, body: { status: 'alive' } });
  });

  it('reports a hung check as timed out, within about its timeout', async () => {
    const registry = new HealthRegistry();
    registry.registerCheck('db', () => new Promise<void>(() => {}), { timeoutMs: 300 });
    const base = await listen(withHealth(app, registry));
    const started = performance.now();
    const deep = await get(`${base}/health`);
    expect(performance.now() - started).toBeLessThan(1500);
    expect(deep.status).toBe(503);
    expect(deep.body.checks.db).toMatchObject({ status: 'unhealthy', detail: 'timed out after 300 ms' });
    expect(deep.body.checks.db?.durationMs).toBeGreaterThanOrEqual(290);
  });

  it('hands every other request to the wrapped handler', async () => {
    const base = await listen(withHealth(app, new HealthRegistry()));
    const response = await fetch(`${base}/orders?health`);
    expect(await response.text()).toBe('app GET /orders?health');
    const post = await fetch(`${base}/health`, { method: 'POST' });
    expect(await post.text()).toBe('app POST /health');
  });

  it('uses the process-wide registry, with the built-in checks, when none is given', async () => {
    const base = await listen(withHealth(app));
    const deep = await get(`${base}/health`);
    expect(deep.status).toBe(200);
    expect(Object.keys(deep.body.checks)).toEqual(
      expect.arrayContaining(['event-loop-lag', 'heap', 'telemetry-export']),
    );
  });
});

describe('expressHealth with node:http requests and responses (what Express passes on)', () => {
  async function serveWithMiddleware(registry: HealthRegistry): Promise<string> {
    const middleware = expressHealth(registry);
    return listen((req, res) => {
      middleware(req, res, (error) => {
        res.writeHead(error === undefined ? 404 : 500).end('next');
      });
    });
  }

  it('answers the health paths with the right status codes', async () => {
    const registry = new HealthRegistry();
    let dbUp = true;
    registry.registerCheck('db', () => (dbUp ? undefined : { status: 'unhealthy', detail: 'down' }));
    registry.registerCheck('cache', () => ({ status: 'degraded' }), { critical: false });
    const base = await serveWithMiddleware(registry);
    expect((await get(`${base}/health`)).status).toBe(200);
    expect((await get(`${base}/health/ready`)).status).toBe(200);
    dbUp = false;
    const deep = await get(`${base}/health`);
    expect(deep.status).toBe(503);
    expect(deep.body.checks.db?.detail).toBe('down');
    expect((await get(`${base}/health/ready`)).status).toBe(503);
    expect((await get(`${base}/health/live`)).status).toBe(200);
  });

  it('serves under a mount point, whose probes the SDK then keeps out of traces too', async () => {
    const app = express();
    app.use('/internal', expressHealth(new HealthRegistry()));
    const base = await listen(app as unknown as RequestListener);
    expect(isHealthPath('/internal/health/ready')).toBe(false);
    expect((await get(`${base}/internal/health/ready`)).status).toBe(200);
    for (const path of ['/internal/health/ready', '/internal/health/live?probe=1', '/internal/health/']) {
      expect(isHealthPath(path), path).toBe(true);
    }
    for (const path of ['/internal', '/internal/orders', '/other/health/ready']) {
      expect(isHealthPath(path), path).toBe(false);
    }
    // Express matches the mount in any case: case variants are one mount and cannot crowd it out.
    for (let i = 0; i < 20; i++) {
      const variant = `/${[...'internal'].map((c, j) => ((i >> j) & 1 ? c.toUpperCase() : c)).join('')}`;
      expect((await get(`${base}${variant}/health/live`)).status).toBe(200);
    }
    expect(isHealthPath('/INTERNAL/health/ready')).toBe(true);
    expect(isHealthPath('/internal/health/ready')).toBe(true);
  });

  it('calls next() without an error for anything else', async () => {
    const base = await serveWithMiddleware(new HealthRegistry());
    const response = await fetch(`${base}/api/orders`);
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('next');
  });
});

describe('fastifyHealth (shape only; exercised against real Fastify in the examples)', () => {
  it('is marked like fastify-plugin output and registers GET routes for the three paths', async () => {
    expect((fastifyHealth as unknown as Record<symbol, unknown>)[Symbol.for('skip-override')]).toBe(true);
    const routes = new Map<
      string,
      (request: unknown, reply: FastifyReplyLike) => Promise<FastifyReplyLike>
    >();
    const registry = new HealthRegistry();
    registry.registerCheck('db', () => ({ status: 'unhealthy', detail: 'down' }));
    let doneWith: unknown = 'not called';
    fastifyHealth({ get: (path, handler) => routes.set(path, handler) }, { registry }, (error) => {
      doneWith = error;
    });
    expect(doneWith).toBeUndefined();
    expect([...routes.keys()]).toEqual(['/health/live', '/health/ready', '/health']);

    const sent: { code?: number; headers: Record<string, string>; body?: string } = { headers: {} };
    const reply: FastifyReplyLike = {
      code: (statusCode) => {
        sent.code = statusCode;
        return reply;
      },
      header: (key, value) => {
        sent.headers[key] = value;
        return reply;
      },
      send: (payload) => {
        sent.body = payload;
        return reply;
      },
    };
    await routes.get('/health')?.({}, reply);
    expect(sent.code).toBe(503);
    expect(sent.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(sent.body ?? '')).toMatchObject({
      status: 'unhealthy',
      checks: { db: { detail: 'down' } },
    });
  });
});

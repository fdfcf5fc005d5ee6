import { afterEach, describe, expect, it } from 'vitest';
import { closeLocalServers, listenLocal as listen } from '../testing/local-server.js';
import {
  HEALTH_PATHS,
  handleHealthRequest,
  healthEndpointOf,
  healthResponse,
  isHealthPath,
  matchHealthRequest,
} from './handlers.js';
import { HealthRegistry, type HealthReport } from './health-registry.js';

afterEach(closeLocalServers);

describe('health paths', () => {
  it('are /health/live, /health/ready and /health', () => {
    expect(HEALTH_PATHS).toEqual({ live: '/health/live', ready: '/health/ready', deep: '/health' });
  });

  it('recognises the health paths with queries, trailing slashes and absolute-form targets', () => {
    for (const path of ['/health', '/health/', '/health?verbose=1', '/health/live', '/health/ready#x']) {
      expect(isHealthPath(path), path).toBe(true);
    }
    expect(healthEndpointOf('http://example.com:8080/health/ready?x')).toBe('ready');
    expect(healthEndpointOf('/health//')).toBe('deep');
  });

  it('does not take other paths for health paths', () => {
    for (const path of ['/', '/healthz', '/health/other', '/api/health', '/Health', '/health/live/x', '']) {
      expect(isHealthPath(path), path).toBe(false);
    }
  });

  it('matches only GET and HEAD requests', () => {
    expect(matchHealthRequest({ method: 'GET', url: '/health/live' })).toBe('live');
    expect(matchHealthRequest({ method: 'HEAD', url: '/health' })).toBe('deep');
    expect(matchHealthRequest({ method: 'POST', url: '/health' })).toBeUndefined();
    expect(matchHealthRequest({ method: 'GET', url: '/users' })).toBeUndefined();
    expect(matchHealthRequest({ method: 'GET' })).toBeUndefined();
  });
});

describe('handleHealthRequest over node:http', () => {
  async function serve(registry: HealthRegistry): Promise<string> {
    return listen(async (req, res) => {
      if (await handleHealthRequest(req, res, registry)) return;
      res.writeHead(404).end('app');
    });
  }

  it('answers health requests with JSON that is never cached, and leaves the rest to the app', async () => {
    const registry = new HealthRegistry({ version: '9.9.9' });
    registry.registerCheck('db', () => ({ status: 'healthy', detail: 'primary' }));
    const base = await serve(registry);

    const deep = await fetch(`${base}/health`);
    expect(deep.status).toBe(200);
    expect(deep.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(deep.headers.get('cache-control')).toBe('no-store');
    const report = (await deep.json()) as HealthReport;
    expect(report).toMatchObject({ status: 'healthy', version: '9.9.9' });
    expect(report.checks.db).toMatchObject({ status: 'healthy', critical: true, detail: 'primary' });

    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'healthy' });

    const live = await fetch(`${base}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'alive' });

    const other = await fetch(`${base}/users`);
    expect(other.status).toBe(404);
    expect(await other.text()).toBe('app');

    const post = await fetch(`${base}/health`, { method: 'POST' });
    expect(post.status).toBe(404);
  });

  it('answers HEAD with the status and headers but no body', async () => {
    const registry = new HealthRegistry();
    registry.registerCheck('db', () => ({ status: 'unhealthy' }));
    const base = await serve(registry);
    const response = await fetch(`${base}/health`, { method: 'HEAD' });
    expect(response.status).toBe(503);
    expect(Number(response.headers.get('content-length'))).toBeGreaterThan(0);
    expect(await response.text()).toBe('');
  });
});

describe('healthResponse', () => {
  it('keeps secrets quoted by a failing check out of the /health JSON', async () => {
    const registry = new HealthRegistry();
    registry.registerCheck('cache', () => {
      throw new Error('connect ECONNREFUSED redis://:s3cretPass@redis:6379 (password=hunter2)');
    });
    const response = await healthResponse('deep', registry);
    expect(response.body).not.toMatch(/s3cretPass|hunter2/);
    expect(response.body).toContain('connect ECONNREFUSED redis://');
    expect(response.body).toContain('@redis:6379');
  });

  it('fails closed with a 503 if the registry itself fails', async () => {
    class BrokenRegistry extends HealthRegistry {
      override run(): Promise<HealthReport> {
        return Promise.reject(new Error('boom'));
      }
    }
    const response = await healthResponse('ready', new BrokenRegistry());
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body)).toEqual({ status: 'unhealthy', detail: 'health report failed: boom' });
  });

  it('answers liveness without running any check', async () => {
    const registry = new HealthRegistry();
    registry.registerCheck('hangs', () => new Promise<void>(() => {}), { timeoutMs: 60_000 });
    const response = await healthResponse('live', registry);
    expect(response).toMatchObject({ statusCode: 200, body: '{"status":"alive"}' });
  });
});

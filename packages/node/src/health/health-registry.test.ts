import { REDACTED } from '@otelkit/conventions';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HealthRegistry } from './health-registry.js';

describe('HealthRegistry', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('is healthy with no checks, and reports version, uptime and timestamp', async () => {
    const report = await new HealthRegistry({ version: '1.2.3' }).run();
    expect(report.status).toBe('healthy');
    expect(report.checks).toEqual({});
    expect(report.version).toBe('1.2.3');
    expect(report.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect(Number.isNaN(Date.parse(report.timestamp))).toBe(false);
  });

  it('treats returning nothing, or healthy, as healthy', async () => {
    const registry = new HealthRegistry();
    registry.registerCheck('void', () => {});
    registry.registerCheck('async-void', async () => {});
    registry.registerCheck('explicit', () => ({ status: 'healthy', detail: 'fine' }));
    const report = await registry.run();
    expect(report.status).toBe('healthy');
    expect(report.checks.void).toMatchObject({ status: 'healthy', critical: true });
    expect(report.checks.void?.detail).toBeUndefined();
    expect(report.checks.explicit).toMatchObject({ status: 'healthy', detail: 'fine' });
    expect(report.checks['async-void']?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('is degraded when a check is degraded, critical or not', async () => {
    const registry = new HealthRegistry();
    registry.registerCheck('ok', () => {});
    registry.registerCheck('slow-cache', () => ({ status: 'degraded', detail: 'p99 300 ms' }));
    const report = await registry.run();
    expect(report.status).toBe('degraded');
    expect(report.checks['slow-cache']).toMatchObject({
      status: 'degraded',
      critical: true,
      detail: 'p99 300 ms',
    });
  });

  it('is degraded, not unhealthy, when only a non-critical check fails', async () => {
    const registry = new HealthRegistry();
    registry.registerCheck('db', () => {});
    registry.registerCheck('recommendations', () => ({ status: 'unhealthy' }), { critical: false });
    const report = await registry.run();
    expect(report.status).toBe('degraded');
    expect(report.checks.recommendations).toMatchObject({ status: 'unhealthy', critical: false });
  });

  it('is unhealthy when a critical check fails, whatever the others say', async () => {
    const registry = new HealthRegistry();
    registry.registerCheck('cache', () => ({ status: 'degraded' }));
    registry.registerCheck('optional', () => ({ status: 'unhealthy' }), { critical: false });
    registry.registerCheck('db', () => ({ status: 'unhealthy', detail: 'no primary' }));
    const report = await registry.run();
    expect(report.status).toBe('unhealthy');
    expect(report.checks.db).toMatchObject({ status: 'unhealthy', critical: true, detail: 'no primary' });
  });

  it('reports a throwing or rejecting check as unhealthy with the error message', async () => {
    const registry = new HealthRegistry();
    registry.registerCheck('sync-throw', () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    });
    registry.registerCheck('rejects', async () => {
      throw new TypeError('bad');
    });
    registry.registerCheck('throws-string', () => {
      throw 'plain string';
    });
    const report = await registry.run();
    expect(report.status).toBe('unhealthy');
    expect(report.checks['sync-throw']).toMatchObject({
      status: 'unhealthy',
      detail: 'connect ECONNREFUSED 127.0.0.1:5432',
    });
    expect(report.checks.rejects?.detail).toBe('bad');
    expect(report.checks['throws-string']?.detail).toBe('plain string');
  });

  it('times out a hung check within about its timeout, and says why', async () => {
    const registry = new HealthRegistry();
    registry.registerCheck('hangs', () => new Promise<void>(() => {}), { timeoutMs: 200 });
    registry.registerCheck('fast', () => {});
    const started = performance.now();
    const report = await registry.run();
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(700);
    expect(report.status).toBe('unhealthy');
    expect(report.checks.hangs).toMatchObject({ status: 'unhealthy', detail: 'timed out after 200 ms' });
    expect(report.checks.hangs?.durationMs).toBeGreaterThanOrEqual(190);
    expect(report.checks.fast?.status).toBe('healthy');
  });

  it('uses a 2000 ms timeout by default', async () => {
    vi.useFakeTimers();
    try {
      const registry = new HealthRegistry();
      registry.registerCheck('hangs', () => new Promise<void>(() => {}));
      const pending = registry.run();
      await vi.advanceTimersByTimeAsync(2000);
      const report = await pending;
      expect(report.checks.hangs?.detail).toBe('timed out after 2000 ms');
    } finally {
      vi.useRealTimers();
    }
  });

  it('runs checks concurrently', async () => {
    const registry = new HealthRegistry();
    for (const name of ['a', 'b', 'c', 'd']) {
      registry.registerCheck(name, () => new Promise<void>((resolve) => setTimeout(resolve, 150)));
    }
    const started = performance.now();
    await registry.run();
    expect(performance.now() - started).toBeLessThan(450);
  });

  it('keeps a timed-out check that rejects later from becoming an unhandled rejection', async () => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const registry = new HealthRegistry();
      registry.registerCheck(
        'late',
        () => new Promise<void>((_, reject) => setTimeout(() => reject(new Error('late')), 80)),
        { timeoutMs: 20 },
      );
      const report = await registry.run();
      expect(report.checks.late?.detail).toBe('timed out after 20 ms');
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('fails a check that returns false or a status it does not know, rather than guessing', async () => {
    const registry = new HealthRegistry();
    registry.registerCheck('odd', () => ({ status: 'ok' }));
    registry.registerCheck('no', async () => false);
    const report = await registry.run();
    expect(report.checks.odd).toMatchObject({
      status: 'unhealthy',
      detail: 'check returned status "ok" (expected healthy, degraded or unhealthy)',
    });
    expect(report.checks.no).toMatchObject({ status: 'unhealthy', detail: 'check returned false' });
  });

  it("passes a driver call as it is, whatever its result: the README's pool.query check", async () => {
    const registry = new HealthRegistry();
    const pool = {
      query: async (_sql: string) => ({ rows: [{ '?column?': 1 }], rowCount: 1, command: 'SELECT' }),
    };
    const redis = { ping: async () => 'PONG' };
    registry.registerCheck('database', () => pool.query('select 1'), { critical: true, timeoutMs: 1000 });
    registry.registerCheck('cache', () => redis.ping());
    registry.registerCheck('http', async () => ({ status: 200 }));
    const report = await registry.run();
    expect(report.status).toBe('healthy');
    expect(Object.values(report.checks).map((check) => check.status)).toEqual([
      'healthy',
      'healthy',
      'healthy',
    ]);
  });

  it('strips credentials from URLs in details and caps their length', async () => {
    const registry = new HealthRegistry();
    registry.registerCheck('db', () => {
      throw new Error('cannot reach postgres://app:s3cret@db:5432/app');
    });
    registry.registerCheck('chatty', () => {
      throw new Error('x'.repeat(5000));
    });
    const report = await registry.run();
    expect(report.checks.db?.detail).toBe(`cannot reach postgres://${REDACTED}@db:5432/app`);
    expect(report.checks.chatty?.detail?.length).toBeLessThanOrEqual(500);
  });

  it('masks secrets in details as telemetry does: empty users, @ in passwords, password=', async () => {
    const registry = new HealthRegistry();
    registry.registerCheck('redis', () => {
      throw new Error('connect ECONNREFUSED redis://:s3cretPass@redis:6379');
    });
    registry.registerCheck('db', () => Promise.reject(new Error('auth failed for postgres://app:p@ss@db')));
    registry.registerCheck('ldap', () => ({
      status: 'degraded',
      detail: 'bind rejected: password=hunter2, retrying',
    }));
    const report = await registry.run();
    expect(JSON.stringify(report)).not.toMatch(/s3cretPass|@ss|hunter2/);
    expect(report.checks.redis?.detail).toBe(`connect ECONNREFUSED redis://${REDACTED}@redis:6379`);
    expect(report.checks.db?.detail).toBe(`auth failed for postgres://${REDACTED}@db`);
    expect(report.checks.ldap?.detail).toBe(`bind rejected: password=${REDACTED}, retrying`);
  });

  it('replaces a check of the same name; an old disposer does not remove the new one', async () => {
    const registry = new HealthRegistry();
    const removeFirst = registry.registerCheck('db', () => ({ status: 'unhealthy' }));
    registry.registerCheck('db', () => {});
    removeFirst();
    expect(registry.checkNames).toEqual(['db']);
    expect((await registry.run()).status).toBe('healthy');
    expect(registry.unregisterCheck('db')).toBe(true);
    expect(registry.unregisterCheck('db')).toBe(false);
    expect(registry.checkNames).toEqual([]);
  });

  it('shares one run between concurrent callers', async () => {
    const registry = new HealthRegistry();
    let calls = 0;
    registry.registerCheck('counted', async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 50));
    });
    const [a, b] = await Promise.all([registry.run(), registry.run()]);
    expect(a).toBe(b);
    expect(calls).toBe(1);
    await registry.run();
    expect(calls).toBe(2);
  });

  it('falls back to an invalid timeout of the default rather than throwing', async () => {
    const registry = new HealthRegistry();
    registry.registerCheck('ok', () => {}, { timeoutMs: Number.NaN });
    expect((await registry.run()).status).toBe('healthy');
  });

  it('takes the version from OTEL_SERVICE_VERSION, then OTEL_RESOURCE_ATTRIBUTES, then npm', async () => {
    const registry = new HealthRegistry();
    vi.stubEnv('OTEL_SERVICE_VERSION', '');
    vi.stubEnv('OTEL_RESOURCE_ATTRIBUTES', '');
    vi.stubEnv('npm_package_version', '');
    expect((await registry.run()).version).toBe('unknown');
    vi.stubEnv('npm_package_version', '0.0.1');
    expect((await registry.run()).version).toBe('0.0.1');
    vi.stubEnv('OTEL_RESOURCE_ATTRIBUTES', 'deployment.environment=prod,service.version=2.0.0%2Bbuild');
    expect((await registry.run()).version).toBe('2.0.0+build');
    vi.stubEnv('OTEL_SERVICE_VERSION', '3.0.0');
    expect((await registry.run()).version).toBe('3.0.0');
  });
});

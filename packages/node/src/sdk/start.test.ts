import { trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerBuiltinChecks } from '../health/builtin-checks.js';
import { defaultHealthRegistry } from '../health/health-registry.js';
import { createLogger } from '../logging/create-logger.js';
import { shutdown, start } from './start.js';

// In-process starts with spans printed by the console exporter and nothing sent anywhere.
const quiet = { handleSignals: false, handleCrashes: false, instrumentations: [] };

describe('start() and shutdown() in one process', () => {
  afterEach(async () => {
    await shutdown();
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('starts again after a shutdown, and the new SDK records', async () => {
    vi.stubEnv('OTEL_TRACES_EXPORTER', 'console');
    vi.stubEnv('OTEL_METRICS_EXPORTER', 'none');
    vi.stubEnv('OTEL_LOGS_EXPORTER', 'none');
    const printed = vi.spyOn(console, 'dir').mockImplementation(() => {});
    const names = () => printed.mock.calls.map(([span]) => (span as { name?: string }).name);

    start(quiet);
    trace.getTracer('test').startSpan('first run').end();
    await shutdown();
    start(quiet);
    trace.getTracer('test').startSpan('second run').end();
    await shutdown();
    expect(names()).toEqual(['first run', 'second run']);
  });

  it("starts a new SDK after the returned SDK's own shutdown(), not the stopped one", async () => {
    vi.stubEnv('OTEL_TRACES_EXPORTER', 'console');
    vi.stubEnv('OTEL_METRICS_EXPORTER', 'none');
    vi.stubEnv('OTEL_LOGS_EXPORTER', 'none');
    vi.spyOn(console, 'dir').mockImplementation(() => {});
    const first = start({ ...quiet, serviceName: 'svc-a' });
    await first.shutdown();
    const second = start({ ...quiet, serviceName: 'svc-b' });
    expect(second).not.toBe(first);
    expect(second.config.serviceName).toBe('svc-b');
    const span = trace.getTracer('test').startSpan('after restart');
    expect(span.isRecording()).toBe(true);
    span.end();
  });

  it('takes null from a JavaScript caller as no options', () => {
    vi.stubEnv('OTEL_SDK_DISABLED', 'true');
    vi.stubEnv('OTEL_SERVICE_NAME', 'from-env');
    expect(start(null as unknown as undefined).config.serviceName).toBe('from-env');
    expect(() => start(null as unknown as undefined)).not.toThrow();
  });

  it('says once that a second start() ignores its options', () => {
    vi.stubEnv('OTEL_SDK_DISABLED', 'true');
    const warned = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const first = start(quiet);
    expect(start({ serviceName: 'from-code' })).toBe(first);
    start({ serviceName: 'again' });
    start();
    const lines = warned.mock.calls
      .map(([line]) => String(line))
      .filter((line) => line.includes('already ran'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^otelkit: start\(\) already ran .*the options of this call are ignored/);
  });

  it('reports unusable options on one line each and starts with the environment instead', () => {
    vi.stubEnv('OTEL_SDK_DISABLED', 'true');
    const warned = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const sdk = start({ ...quiet, sampleRatio: Number.NaN, endpoint: 'not a url', serviceName: 'kept' });
    const lines = warned.mock.calls.map(([line]) => String(line));
    expect(lines.filter((line) => line.includes('sampleRatio: NaN'))).toHaveLength(1);
    expect(lines.filter((line) => line.includes('endpoint: "not a url"'))).toHaveLength(1);
    expect(sdk.config.serviceName).toBe('kept');
    expect(sdk.config.traces.endpoint).toBe('http://localhost:4318/v1/traces');
  });

  it('keeps the built-in checks an application registered with its own options, through shutdown', async () => {
    for (const signal of ['TRACES', 'METRICS', 'LOGS']) vi.stubEnv(`OTEL_${signal}_EXPORTER`, 'none');
    const registry = defaultHealthRegistry();
    const dispose = registerBuiltinChecks(registry, {
      heap: { degradedPercent: 0.001 },
      eventLoopLag: false,
    });
    try {
      const sdk = start(quiet);
      expect((await registry.run()).checks.heap?.status).toBe('degraded');
      await sdk.shutdown();
      expect((await registry.run()).checks.heap?.status).toBe('degraded');
    } finally {
      dispose();
    }
  });

  it('gives createLogger() the service name the SDK runs with', () => {
    vi.stubEnv('OTEL_SDK_DISABLED', 'true');
    vi.stubEnv('OTEL_SERVICE_NAME', 'from-env');
    expect(createLogger().defaultMeta).toMatchObject({ service: 'from-env' });
    start({ ...quiet, serviceName: 'from-code' });
    expect(createLogger().defaultMeta).toMatchObject({ service: 'from-code' });
  });
});

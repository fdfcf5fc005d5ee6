import { trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
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

  it('gives createLogger() the service name the SDK runs with', () => {
    vi.stubEnv('OTEL_SDK_DISABLED', 'true');
    vi.stubEnv('OTEL_SERVICE_NAME', 'from-env');
    expect(createLogger().defaultMeta).toMatchObject({ service: 'from-env' });
    start({ ...quiet, serviceName: 'from-code' });
    expect(createLogger().defaultMeta).toMatchObject({ service: 'from-code' });
  });
});

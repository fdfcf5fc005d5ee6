import { type Stack, type StackOptions, startStack } from '@otelkit/stack';

/** Collector settings that make the pipeline observable within a test's patience. */
export const TEST_COLLECTOR_ENV = {
  OTELKIT_RED_FLUSH_INTERVAL: '1s',
  OTELKIT_TAIL_DECISION_WAIT: '2s',
  OTELKIT_CORS_ALLOWED_ORIGINS: '[http://localhost:5173, "https://*.example.com"]',
} as const;

/**
 * Starts the real native stack on free ports. There is no skip path: when a backend cannot be
 * built or started the test fails with the reason, in CI and locally alike.
 */
export function startTestStack(options: Omit<StackOptions, 'ports'> = {}): Promise<Stack> {
  return startStack({
    ports: 'auto',
    scrapeInterval: '1s',
    ...options,
    collectorEnv: { ...TEST_COLLECTOR_ENV, ...options.collectorEnv },
  });
}

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

/**
 * Waits for every one of `starts` to settle, then throws the first failure. With Promise.all a
 * failing start (a database that cannot initialise) rejected at once, before a slower one (the
 * stack) had resolved and been kept for afterAll to stop, and that process outlived the run.
 * Each start should keep what it started (`.then((s) => { stack = s; })`).
 */
export async function startAll(starts: readonly Promise<unknown>[]): Promise<void> {
  const settled = await Promise.allSettled(starts);
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
}

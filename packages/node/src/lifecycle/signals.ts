const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * On SIGTERM or SIGINT, runs `shutdown` (which flushes every signal within its own bound), then
 * lets the process end the way Node would have without us. When the application has its own
 * listener for the signal, Node would not exit by itself, so neither do we: the application's
 * handler decides, and the flush runs alongside it.
 *
 * Returns a function that removes the handlers.
 */
export function installSignalHandlers(shutdown: () => Promise<void>): () => void {
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const signal of SIGNALS) {
    const handler = () => {
      const appHandlesIt = process.listenerCount(signal) > 1;
      process.removeListener(signal, handler);
      void shutdown().finally(() => {
        // Re-raising with no listener left applies Node's default action: terminate by signal,
        // so the parent sees the same exit status (e.g. 143 for SIGTERM) as without otelkit.
        if (!appHandlesIt && process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
  return () => {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
  };
}

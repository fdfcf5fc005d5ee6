const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** What the signal handlers do with the SDK. */
export interface SignalActions {
  /** Flushes and stops every signal, within its bound. */
  shutdown: () => Promise<void>;
  /** Exports what is buffered, within its bound, and keeps the SDK running. */
  flush: () => Promise<void>;
}

/**
 * On SIGTERM or SIGINT, runs `shutdown` (which flushes every signal within its own bound), then
 * lets the process end the way Node would have without us.
 *
 * When the application has its own listener for the signal, Node would not exit by itself, so
 * neither do we: the application's handler decides. It usually drains: closes its server and
 * lets in-flight requests finish. So the SDK only flushes and keeps running, and the requests
 * that finish during the drain are recorded too. The flush when the event loop runs empty
 * (exit-flush.ts) sends them when the application ends by itself.
 *
 * Returns a function that removes the handlers.
 */
export function installSignalHandlers(actions: SignalActions): () => void {
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const signal of SIGNALS) {
    const handler = () => {
      const appHandlesIt = process.listenerCount(signal) > 1;
      process.removeListener(signal, handler);
      if (appHandlesIt) {
        void actions.flush();
        return;
      }
      void actions.shutdown().finally(() => {
        // Re-raising with no listener left applies Node's default action: terminate by signal,
        // so the parent sees the same exit status (e.g. 143 for SIGTERM) as without otelkit.
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
  return () => {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
  };
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** What the signal handlers do with the SDK. */
export interface SignalActions {
  /** Flushes and stops every signal, within its bound, before the signal ends the process. */
  shutdown: () => Promise<void>;
  /** Exports what is buffered, within its bound, and keeps the SDK running. */
  flush: () => Promise<void>;
  /** Runs just before `signal` is re-raised to end the process; it must not return before its work is done. */
  beforeEnd: (signal: NodeJS.Signals) => void;
}

/**
 * Listeners that signal-exit (a dependency of execa, write-file-atomic, ora and many more) keeps
 * on each signal. They are not the application handling the signal: each one re-raises it as soon
 * as it sees no listener but its own kind, so it has to be told apart from the application's.
 * Version 4 counts its listeners on a global symbol, version 3 on `process`; both can be loaded.
 */
function signalExitListeners(): number {
  const count = (emitter: { count?: unknown } | undefined) =>
    typeof emitter?.count === 'number' ? emitter.count : 0;
  const v4 = (globalThis as Record<symbol, { count?: unknown } | undefined>)[
    Symbol.for('signal-exit emitter')
  ];
  const v3 = (process as { __signal_exit_emitter__?: { count?: unknown } }).__signal_exit_emitter__;
  return count(v4) + count(v3);
}

/**
 * On SIGTERM or SIGINT, runs `shutdown` (which flushes every signal within its own bound), then
 * lets the process end the way Node would have without us.
 *
 * When the application has its own listener for the signal, Node would not exit by itself, so
 * neither do we: the application's handler decides. It usually drains: closes its server and
 * lets in-flight requests finish. So the SDK only flushes and keeps running, and the requests
 * that finish during the drain are recorded too. The flush when the event loop runs empty
 * (exit-flush.ts) sends them when the application ends by itself, and the send in the 'exit'
 * event when it calls `process.exit()`. Our listener stays for an application that ends by the
 * signal instead: terminus, for one, removes its listener after the drain and raises the signal
 * again. Then ours is the last one, and it flushes and re-raises as below. So does a second
 * Ctrl-C after an application's `process.once('SIGINT', …)`: it waits for the bounded flush, and
 * a third one, with no listener left, ends the process at once.
 *
 * Returns a function that removes the handlers.
 */
export function installSignalHandlers(actions: SignalActions): () => void {
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const signal of SIGNALS) {
    let flushing = false;
    const handler = () => {
      const signalExit = signalExitListeners();
      // Counted without this one, which an application calling shutdown() may have removed already.
      const others = process.listeners(signal).filter((listener) => listener !== handler).length;
      if (others > signalExit) {
        // One flush at a time, however often the signal comes while the application handles it.
        if (!flushing) {
          flushing = true;
          void actions.flush().finally(() => {
            flushing = false;
          });
        }
        return;
      }
      process.removeListener(signal, handler);
      // signal-exit's listeners run next and re-raise the signal when they see no other one; a
      // listener that does nothing holds them off until the flush is done. Without them, a second
      // signal during the flush ends the process at once, as it would without otelkit.
      const hold = () => {};
      if (signalExit > 0) process.on(signal, hold);
      void actions.shutdown().finally(() => {
        process.removeListener(signal, hold);
        // Re-raising applies Node's default action (terminate by signal, so the parent sees the
        // same exit status, e.g. 143 for SIGTERM), or lets signal-exit run the application's exit
        // handlers first and then do the same. A listener added meanwhile keeps the process alive.
        if (process.listenerCount(signal) > signalExitListeners()) return;
        actions.beforeEnd(signal);
        process.kill(process.pid, signal);
      });
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
  return () => {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
  };
}

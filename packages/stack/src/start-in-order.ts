/** Options of {@link startInOrder}. */
export interface StartInOrderOptions<N extends string> {
  /** What to start, in order. */
  names: readonly N[];
  /** Starts one; resolves once it is ready. */
  start(name: N): Promise<void>;
  /** Stops everything started so far; run when a start fails or `signal` aborts. */
  stop(): Promise<void>;
  /** Called as each one becomes ready. */
  ready(name: N): void;
  /**
   * Aborting it stops what has started and rejects: detached processes would otherwise outlive
   * a Ctrl-C, unrecorded, holding their ports.
   */
  signal?: AbortSignal;
}

/**
 * Starts processes one after another, each once the one before is ready. If one fails to start
 * or `signal` aborts, those already started are stopped and the promise rejects.
 */
export async function startInOrder<N extends string>(options: StartInOrderOptions<N>): Promise<void> {
  const { signal } = options;
  const interruption = () => new Error('interrupted; stopped what had already started');
  let abort = () => {};
  const interrupted = new Promise<never>((_resolve, reject) => {
    abort = () => reject(interruption());
    signal?.addEventListener('abort', abort, { once: true });
  });
  interrupted.catch(() => {});
  try {
    for (const name of options.names) {
      if (signal?.aborted) throw interruption();
      const starting = options.start(name);
      // If the race is lost, stop() below ends the process and its start() rejects unheard.
      starting.catch(() => {});
      await Promise.race([starting, interrupted]);
      options.ready(name);
    }
  } catch (error) {
    await options.stop();
    throw error;
  } finally {
    signal?.removeEventListener('abort', abort);
  }
}

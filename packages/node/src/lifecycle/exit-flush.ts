/**
 * Flushes telemetry when the event loop first runs empty: the application is done and Node is
 * about to exit by itself (a batch job, a CLI, a script). The batch processors hold up to a few
 * seconds of spans and logs, which would otherwise leave with the process unsent.
 *
 * The flush's own requests keep the process alive until they finish; it then exits as it would
 * have, with the application's exit code. A flush that hits its bound (the Collector is down)
 * leaves exporter retries behind, so the process is ended then, unless another 'beforeExit'
 * listener has work of its own. Only the first time: every metrics flush sends a request, which
 * would empty the loop again and again.
 *
 * @param flush - exports what is buffered; resolves whether it finished within its bound.
 * @param gaveUp - whether a bounded flush has already run out of time; then nothing is flushed.
 * @returns a function that removes the listener.
 */
export function installExitFlush(flush: () => Promise<boolean>, gaveUp: () => boolean): () => void {
  const onBeforeExit = () => {
    // An earlier bounded flush (on SIGTERM, say) already waited its full bound for a Collector
    // that did not answer: the process must not wait for it a second time on its way out.
    if (gaveUp()) return;
    void flush().then((finished) => {
      if (!finished && process.listenerCount('beforeExit') === 0) process.exit();
    });
  };
  process.once('beforeExit', onBeforeExit);
  return () => process.removeListener('beforeExit', onBeforeExit);
}

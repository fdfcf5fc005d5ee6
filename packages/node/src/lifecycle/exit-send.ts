import type { ExitSendOutcome } from './exit-sender.js';

/** What the exit send reports: how many items were to go, and how it ended. */
export interface ExitSendReport {
  /** Spans and log records that were to go out. */
  items: number;
  /** How the sending ended; undefined when there was nothing to send. */
  outcome: ExitSendOutcome | undefined;
}

/**
 * Runs `send` in the 'exit' event, which `process.exit()` reaches too, where no asynchronous flush
 * can finish any more, and says on stderr what it could not deliver. Nothing escapes it: a throw
 * there would replace the application's exit code and error.
 *
 * @param send - sends, blocking at most `timeoutMs`, what the SDK still holds.
 * @param origin - where it goes, for the line that reports a loss.
 * @returns a function that removes the listener.
 */
export function installExitSend(
  send: (timeoutMs: number) => ExitSendReport,
  { origin, timeoutMs }: { origin: string; timeoutMs: number },
  warn: (line: string) => void,
): () => void {
  const onExit = () => {
    try {
      const { items, outcome } = send(timeoutMs);
      if (outcome === 'timed out' || outcome === 'failed') {
        const why = outcome === 'timed out' ? `no answer within ${timeoutMs} ms` : 'refused or unreachable';
        warn(
          `otelkit: on exit, ${items} spans and log records could not be sent to ${origin} (${why}); they are lost`,
        );
      }
    } catch (error) {
      warn(
        `otelkit: on exit, spans and log records could not be sent (${(error as Error).message}); they are lost`,
      );
    }
  };
  process.on('exit', onExit);
  return () => process.removeListener('exit', onExit);
}

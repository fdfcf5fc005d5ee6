import type { ExitSendOutcome } from './exit-sender.js';

/** What the exit send reports: how many items were to go, and how it ended. */
export interface ExitSendReport {
  /** Spans and log records that were to go out. */
  items: number;
  /** How the sending ended; undefined when there was nothing to send. */
  outcome: ExitSendOutcome | undefined;
}

/** Where the spans and log records sent on the way out go, and how long a send may block. */
export interface ExitSendTarget {
  /** The Collector's origin, for the line that reports a loss. */
  origin: string;
  /** How long the send may block. */
  timeoutMs: number;
}

/**
 * Runs `send` as the process ends, where no asynchronous flush can finish any more, and says on
 * stderr what it could not deliver. Nothing escapes it: a throw there would replace the
 * application's exit code and error.
 *
 * @param send - sends, blocking at most `target.timeoutMs`, what the SDK still holds.
 */
export function sendOnTheWayOut(
  send: (timeoutMs: number) => ExitSendReport,
  { origin, timeoutMs }: ExitSendTarget,
  warn: (line: string) => void,
): void {
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
}

/**
 * Runs {@link sendOnTheWayOut} in the 'exit' event, which `process.exit()` reaches too.
 *
 * @returns a function that removes the listener.
 */
export function installExitSend(
  send: (timeoutMs: number) => ExitSendReport,
  target: ExitSendTarget,
  warn: (line: string) => void,
): () => void {
  const onExit = () => sendOnTheWayOut(send, target, warn);
  process.on('exit', onExit);
  return () => process.removeListener('exit', onExit);
}

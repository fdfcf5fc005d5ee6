import { trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { ErrorOrigins } from '@otelkit/conventions';
import { recordErrorFrom } from './record-error.js';

/** Flushes every signal's pending telemetry, giving up after `timeoutMs`. */
export type FlushFunction = (timeoutMs: number) => Promise<void>;

/** Options of {@link installCrashHandlers}. */
export interface CrashHandlerOptions {
  /**
   * Longest wait for the flush before the process goes on to crash, in milliseconds. The flush is
   * given this bound and is also cut off at it, in case it ignores it. Default 5000.
   */
  flushTimeoutMs?: number;
}

/** Default bound on the flush before a crash, as for shutdown. */
export const DEFAULT_CRASH_FLUSH_TIMEOUT_MS = 5000;

/*
 * How this keeps Node's behaviour. Node decides what an uncaught exception does by whether anyone
 * listens: with no 'uncaughtException' listener it prints the error and exits with code 1
 * (overriding any process.exitCode); with one, it only calls the listener. Listening ourselves
 * therefore changes the outcome, and a flush is asynchronous, which 'uncaughtExceptionMonitor'
 * cannot wait for. So:
 *
 * - We listen to 'uncaughtException' (prepended, so we record before an app listener can exit).
 *   If the app has listeners of its own, we only record: the app decides. Otherwise we record,
 *   flush, remove ourselves and throw the same value again on the next tick, so that Node itself
 *   prints it and exits exactly as it would have (exit code 1, 'exit' listeners, diagnostic
 *   reports, --abort-on-uncaught-exception). The only visible difference is the source line Node
 *   prints above the stack, which is our rethrow, named so; the stack is the original one.
 * - Unhandled rejections: under Node's default mode (`--unhandled-rejections=throw`), a rejection
 *   nobody listens for becomes an uncaught exception with origin 'unhandledRejection', and takes
 *   the path above. Listening to 'unhandledRejection' ourselves would make every rejection
 *   "handled" and silently stop those crashes, so we attach our rejection listener only while the
 *   app has one of its own (tracked through 'newListener'/'removeListener'), and then only record.
 */

const INSTALLED = Symbol.for('otelkit.crashHandlers.uninstall');

/**
 * Node's `--unhandled-rejections` mode (`=mode` or `mode` as the next argument), `throw`, Node's
 * default, when nothing sets it. The command line comes after `NODE_OPTIONS`, so that, as in
 * Node, it wins.
 */
export function unhandledRejectionsMode(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): string {
  const flags = [...nodeOptions.split(/\s+/), ...execArgv];
  let mode = 'throw';
  for (let i = 0; i < flags.length; i++) {
    const flag = flags[i] ?? '';
    if (flag.startsWith('--unhandled-rejections=')) mode = flag.slice('--unhandled-rejections='.length);
    else if (flag === '--unhandled-rejections' && flags[i + 1]) mode = flags[++i] ?? mode;
  }
  return mode;
}

type ProcessWithInstallation = NodeJS.Process & { [INSTALLED]?: () => void };

// The flush is bounded by the same timeout and says what it could not send when that runs out;
// the backstop below only guards against a flush that never settles, so it must not fire first.
const BACKSTOP_MARGIN_MS = 250;

function boundedFlush(flush: FlushFunction, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    // A referenced timer: it also keeps the event loop alive while the exporters work.
    const timer = setTimeout(resolve, timeoutMs + BACKSTOP_MARGIN_MS);
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    try {
      flush(timeoutMs).then(done, done);
    } catch {
      done();
    }
  });
}

/**
 * Ends the span the process is crashing under, which now carries the exception. Its code will
 * never end it, and a span is exported only once ended: the error's log record would link to a
 * trace that never arrives. Its ancestors stay open, as the request they stand for never ended.
 */
function endCrashedSpan(): void {
  try {
    const span = trace.getActiveSpan();
    if (span?.isRecording()) span.end();
  } catch {
    // Telemetry must never change how the process crashes.
  }
}

/**
 * Records uncaught exceptions and unhandled rejections, flushes telemetry, and then lets the
 * process do what it would have done without otelkit:
 *
 * - uncaught exception, no listener of the app's: recorded (FATAL), the span it was thrown under
 *   ended, flushed within `flushTimeoutMs`, then rethrown to Node, which prints it to stderr and
 *   exits with code 1;
 * - unhandled rejection with no `unhandledRejection` listener of the app's: Node raises it as an
 *   uncaught exception, handled as above (origin `unhandled_rejection`);
 * - the app listens itself (either event): recorded (ERROR) and nothing else;
 * - `--unhandled-rejections=warn` or `none`, where a rejection never crashes: recorded (ERROR).
 *
 * Installing again replaces the previous installation, also one made by another copy of this
 * package (ESM and CommonJS), so errors are never recorded twice. Never throws.
 *
 * @param flush flushes all signals within the given milliseconds (e.g. the providers' forceFlush).
 * @returns a function that removes the handlers again.
 */
export function installCrashHandlers(flush: FlushFunction, options: CrashHandlerOptions = {}): () => void {
  const proc = process as ProcessWithInstallation;
  proc[INSTALLED]?.();

  const flushTimeoutMs = options.flushTimeoutMs ?? DEFAULT_CRASH_FLUSH_TIMEOUT_MS;
  // In strict rejection mode Node reports one rejection on both events; record it once.
  const recorded = new WeakSet<object>();
  let crashing = false;
  let rejectionListenerAttached = false;
  // In these modes a rejection never crashes the process and Node warns (or not) whether anyone
  // listens or not: listening changes nothing, so rejections are recorded as they happen.
  const alwaysListen = ['warn', 'none'].includes(unhandledRejectionsMode());

  const record = (
    error: unknown,
    origin: 'uncaughtException' | 'unhandledRejection',
    fatal: boolean,
  ): void => {
    if (typeof error === 'object' && error !== null) {
      if (recorded.has(error)) return;
      recorded.add(error);
    }
    recordErrorFrom(error, undefined, {
      origin:
        origin === 'unhandledRejection' ? ErrorOrigins.unhandledRejection : ErrorOrigins.uncaughtException,
      severity: fatal ? SeverityNumber.FATAL : SeverityNumber.ERROR,
    });
  };

  const onUncaughtException = (error: unknown, origin: 'uncaughtException' | 'unhandledRejection'): void => {
    const appListens = process
      .listeners('uncaughtException')
      .some((listener) => listener !== onUncaughtException);
    record(error, origin, !appListens);
    // A second error while the first one's flush runs is recorded; the first one ends the process.
    if (appListens || crashing) return;
    crashing = true;
    endCrashedSpan();
    void boundedFlush(flush, flushTimeoutMs).then(() => {
      uninstall();
      process.nextTick(() => {
        // Node prints the source line of this throw above the error, and the bundle drops
        // comments: the name is what tells the reader whose line it is.
        const uncaughtErrorRethrownByOtelkitAfterFlushingTelemetry = error;
        throw uncaughtErrorRethrownByOtelkitAfterFlushingTelemetry;
      });
    });
  };

  const onUnhandledRejection = (reason: unknown): void => {
    record(reason, 'unhandledRejection', false);
  };

  const appListensForRejections = (): boolean =>
    process.listeners('unhandledRejection').some((listener) => listener !== onUnhandledRejection);

  const attachRejectionListener = (): void => {
    if (rejectionListenerAttached) return;
    rejectionListenerAttached = true;
    process.prependListener('unhandledRejection', onUnhandledRejection);
  };

  const detachRejectionListener = (): void => {
    if (!rejectionListenerAttached) return;
    rejectionListenerAttached = false;
    process.off('unhandledRejection', onUnhandledRejection);
  };

  // 'newListener' fires before the listener is added: the app is about to listen, so we may too.
  const onNewListener = (event: string | symbol, listener: (...args: unknown[]) => void): void => {
    if (event === 'unhandledRejection' && listener !== onUnhandledRejection) attachRejectionListener();
  };

  // 'removeListener' fires after the removal: if the app stopped listening, so do we.
  const onRemoveListener = (event: string | symbol): void => {
    if (event === 'unhandledRejection' && !alwaysListen && !appListensForRejections())
      detachRejectionListener();
  };

  function uninstall(): void {
    process.off('uncaughtException', onUncaughtException);
    process.off('newListener', onNewListener);
    process.off('removeListener', onRemoveListener);
    detachRejectionListener();
    if (proc[INSTALLED] === uninstall) delete proc[INSTALLED];
  }

  try {
    process.prependListener('uncaughtException', onUncaughtException);
    process.on('newListener', onNewListener);
    process.on('removeListener', onRemoveListener);
    if (alwaysListen || appListensForRejections()) attachRejectionListener();
    proc[INSTALLED] = uninstall;
  } catch {
    uninstall();
  }
  return uninstall;
}

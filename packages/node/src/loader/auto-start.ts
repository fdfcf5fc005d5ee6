import { isMainThread, parentPort } from 'node:worker_threads';
import { diag } from '@opentelemetry/api';
import { esmLoaderMode, workerThreadsMode } from '../config/env.js';
import { start } from '../sdk/start.js';
import { startWithEsmHooks } from './esm-hooks.js';
import { mainNeedsEsmHooks } from './main-module-format.js';

/**
 * What `--import` and `--require @otelkit/node/register` both do: start the SDK from the
 * `OTEL_*` environment, with import-in-the-middle's ESM hooks when the application may `import`
 * instrumented packages.
 *
 * A main module that is certainly CommonJS gets no ESM hooks (`OTELKIT_ESM_LOADER=always`
 * installs them anyway): its modules come through `require()`, which the require hooks patch.
 */
export function autoStart(): void {
  // Worker threads inherit the preload flags. An SDK started in one reports the thread as one
  // more instance of the service, with its own runtime metrics, and traces what a log transport
  // (pino's run in a worker) sends, so workers start one only when asked. Node's module-hooks
  // thread, where it runs `--require` preloads again (the one thread without a parent port),
  // never does.
  if (!isMainThread && (parentPort === null || workerThreadsMode() !== 'instrument')) return;
  // Only the one setting: start() reads the rest, and reports a bad value, once. A worker's entry
  // is not process.argv[1], so a worker cannot tell its format and always gets the ESM hooks.
  if (isMainThread && esmLoaderMode() !== 'always' && !mainNeedsEsmHooks(process.argv[1])) {
    start();
    return;
  }
  const thread = startWithEsmHooks(start);
  // After start(), which turns on the diagnostics OTEL_LOG_LEVEL asks for.
  diag.debug(
    thread
      ? `@otelkit/node: ESM hooks run in the ${thread} thread`
      : '@otelkit/node: no ESM hooks: no instrumentation is enabled',
  );
}

import { isMainThread } from 'node:worker_threads';
import { diag } from '@opentelemetry/api';
import { esmLoaderMode } from '../config/env.js';
import { start } from '../sdk/start.js';
import { startWithEsmHooks } from './esm-hooks.js';
import { hasMainModule, mainNeedsEsmHooks } from './main-module-format.js';

/**
 * What `--import` and `--require @otelkit/node/register` both do: start the SDK from the
 * `OTEL_*` environment, with import-in-the-middle's ESM hooks when the application may `import`
 * instrumented packages.
 *
 * A main module that is certainly CommonJS gets no ESM hooks (`OTELKIT_ESM_LOADER=always`
 * installs them anyway): its modules come through `require()`, which the require hooks patch.
 */
export function autoStart(): void {
  // Only the main thread. Worker threads inherit the preload flags, and Node also runs `--require`
  // preloads in its module-hooks thread. An SDK started in one would report the thread as one
  // more instance of the service, with runtime metrics of its own, trace what a log transport
  // (pino's run in a worker) sends, and lose what it holds when the process ends: signals and
  // the exit flush reach the main thread's SDK only.
  if (!isMainThread) return;
  const main = process.argv[1];
  // Only the one setting: start() reads the rest, and reports a bad value, once. It overrides
  // what the main module looks like, not the absence of one: see mainNeedsEsmHooks.
  const always = esmLoaderMode() === 'always' && hasMainModule(main);
  if (!always && !mainNeedsEsmHooks(main)) {
    start();
    diag.debug('@otelkit/node: no ESM hooks: the main module is CommonJS, or there is none');
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

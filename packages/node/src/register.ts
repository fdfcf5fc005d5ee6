/**
 * `node --import @otelkit/node/register app.js`: instruments an unchanged application, ESM or
 * CommonJS, from the `OTEL_*` environment.
 *
 * The ESM hooks (import-in-the-middle) are told exactly which modules the enabled
 * instrumentations patch, so every other import runs unhooked; the top-level await makes Node
 * start the application only after the hooks have that list. A main module that is certainly
 * CommonJS gets no ESM hooks (`OTELKIT_ESM_LOADER=always` installs them anyway): its modules come
 * through `require()`, which the require hooks patch.
 */
import { diag } from '@opentelemetry/api';
import { readEnvironment } from './config/env.js';
import { installEsmHooks } from './loader/esm-hooks.js';
import { mainNeedsEsmHooks } from './loader/main-module-format.js';
import { start } from './sdk/start.js';

// start() reports any invalid variable; this only needs the one setting.
const { esmLoader } = readEnvironment().config;
if (esmLoader === 'always' || mainNeedsEsmHooks(process.argv[1])) {
  const hooks = await installEsmHooks(import.meta.url);
  start();
  // After start(), which turns on the diagnostics OTEL_LOG_LEVEL asks for.
  diag.debug(`@otelkit/node: ESM hooks run in the ${hooks.thread} thread`);
  await hooks.allModulesKnown();
} else {
  start();
}

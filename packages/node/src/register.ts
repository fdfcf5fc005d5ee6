/**
 * `node --import @otelkit/node/register app.js`: instruments an unchanged application, ESM or
 * CommonJS, from the `OTEL_*` environment.
 *
 * The ESM loader hook (import-in-the-middle) is told exactly which modules the enabled
 * instrumentations patch, so every other import runs unhooked; the top-level await makes Node
 * start the application only after the loader thread has that list. A main module that is
 * certainly CommonJS gets no loader thread (`OTELKIT_ESM_LOADER=always` starts it anyway): its
 * modules come through `require()`, which the require hooks patch.
 */
import { register } from 'node:module';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { readEnvironment } from './config/env.js';
import { mainNeedsEsmHooks } from './loader/main-module-format.js';
import { start } from './sdk/start.js';

// start() reports any invalid variable; this only needs the one setting.
const { esmLoader } = readEnvironment().config;
if (esmLoader === 'always' || mainNeedsEsmHooks(process.argv[1])) {
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
  start();
  await waitForAllMessagesAcknowledged();
} else {
  start();
}

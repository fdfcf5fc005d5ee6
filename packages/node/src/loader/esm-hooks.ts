import { register } from 'node:module';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { supportsSyncHooks } from 'import-in-the-middle/supports-sync-hooks.mjs';

/** The ESM hooks {@link installEsmHooks} installed. */
export interface EsmHooks {
  /** Where they run: the application's own thread, or Node's loader thread. */
  thread: 'application' | 'loader';
  /**
   * Settles once the hooks know every module the instrumentations enabled so far patch; the
   * application must not load before that.
   */
  allModulesKnown: () => Promise<void>;
}

/**
 * Installs import-in-the-middle's ESM hooks, in the application thread where Node can run them
 * there (`module.registerHooks`: Node ≥ 22.22.3, ≥ 24.11.1, ≥ 26) and on Node's loader thread
 * (`module.register`) everywhere else.
 *
 * Either way the hooks learn which modules to wrap from the instrumentations' own `Hook()`
 * registrations, over import-in-the-middle's message channel, so every other import runs
 * unhooked. Starting the loader thread added 33–48 ms to an ES-module application's start-up
 * on Node 22, 24 and 26 (docs/performance.md); the in-thread hooks skip it.
 *
 * @param parentUrl - the URL `import-in-the-middle/hook.mjs` is resolved from (the caller's
 *   `import.meta.url`).
 */
export async function installEsmHooks(parentUrl: string): Promise<EsmHooks> {
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  if (!supportsSyncHooks()) {
    register('import-in-the-middle/hook.mjs', parentUrl, registerOptions);
    return { thread: 'loader', allModulesKnown: waitForAllMessagesAcknowledged };
  }
  // Loaded only here: it brings the module parsers, which the loader thread loads for itself.
  const inThread = await import('import-in-the-middle/register-hooks.mjs');
  // The options the loader thread's initialize() would receive: the channel's port fills the
  // include list from the instrumentations' Hook() calls. Its type omits the port.
  inThread.register(registerOptions.data as Parameters<typeof inThread.register>[0]);
  return { thread: 'application', allModulesKnown: waitForAllMessagesAcknowledged };
}

import { createRequire, register } from 'node:module';
import { type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { supportsSyncHooks } from 'import-in-the-middle/supports-sync-hooks.mjs';

/** Where import-in-the-middle's ESM hooks run: the application's own thread, or Node's loader thread. */
export type EsmHooksThread = 'application' | 'loader';

/**
 * Starts the SDK and installs import-in-the-middle's ESM hooks for exactly the modules its
 * instrumentations patch, so every other import runs unhooked. The hooks run in the application
 * thread where Node can run them there (`module.registerHooks`: Node ≥ 22.22.3, ≥ 24.11.1, ≥ 26,
 * unless `require()` of ES modules is turned off) and on Node's loader thread (`module.register`)
 * everywhere else; starting that thread added 33–48 ms to an ES-module application's start-up on
 * Node 22, 24 and 26 (docs/performance.md).
 *
 * Synchronous, so that a `--require` preload, which cannot wait for a promise, installs the
 * hooks before the application's first import just as `--import` does.
 *
 * @param startSdk - starts the SDK; the instrumentations it enables name their modules with
 *   import-in-the-middle's `Hook()`.
 * @returns where the hooks run, or `undefined` when no instrumentation patches an ES module
 *   (the SDK disabled or failed to start) and so none were installed.
 */
export function startWithEsmHooks(startSdk: () => void): EsmHooksThread | undefined {
  // From here on, every Hook() posts its module names on this channel.
  const { addHookMessagePort } = createAddHookMessageChannel();
  startSdk();
  const include = postedModules(addHookMessagePort);
  if (include.length === 0) return undefined;
  // import-in-the-middle's in-thread entry is an ES module, which a synchronous caller can only
  // require(): not with --no-experimental-require-module, where the loader thread still works.
  if (supportsSyncHooks() && process.features.require_module) {
    // Loaded only here: it brings the module parsers, which the loader thread loads for itself.
    const inThread: typeof import('import-in-the-middle/register-hooks.mjs') = createRequire(import.meta.url)(
      'import-in-the-middle/register-hooks.mjs',
    );
    inThread.register({ include });
    return 'application';
  }
  register('import-in-the-middle/hook.mjs', import.meta.url, { data: { include } });
  return 'loader';
}

/**
 * The module names the `Hook()` calls so far posted, read off the port synchronously: the
 * hooks get the whole list when they are installed, and no import can come before it.
 */
function postedModules(port: MessagePort): string[] {
  const modules: string[] = [];
  for (let received = receiveMessageOnPort(port); received; received = receiveMessageOnPort(port)) {
    const posted: unknown = received.message;
    if (Array.isArray(posted)) {
      for (const name of posted) if (typeof name === 'string') modules.push(name);
    }
  }
  return modules;
}

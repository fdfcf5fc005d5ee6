import { createRequire, syncBuiltinESMExports } from 'node:module';

const requireBuiltin = createRequire(import.meta.url);

/**
 * Patches node:http and node:https now and copies the patched functions into their ES-module
 * named exports, so that `import { request, get } from 'node:http'` makes client spans and
 * propagates the trace like `http.request` does.
 *
 * A builtin's named exports are a copy of its CommonJS exports, refreshed only by
 * `syncBuiltinESMExports()`. Upstream instrumentation-http patches whichever of the two it sees
 * first and then skips the other. In an ES module that imported Express (which requires
 * node:http) before node:http, that left `request` and `get` unpatched: no client span and no
 * `traceparent` on the outgoing request. Requiring both modules here, once the instrumentations
 * are enabled, makes the CommonJS exports the patched copy in every application; the sync then
 * carries them into the named exports, with or without the ESM hooks.
 */
export function patchHttpBuiltinsForEsm(): void {
  requireBuiltin('node:http');
  requireBuiltin('node:https');
  syncBuiltinESMExports();
}

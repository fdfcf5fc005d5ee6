/**
 * `node --require @otelkit/node/register app.js`: the CommonJS entry. CommonJS modules are
 * patched through require hooks, which need no loader thread, so this entry only starts the SDK.
 */
import sdk = require('./sdk/start.js');

sdk.start();

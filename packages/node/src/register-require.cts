/**
 * `node --require @otelkit/node/register app.js`: the CommonJS entry. It does what the `--import`
 * entry does, ESM hooks for an ES-module application included, through the one bundled copy of
 * the SDK (`require()` of an ES module, Node >= 20.19).
 */
import loader = require('./loader/auto-start.js');

loader.autoStart();

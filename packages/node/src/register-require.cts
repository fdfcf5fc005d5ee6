/**
 * `node --require @otelkit/node/register app.js`: the CommonJS entry. It does what the `--import`
 * entry does, ESM hooks for an ES-module application included, through the one bundled copy of
 * the SDK (`require()` of an ES module, Node >= 20.19).
 */
let loader: typeof import('./loader/auto-start.js') | undefined;
try {
  loader = require('./loader/auto-start.js');
} catch (error) {
  // With --no-experimental-require-module the SDK cannot load from here; the application must
  // still run.
  process.stderr.write(
    `otelkit: telemetry disabled, --require could not load the SDK (${(error as Error).message.split('\n')[0]}); use --import @otelkit/node/register\n`,
  );
}
loader?.autoStart();

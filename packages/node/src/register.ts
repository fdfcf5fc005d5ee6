/**
 * `node --import @otelkit/node/register app.js`: instruments an unchanged application, ESM or
 * CommonJS, from the `OTEL_*` environment. The ESM hooks are installed before this module
 * returns, so the application's first import is already hooked: no `--experimental-loader`.
 */
import { autoStart } from './loader/auto-start.js';

autoStart();

import { createRequire } from 'node:module';

/**
 * Synchronous, on-demand loading of optional parts (an instrumentation, a gRPC exporter, a cloud
 * detector). Loading only what is enabled keeps start-up short, and loading synchronously lets
 * the same code run from `--import` and from `--require`, before the application's first module.
 */
export const lazyRequire = createRequire(import.meta.url);

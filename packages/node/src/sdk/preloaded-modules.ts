import type { InstrumentationName } from '../config/options.js';
import { lazyRequire } from './lazy-require.js';

// The instrumentations that patch a package when it is loaded, by the package they patch. The
// others do not depend on load order: node:http's hook patches the prototype, undici listens on
// diagnostics channels, Fastify's on its instance creation, runtime-node reads the runtime.
const PATCHED_ON_LOAD: Partial<Record<InstrumentationName, string>> = {
  express: 'express',
  winston: 'winston',
  pino: 'pino',
  koa: 'koa',
  graphql: 'graphql',
  pg: 'pg',
  mysql2: 'mysql2',
  ioredis: 'ioredis',
  redis: '@redis/client',
  amqplib: 'amqplib',
};

/**
 * The packages that enabled instrumentations patch as they load but that the process had
 * already loaded (as CommonJS, which is how each of them ships) when otelkit started: they run
 * uninstrumented, with nothing else to say so.
 *
 * @param loadedFiles - the files loaded so far; by default the CommonJS module cache.
 */
export function preloadedModules(
  names: readonly InstrumentationName[],
  loadedFiles: readonly string[] = Object.keys(lazyRequire.cache),
): string[] {
  const found: string[] = [];
  for (const name of names) {
    const pkg = PATCHED_ON_LOAD[name];
    if (!pkg) continue;
    const marker = `/node_modules/${pkg}/`;
    // Code, not data: reading a package's package.json (for its version) does not load it.
    const loaded = (file: string) => file.replace(/\\/g, '/').includes(marker) && !file.endsWith('.json');
    if (loadedFiles.some(loaded)) found.push(pkg);
  }
  return found;
}

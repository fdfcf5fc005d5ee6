import { describe, expect, it } from 'vitest';
import { preloadedModules } from './preloaded-modules.js';

describe('preloadedModules', () => {
  const files = [
    '/app/node_modules/.pnpm/winston@3.19.0/node_modules/winston/lib/winston.js',
    '/app/node_modules/winston-transport/index.js',
    '/app/node_modules/express/index.js',
    '/app/src/pg/client.js',
  ];

  it('names the packages enabled instrumentations patch on load that were already loaded', () => {
    expect(preloadedModules(['http', 'express', 'winston', 'pg', 'undici'], files)).toEqual([
      'express',
      'winston',
    ]);
  });

  it('names pino, loaded before otelkit, but not the pino-* packages beside it', () => {
    const loaded = [
      '/app/node_modules/.pnpm/pino@10.1.0/node_modules/pino/pino.js',
      '/app/node_modules/pino-std-serializers/index.js',
    ];
    expect(preloadedModules(['winston', 'pino'], loaded)).toEqual(['pino']);
    expect(preloadedModules(['pino'], ['/app/node_modules/pino-pretty/index.js'])).toEqual([]);
    expect(preloadedModules(['winston'], loaded)).toEqual([]);
  });

  it('leaves out disabled instrumentations and packages patched whenever they load', () => {
    expect(preloadedModules(['http', 'winston'], files)).toEqual(['winston']);
    expect(preloadedModules(['fastify', 'undici'], ['/app/node_modules/fastify/fastify.js'])).toEqual([]);
    expect(preloadedModules(['express'], ['C:\\app\\node_modules\\express\\index.js'])).toEqual(['express']);
    // A version lookup reads package.json and loads nothing.
    expect(preloadedModules(['winston'], ['/app/node_modules/winston/package.json'])).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import type { StartOptions } from './options.js';
import { checkStartOptions } from './start-options.js';

describe('checkStartOptions', () => {
  it('takes optional values read from the environment or a config file as they are', () => {
    // The types take `undefined` too: test/node-api-types.test.ts.
    const fromConfig: StartOptions = { serviceName: process.env.NO_SUCH_VARIABLE, sampleRatio: undefined };
    expect(checkStartOptions(fromConfig).problems).toEqual([]);
  });

  it('keeps usable options as they are, and says nothing', () => {
    const options: StartOptions = {
      serviceName: 'orders-api',
      endpoint: 'https://collector.example.com:4318',
      protocol: 'http/json',
      sampleRatio: 0,
      metricExportIntervalMs: 15000,
      shutdownTimeoutMs: 0,
      instrumentations: ['http', 'express'],
    };
    expect(checkStartOptions(options)).toEqual({ options, problems: [] });
  });

  it.each([
    [{ endpoint: 'collector:4318' }, 'endpoint: "collector:4318"', 'an http:// or https:// URL'],
    [{ endpoint: 'not a url' }, 'endpoint: "not a url"', 'an http:// or https:// URL'],
    [{ sampleRatio: Number.NaN }, 'sampleRatio: NaN', 'a number from 0 to 1'],
    [{ sampleRatio: 5 }, 'sampleRatio: 5', 'a number from 0 to 1'],
    [{ metricExportIntervalMs: 0 }, 'metricExportIntervalMs: 0', 'above 0'],
    [{ shutdownTimeoutMs: -1 }, 'shutdownTimeoutMs: -1', '0 or more'],
    [{ serviceName: '' }, 'serviceName: ""', 'a non-empty string'],
    [{ protocol: 'udp' }, 'protocol: "udp"', 'one of http/protobuf, http/json, grpc'],
  ])('drops %o with one line naming the value and the expected form', (given, shown, expected) => {
    const { options, problems } = checkStartOptions({ serviceName: 'kept', ...given } as StartOptions);
    const [key] = Object.keys(given) as (keyof StartOptions)[];
    expect(options).not.toHaveProperty(key as string);
    expect(problems).toHaveLength(1);
    const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(problems[0]).toMatch(
      new RegExp(
        `^otelkit: start\\(\\{ ${escapeRegExp(shown)} \\}\\) is invalid: expected .*${escapeRegExp(expected)}.*; using the environment or the default$`,
      ),
    );
    if (key !== 'serviceName') expect(options.serviceName).toBe('kept');
  });

  it('keeps the valid paths of an ignorePaths list, and drops one that is no list', () => {
    const mixed = checkStartOptions({ ignorePaths: ['/metrics', 'metrics', '/internal/*'] });
    expect(mixed.options.ignorePaths).toEqual(['/metrics', '/internal/*']);
    expect(mixed.problems).toEqual([
      expect.stringMatching(
        /^otelkit: start\(\{ ignorePaths: \["\/metrics","metrics","\/internal\/\*"\] \}\) is invalid at "metrics": expected an array of paths starting with "\/".*; using the valid paths only$/,
      ),
    ]);
    const notAList = checkStartOptions({ ignorePaths: '/metrics' as unknown as string[] });
    expect(notAList.options).not.toHaveProperty('ignorePaths');
    expect(notAList.problems[0]).toMatch(/ignorePaths: "\/metrics".*using the environment or the default$/);
  });

  it('leaves OTELKIT_IGNORE_PATHS in force when no ignorePaths entry is valid', () => {
    const { options, problems } = checkStartOptions({ ignorePaths: ['metrics', 'internal/*'] });
    expect(options).not.toHaveProperty('ignorePaths');
    expect(problems[0]).toMatch(
      /is invalid at "metrics", "internal\/\*": .*; using the environment or the default$/,
    );
    // An empty list is a choice, not a mistake: no paths beyond the probes.
    expect(checkStartOptions({ ignorePaths: [] })).toEqual({ options: { ignorePaths: [] }, problems: [] });
  });

  it('keeps the known instrumentations of a list with unknown ones', () => {
    const { options, problems } = checkStartOptions({
      instrumentations: ['http', 'kafka'] as unknown as StartOptions['instrumentations'],
    });
    expect(options.instrumentations).toEqual(['http']);
    expect(problems).toEqual([
      expect.stringMatching(
        /^otelkit: start\(\{ instrumentations: \["http","kafka"\] \}\) is invalid: .*using the known names only$/,
      ),
    ]);
    expect(problems[0]).toContain(
      'expected an array of http, express, fastify, koa, graphql, undici, winston, pino, pg, mysql2, ioredis, redis, amqplib, runtime-node;',
    );
    expect(checkStartOptions({ instrumentations: ['http', 'pino'] })).toEqual({
      options: { instrumentations: ['http', 'pino'] },
      problems: [],
    });
  });
});

import { describe, expect, it } from 'vitest';
import { readEnvironment } from '../config/env.js';
import { buildResource, COMMAND_LINE_ATTRIBUTES } from './resource.js';

describe('buildResource', () => {
  it('keeps what ran but not the command line, which can carry secrets', async () => {
    const { config } = readEnvironment({ OTEL_SERVICE_NAME: 'cli', OTEL_NODE_RESOURCE_DETECTORS: 'process' });
    const resource = buildResource(config, {}, () => {});
    await resource.waitForAsyncAttributes?.();
    expect(resource.attributes).toMatchObject({
      'service.name': 'cli',
      'process.pid': process.pid,
      'process.runtime.name': 'nodejs',
    });
    expect(resource.attributes['process.executable.path']).toBe(process.execPath);
    for (const key of COMMAND_LINE_ATTRIBUTES) expect(resource.attributes).not.toHaveProperty(key);
  });
});

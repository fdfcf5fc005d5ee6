import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from './create-logger.js';

describe('createLogger', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('takes LOG_LEVEL in any case', () => {
    vi.stubEnv('LOG_LEVEL', 'WARN');
    expect(createLogger().level).toBe('warn');
    vi.stubEnv('LOG_LEVEL', ' Debug ');
    expect(createLogger().level).toBe('debug');
  });

  it('reports an unknown level once and writes from info up instead of nothing', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    vi.stubEnv('LOG_LEVEL', 'Warning');
    expect(createLogger().level).toBe('info');
    expect(createLogger().level).toBe('info');
    expect(createLogger({ level: 'loud' }).level).toBe('info');
    expect(stderr.mock.calls.map(([line]) => line)).toEqual([
      'otelkit: LOG_LEVEL="Warning" is invalid: expected one of error, warn, info, http, verbose, debug, silly; using info\n',
      'otelkit: createLogger({ level })="loud" is invalid: expected one of error, warn, info, http, verbose, debug, silly; using info\n',
    ]);
  });
});

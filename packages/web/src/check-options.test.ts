import { describe, expect, it } from 'vitest';
import { checkWebOptions } from './check-options.js';

describe('checkWebOptions', () => {
  it('keeps valid options as they are, and says nothing', () => {
    const options = {
      serviceName: 'shop-web',
      endpoint: 'https://otel.example.com',
      propagateTraceHeaderCorsUrls: ['https://api.example.com/', /\/api\//],
      sampleRate: 0.5,
      beforeSend: () => true,
    };
    expect(checkWebOptions(options)).toEqual({ options, problems: [] });
  });

  it('takes a lone URL pattern for the array it was meant to be', () => {
    const { options, problems } = checkWebOptions({
      serviceName: 'shop-web',
      propagateTraceHeaderCorsUrls: 'https://api.example.com/',
      ignoreUrls: /\/health/,
    });
    expect(options.propagateTraceHeaderCorsUrls).toEqual(['https://api.example.com/']);
    expect(options.ignoreUrls).toEqual([/\/health/]);
    expect(problems).toEqual([]);
  });

  it('replaces each unusable value with one line naming it', () => {
    const { options, problems } = checkWebOptions({
      serviceName: '',
      sampleRate: Number.NaN,
      beforeSend: true,
      ignoreUrls: 42,
      maxBufferedSpans: -1,
    });
    expect(options).toEqual({ serviceName: 'unknown_service' });
    expect(problems).toEqual([
      'initWeb({ serviceName: "" }) is invalid: expected a non-empty string such as "shop-web"; using "unknown_service"',
      'initWeb({ ignoreUrls: 42 }) is invalid: expected an array of URL prefixes or RegExps; ignored',
      'initWeb({ sampleRate: NaN }) is invalid: expected a number from 0 to 1; using 1',
      'initWeb({ maxBufferedSpans: -1 }) is invalid: expected a number, 0 or more; using the default',
      'initWeb({ beforeSend: true }) is invalid: expected a function; ignored',
    ]);
  });

  it('starts without options, as unknown_service, and says so', () => {
    const { options, problems } = checkWebOptions(undefined);
    expect(options).toEqual({ serviceName: 'unknown_service' });
    expect(problems).toHaveLength(1);
  });
});

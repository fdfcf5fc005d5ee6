import { urlToHttpOptions } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readEnvironment } from '../config/env.js';
import { isOwnExport } from './export-targets.js';

/** The request options instrumentation-http hands its hook for a request to `url`. */
const request = (url: string) => urlToHttpOptions(new URL(url));

const ownExport = (env: Record<string, string>) => isOwnExport(readEnvironment(env).config);

describe('isOwnExport', () => {
  it("knows the SDK's exports to an https Collector on the default port", () => {
    const own = ownExport({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example.com' });
    expect(own(request('https://collector.example.com/v1/traces'))).toBe(true);
    expect(own(request('https://collector.example.com:443/v1/logs'))).toBe(true);
    // The application's own calls to the same host are its traffic.
    expect(own(request('https://collector.example.com/api/orders'))).toBe(false);
    expect(own(request('http://collector.example.com/v1/traces'))).toBe(false);
  });

  it('knows them on an explicit port, by host header form, over IPv6 and per signal', () => {
    const own = ownExport({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://[::1]:9090/api/v1/otlp/v1/metrics',
    });
    expect(own(request('http://127.0.0.1:4318/v1/traces'))).toBe(true);
    expect(own({ host: '127.0.0.1:4318', path: '/v1/logs' })).toBe(true);
    expect(own(request('http://[::1]:9090/api/v1/otlp/v1/metrics'))).toBe(true);
    expect(own(request('http://127.0.0.1:4318/v1/metrics'))).toBe(false);
    expect(own(request('http://127.0.0.1:4319/v1/traces'))).toBe(false);
  });

  it('knows none when nothing is exported over OTLP/HTTP', () => {
    const own = ownExport({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    expect(own(request('http://localhost:4317/'))).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { DEFAULT_INSTRUMENTATIONS, readEnvironment } from './env.js';

describe('readEnvironment', () => {
  it('defaults to OTLP/HTTP protobuf on localhost:4318 with the quiet instrumentation set', () => {
    const { config, problems } = readEnvironment({ OTEL_SERVICE_NAME: 'orders' });
    expect(problems).toEqual([]);
    expect(config.serviceName).toBe('orders');
    expect(config.traces).toEqual({
      exporter: 'otlp',
      endpoint: 'http://localhost:4318/v1/traces',
      protocol: 'http/protobuf',
      headers: {},
    });
    expect(config.logs.endpoint).toBe('http://localhost:4318/v1/logs');
    expect(config.instrumentations).toEqual(DEFAULT_INSTRUMENTATIONS);
    expect(config.instrumentations).not.toContain('fs');
    expect(config.resourceDetectors).toEqual(['env', 'host', 'os', 'process', 'serviceinstance']);
    expect(config.shutdownTimeoutMs).toBe(5000);
    expect(config.esmLoader).toBe('auto');
    expect(readEnvironment({ OTELKIT_ESM_LOADER: 'ALWAYS' }).config.esmLoader).toBe('always');
    expect(config.logLevel).toBe('none');
    expect(readEnvironment({ OTEL_LOG_LEVEL: 'DEBUG' }).config.logLevel).toBe('debug');
  });

  it('reads endpoints, headers, protocol, sampler, exporters, resource and instrumentation lists', () => {
    const { config, problems } = readEnvironment({
      OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-resource,deployment.environment.name=prod,team=a%2Cb',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example.com:4318/',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://metrics.example.com/custom',
      OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/json',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_LOGS_EXPORTER: 'none',
      OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,express,winston',
      OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'winston',
      OTEL_NODE_RESOURCE_DETECTORS: 'env,aws',
    });
    expect(problems).toEqual([]);
    expect(config.serviceName).toBe('from-resource');
    expect(config.resourceAttributes.team).toBe('a,b');
    expect(config.traces.endpoint).toBe('https://collector.example.com:4318/v1/traces');
    expect(config.traces.headers).toEqual({ 'x-api-key': 'abc' });
    expect(config.metrics.endpoint).toBe('http://metrics.example.com/custom');
    expect(config.logs.protocol).toBe('http/json');
    expect(config.logs.exporter).toBe('none');
    expect(config.sampler).toBe('parentbased_traceidratio');
    expect(config.samplerRatio).toBe(0.25);
    expect(config.instrumentations).toEqual(['http', 'express']);
    expect(config.resourceDetectors).toEqual(['env', 'aws']);
  });

  // Every variable we read, with a bad value: one line naming the variable, the value, the
  // expected form and what is used instead; the rest of the config stays usable.
  const invalid: [string, string, RegExp][] = [
    ['OTEL_SDK_DISABLED', 'yes', /OTEL_SDK_DISABLED="yes" is invalid: expected true or false; using false/],
    [
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'localhost:4318',
      /OTEL_EXPORTER_OTLP_ENDPOINT="localhost:4318" is invalid: expected an http:\/\/ or https:\/\/ URL .*; using the default/,
    ],
    [
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
      'ftp://x',
      /OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="ftp:\/\/x" is invalid: expected an http:\/\/ or https:\/\/ URL/,
    ],
    [
      'OTEL_EXPORTER_OTLP_PROTOCOL',
      'udp',
      /OTEL_EXPORTER_OTLP_PROTOCOL="udp" is invalid: expected one of http\/protobuf, http\/json, grpc; using http\/protobuf/,
    ],
    [
      'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL',
      'http',
      /OTEL_EXPORTER_OTLP_METRICS_PROTOCOL="http" is invalid: expected one of http\/protobuf, http\/json, grpc/,
    ],
    [
      'OTEL_EXPORTER_OTLP_HEADERS',
      '=novalue',
      /OTEL_EXPORTER_OTLP_HEADERS="=novalue" is invalid: expected comma-separated key=value pairs/,
    ],
    [
      'OTEL_RESOURCE_ATTRIBUTES',
      'team=%E0%A4%A',
      /OTEL_RESOURCE_ATTRIBUTES="team=%E0%A4%A" is invalid: expected a percent-encoded value for "team"/,
    ],
    [
      'OTEL_EXPORTER_OTLP_TIMEOUT',
      '10s',
      /OTEL_EXPORTER_OTLP_TIMEOUT="10s" is invalid: expected a whole number of milliseconds from 1 to 600000; using 10000/,
    ],
    [
      'OTEL_METRIC_EXPORT_INTERVAL',
      '-5',
      /OTEL_METRIC_EXPORT_INTERVAL="-5" is invalid: expected a whole number of milliseconds from 100 to 86400000; using 60000/,
    ],
    [
      'OTEL_TRACES_SAMPLER',
      'sometimes',
      /OTEL_TRACES_SAMPLER="sometimes" is invalid: expected one of always_on, .*; using parentbased_always_on/,
    ],
    [
      'OTEL_TRACES_SAMPLER_ARG',
      '1.5',
      /OTEL_TRACES_SAMPLER_ARG="1.5" is invalid: expected a number from 0 to 1; using 1/,
    ],
    [
      'OTEL_TRACES_EXPORTER',
      'jaeger',
      /OTEL_TRACES_EXPORTER="jaeger" is invalid: expected one of otlp, console, none; using otlp/,
    ],
    [
      'OTEL_METRICS_EXPORTER',
      'prometheus',
      /OTEL_METRICS_EXPORTER="prometheus" is invalid: expected one of otlp, console, none/,
    ],
    [
      'OTEL_LOGS_EXPORTER',
      'file',
      /OTEL_LOGS_EXPORTER="file" is invalid: expected one of otlp, console, none/,
    ],
    [
      'OTEL_NODE_ENABLED_INSTRUMENTATIONS',
      'http,kafka',
      /OTEL_NODE_ENABLED_INSTRUMENTATIONS="http,kafka" is invalid: expected a comma-separated list of http, express, .*; using the known names only/,
    ],
    ['OTEL_NODE_DISABLED_INSTRUMENTATIONS', 'fsx', /OTEL_NODE_DISABLED_INSTRUMENTATIONS="fsx" is invalid/],
    [
      'OTEL_NODE_RESOURCE_DETECTORS',
      'env,heroku',
      /OTEL_NODE_RESOURCE_DETECTORS="env,heroku" is invalid: expected all, none, or a list of/,
    ],
    [
      'OTELKIT_SHUTDOWN_TIMEOUT_MS',
      'soon',
      /OTELKIT_SHUTDOWN_TIMEOUT_MS="soon" is invalid: expected a whole number of milliseconds from 0 to 120000; using 5000/,
    ],
    [
      'OTELKIT_ESM_LOADER',
      'never',
      /OTELKIT_ESM_LOADER="never" is invalid: expected one of auto, always; using auto/,
    ],
    [
      'OTEL_LOG_LEVEL',
      'loud',
      /OTEL_LOG_LEVEL="loud" is invalid: expected one of none, error, warn, info, debug, verbose, all; using none/,
    ],
  ];
  it.each(invalid)('reports %s=%s on one line and falls back', (name, value, message) => {
    const { config, problems } = readEnvironment({ OTEL_SERVICE_NAME: 'svc', [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^otelkit: /);
    expect(problems[0]).toMatch(message);
    expect(problems[0]).not.toContain('\n');
    expect(config.serviceName).toBe('svc');
  });

  it('keeps valid instrumentation names when some are unknown', () => {
    const { config } = readEnvironment({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,kafka' });
    expect(config.instrumentations).toEqual(['http']);
  });
});

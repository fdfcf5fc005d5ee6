import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_INSTRUMENTATIONS, readEnvironment } from './env.js';

describe('readEnvironment', () => {
  it('defaults to OTLP/HTTP protobuf on localhost:4318 with the quiet instrumentation set', () => {
    const { config, problems } = readEnvironment({ OTEL_SERVICE_NAME: 'orders' });
    expect(problems).toEqual([]);
    expect(config.serviceName).toBe('orders');
    expect(config.traces).toEqual({
      exporters: ['otlp'],
      endpoint: 'http://localhost:4318/v1/traces',
      protocol: 'http/protobuf',
      headers: {},
      timeoutMs: 10_000,
      compression: 'none',
      tls: {},
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
    // The spec's defaults, as the OpenTelemetry Node SDK has them.
    expect(config.propagators).toEqual(['tracecontext', 'baggage']);
    expect(config.spanBatch).toEqual({
      scheduledDelayMillis: 5000,
      exportTimeoutMillis: 30_000,
      maxQueueSize: 2048,
      maxExportBatchSize: 512,
    });
    expect(config.logBatch).toEqual({ ...config.spanBatch, scheduledDelayMillis: 1000 });
    expect(config.spanLimits).toEqual({
      attributeValueLengthLimit: Number.POSITIVE_INFINITY,
      attributeCountLimit: 128,
      eventCountLimit: 128,
      linkCountLimit: 128,
      attributePerEventCountLimit: 128,
      attributePerLinkCountLimit: 128,
    });
    expect(config.logRecordLimits).toEqual({
      attributeValueLengthLimit: Number.POSITIVE_INFINITY,
      attributeCountLimit: 128,
    });
    expect(config.metricExportTimeoutMs).toBe(30_000);
  });

  it('reads batching, limits, propagators, timeouts and compression, per signal where the spec has it', () => {
    const { config, problems } = readEnvironment({
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_BSP_EXPORT_TIMEOUT: '3000',
      OTEL_BSP_MAX_QUEUE_SIZE: '100',
      OTEL_BLRP_SCHEDULE_DELAY: '0',
      OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '64',
      OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '256',
      OTEL_ATTRIBUTE_COUNT_LIMIT: '64',
      OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '32',
      OTEL_SPAN_EVENT_COUNT_LIMIT: '10',
      OTEL_SPAN_LINK_COUNT_LIMIT: '0',
      OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT: '5',
      OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT: '6',
      OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT: '16',
      OTEL_PROPAGATORS: 'b3multi, TraceContext,b3multi',
      OTEL_EXPORTER_OTLP_TIMEOUT: '2000',
      OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: '7000',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
      OTEL_EXPORTER_OTLP_METRICS_COMPRESSION: 'none',
      OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'Delta',
      OTEL_METRIC_EXPORT_TIMEOUT: '5000',
      OTEL_TRACES_EXPORTER: 'otlp,console,otlp',
      OTEL_METRICS_EXPORTER: 'console',
    });
    expect(problems).toEqual([]);
    // A batch size above the queue would be clamped; the default batch follows a smaller queue.
    expect(config.spanBatch).toEqual({
      scheduledDelayMillis: 200,
      exportTimeoutMillis: 3000,
      maxQueueSize: 100,
      maxExportBatchSize: 100,
    });
    expect(config.logBatch).toMatchObject({ scheduledDelayMillis: 0, maxExportBatchSize: 64 });
    expect(config.spanLimits).toEqual({
      attributeValueLengthLimit: 32,
      attributeCountLimit: 64,
      eventCountLimit: 10,
      linkCountLimit: 0,
      attributePerEventCountLimit: 5,
      attributePerLinkCountLimit: 6,
    });
    expect(config.logRecordLimits).toEqual({ attributeValueLengthLimit: 256, attributeCountLimit: 16 });
    expect(config.propagators).toEqual(['b3multi', 'tracecontext']);
    expect([config.traces.timeoutMs, config.metrics.timeoutMs, config.logs.timeoutMs]).toEqual([
      2000, 2000, 7000,
    ]);
    expect([config.traces.compression, config.metrics.compression, config.logs.compression]).toEqual([
      'gzip',
      'none',
      'gzip',
    ]);
    expect(config.metricExportTimeoutMs).toBe(5000);
    expect(config.traces.exporters).toEqual(['otlp', 'console']);
    expect(config.metrics.exporters).toEqual(['console']);
    expect(readEnvironment({ OTEL_PROPAGATORS: 'none' }).config.propagators).toEqual([]);
  });

  it('derives every endpoint from the protocol and endpoint set in code, over the variables', () => {
    const grpc = readEnvironment({}, { protocol: 'grpc' }).config;
    expect([grpc.traces.endpoint, grpc.logs.protocol]).toEqual(['http://localhost:4317', 'grpc']);
    const http = readEnvironment(
      { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc' },
      { protocol: 'http/protobuf' },
    ).config;
    expect([http.traces.endpoint, http.metrics.endpoint]).toEqual([
      'http://localhost:4318/v1/traces',
      'http://localhost:4318/v1/metrics',
    ]);
    const moved = readEnvironment(
      { OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://old:4318/v1/logs' },
      { endpoint: 'https://collector.example.com/' },
    ).config;
    expect(moved.logs.endpoint).toBe('https://collector.example.com/v1/logs');
  });

  it('keeps header values, which carry API keys, out of the line about a bad pair', () => {
    const { config, problems } = readEnvironment({
      OTEL_EXPORTER_OTLP_HEADERS:
        'x-api-key=sk-live-1234,authorization=Bearer%20sk-live-5678%ZZ,Bearer sk-live-9',
      OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'x-tenant=%E0%A4%A',
    });
    expect(problems).toEqual([
      'otelkit: OTEL_EXPORTER_OTLP_HEADERS="x-api-key=***,authorization=***,***" is invalid: expected ' +
        'comma-separated key=value pairs, values percent-encoded (check the value of "authorization", ' +
        'a pair without a key); using the valid pairs only',
      'otelkit: OTEL_EXPORTER_OTLP_LOGS_HEADERS="x-tenant=***" is invalid: expected comma-separated ' +
        'key=value pairs, values percent-encoded (check the value of "x-tenant"); using the valid pairs only',
    ]);
    expect(config.traces.headers).toEqual({ 'x-api-key': 'sk-live-1234' });
  });

  it('checks that the TLS files the exporters will read exist', () => {
    const readable = fileURLToPath(import.meta.url);
    const elsewhere = fileURLToPath(new URL('./env.ts', import.meta.url));
    const { config, problems } = readEnvironment({
      OTEL_EXPORTER_OTLP_CERTIFICATE: readable,
      OTEL_EXPORTER_OTLP_CLIENT_KEY: readable,
      OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE: elsewhere,
      OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY: '/nonexistent/client.key',
    });
    expect(problems).toEqual([
      'otelkit: OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY="/nonexistent/client.key" is invalid: ' +
        'expected the path of a file this process can read (ENOENT); using no client key',
    ]);
    // What the process.exit() send uses, picked as the exporters pick: a signal's own variable,
    // else the general one; an unreadable file of its own means none, not the general one.
    expect(config.logs.tls).toEqual({ ca: elsewhere, key: readable });
    expect(config.traces.tls).toEqual({ ca: readable });
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
    expect(config.logs.exporters).toEqual([]);
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
      /OTEL_EXPORTER_OTLP_HEADERS="=\*\*\*" is invalid: expected comma-separated key=value pairs, values percent-encoded \(check a pair without a key\); using the valid pairs only$/,
    ],
    [
      'OTEL_RESOURCE_ATTRIBUTES',
      'team=%E0%A4%A,a,b',
      /OTEL_RESOURCE_ATTRIBUTES="team=%E0%A4%A,a,b" is invalid: expected .* \(check the value of "team", a pair without a key, a pair without a key\); using the valid pairs only$/,
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
      /OTEL_TRACES_EXPORTER="jaeger" is invalid: expected none, or a list of otlp, console; using otlp$/,
    ],
    [
      'OTEL_METRICS_EXPORTER',
      'prometheus',
      /OTEL_METRICS_EXPORTER="prometheus" is invalid: expected none, or a list of otlp, console/,
    ],
    [
      'OTEL_LOGS_EXPORTER',
      'file',
      /OTEL_LOGS_EXPORTER="file" is invalid: expected none, or a list of otlp, console; using otlp$/,
    ],
    [
      'OTEL_TRACES_EXPORTER',
      'console,zipkin',
      /OTEL_TRACES_EXPORTER="console,zipkin" is invalid: expected none, .*; using console$/,
    ],
    [
      'OTEL_METRICS_EXPORTER',
      'none,otlp',
      /OTEL_METRICS_EXPORTER="none,otlp" is invalid: expected none, or a list of otlp, console; using otlp$/,
    ],
    [
      'OTEL_PROPAGATORS',
      'w3c',
      /OTEL_PROPAGATORS="w3c" is invalid: expected none, or a list of tracecontext, baggage, b3, b3multi, jaeger; using tracecontext,baggage$/,
    ],
    ['OTEL_PROPAGATORS', 'b3,xray', /OTEL_PROPAGATORS="b3,xray" is invalid: .*; using b3$/],
    [
      'OTEL_EXPORTER_OTLP_COMPRESSION',
      'zstd',
      /OTEL_EXPORTER_OTLP_COMPRESSION="zstd" is invalid: expected one of gzip, none; using none$/,
    ],
    [
      'OTEL_EXPORTER_OTLP_LOGS_COMPRESSION',
      'deflate',
      /OTEL_EXPORTER_OTLP_LOGS_COMPRESSION="deflate" is invalid: expected one of gzip, none; using none$/,
    ],
    [
      'OTEL_EXPORTER_OTLP_METRICS_TIMEOUT',
      '0',
      /OTEL_EXPORTER_OTLP_METRICS_TIMEOUT="0" is invalid: expected a whole number of milliseconds from 1 to 600000; using 10000$/,
    ],
    [
      'OTEL_EXPORTER_OTLP_CERTIFICATE',
      '/nonexistent/ca.pem',
      /OTEL_EXPORTER_OTLP_CERTIFICATE="\/nonexistent\/ca.pem" is invalid: expected the path of a file this process can read \(ENOENT\); using the system's trusted certificates$/,
    ],
    [
      'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE',
      'deltas',
      /OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE="deltas" is invalid: expected one of cumulative, delta, lowmemory; using cumulative$/,
    ],
    [
      'OTEL_METRIC_EXPORT_TIMEOUT',
      '90000',
      /OTEL_METRIC_EXPORT_TIMEOUT="90000" is invalid: expected at most OTEL_METRIC_EXPORT_INTERVAL \(60000\); using 60000$/,
    ],
    [
      'OTEL_METRIC_EXPORT_TIMEOUT',
      '30s',
      /OTEL_METRIC_EXPORT_TIMEOUT="30s" is invalid: expected a whole number of milliseconds from 1 to 600000; using 30000$/,
    ],
    [
      'OTEL_BSP_SCHEDULE_DELAY',
      '5s',
      /OTEL_BSP_SCHEDULE_DELAY="5s" is invalid: expected a whole number of milliseconds from 0 to 86400000; using 5000$/,
    ],
    [
      'OTEL_BSP_EXPORT_TIMEOUT',
      '-1',
      /OTEL_BSP_EXPORT_TIMEOUT="-1" is invalid: expected a whole number of milliseconds from 1 to 600000; using 30000$/,
    ],
    [
      'OTEL_BSP_MAX_QUEUE_SIZE',
      'lots',
      /OTEL_BSP_MAX_QUEUE_SIZE="lots" is invalid: expected a whole number of at least 1; using 2048$/,
    ],
    [
      'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
      '4096',
      /OTEL_BSP_MAX_EXPORT_BATCH_SIZE="4096" is invalid: expected at most OTEL_BSP_MAX_QUEUE_SIZE \(2048\); using 2048$/,
    ],
    [
      'OTEL_BLRP_SCHEDULE_DELAY',
      '1.5',
      /OTEL_BLRP_SCHEDULE_DELAY="1.5" is invalid: expected a whole number of milliseconds from 0 to 86400000; using 1000$/,
    ],
    ['OTEL_BLRP_EXPORT_TIMEOUT', 'never', /OTEL_BLRP_EXPORT_TIMEOUT="never" is invalid: .*; using 30000$/],
    ['OTEL_BLRP_MAX_QUEUE_SIZE', '0', /OTEL_BLRP_MAX_QUEUE_SIZE="0" is invalid: .* at least 1; using 2048$/],
    [
      'OTEL_BLRP_MAX_EXPORT_BATCH_SIZE',
      'half',
      /OTEL_BLRP_MAX_EXPORT_BATCH_SIZE="half" is invalid: expected a whole number of at least 1; using 512$/,
    ],
    [
      'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT',
      '1k',
      /OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT="1k" is invalid: expected a whole number of at least 0; using no limit$/,
    ],
    ['OTEL_ATTRIBUTE_COUNT_LIMIT', '-3', /OTEL_ATTRIBUTE_COUNT_LIMIT="-3" is invalid: .*; using 128$/],
    [
      'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT',
      'x',
      /OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT="x" is invalid: .*; using no limit$/,
    ],
    [
      'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT',
      'x',
      /OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT="x" is invalid: .*; using 128$/,
    ],
    ['OTEL_SPAN_EVENT_COUNT_LIMIT', 'x', /OTEL_SPAN_EVENT_COUNT_LIMIT="x" is invalid: .*; using 128$/],
    ['OTEL_SPAN_LINK_COUNT_LIMIT', 'x', /OTEL_SPAN_LINK_COUNT_LIMIT="x" is invalid: .*; using 128$/],
    [
      'OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT',
      'x',
      /OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT="x" is invalid: .*; using 128$/,
    ],
    [
      'OTEL_LINK_ATTRIBUTE_COUNT_LIMIT',
      'x',
      /OTEL_LINK_ATTRIBUTE_COUNT_LIMIT="x" is invalid: .*; using 128$/,
    ],
    [
      'OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT',
      'x',
      /OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT="x" is invalid: .*; using 128$/,
    ],
    [
      'OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT',
      'x',
      /OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT="x" is invalid: .*; using 128$/,
    ],
    [
      'OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT',
      'x',
      /OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT="x" is invalid: .*; using no limit$/,
    ],
    [
      'OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT',
      'x',
      /OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT="x" is invalid: .*; using 128$/,
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
      'OTELKIT_IGNORE_PATHS',
      '/metrics,healthz',
      /OTELKIT_IGNORE_PATHS="healthz" is invalid: expected comma-separated paths starting with "\/", a trailing "\/\*" for everything below one \(e\.g\. \/metrics,\/internal\/\*\); using the other entries/,
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

  it('reads the paths kept out of traces, keeping the valid ones of a list with a bad entry', () => {
    expect(readEnvironment({}).config.ignorePaths).toEqual([]);
    const { config, problems } = readEnvironment({
      OTELKIT_IGNORE_PATHS: ' /metrics, /internal/* ,,/api/*/x,/search?q=1,/*,/status/,//*,/a//b',
    });
    expect(config.ignorePaths).toEqual(['/metrics', '/internal/*', '/*', '/status/']);
    expect(problems).toHaveLength(4);
    // "//*" would have read as everything below "/", "/a//b" as no path a router serves.
    for (const bad of ['/api/*/x', '/search?q=1', '//*', '/a//b'])
      expect(problems.join('\n')).toContain(`OTELKIT_IGNORE_PATHS="${bad}"`);
  });

  it('keeps valid instrumentation names when some are unknown', () => {
    const { config } = readEnvironment({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,kafka' });
    expect(config.instrumentations).toEqual(['http']);
  });

  it('names every known instrumentation, pino included, when it rejects one', () => {
    const { problems } = readEnvironment({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,kafka' });
    expect(problems).toEqual([
      'otelkit: OTEL_NODE_ENABLED_INSTRUMENTATIONS="http,kafka" is invalid: expected a comma-separated list of ' +
        'http, express, fastify, koa, graphql, undici, winston, pino, pg, mysql2, ioredis, redis, amqplib, runtime-node; using the known names only',
    ]);
  });

  it('enables pino by default and takes it in both lists', () => {
    expect(DEFAULT_INSTRUMENTATIONS).toContain('pino');
    // The list a user's Fastify service asked for: Fastify logs with pino.
    const enabled = readEnvironment({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,fastify,pg,pino' });
    expect(enabled.problems).toEqual([]);
    expect(enabled.config.instrumentations).toEqual(['http', 'fastify', 'pg', 'pino']);
    const disabled = readEnvironment({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'pino' });
    expect(disabled.problems).toEqual([]);
    expect(disabled.config.instrumentations).toEqual(
      DEFAULT_INSTRUMENTATIONS.filter((name) => name !== 'pino'),
    );
  });
});

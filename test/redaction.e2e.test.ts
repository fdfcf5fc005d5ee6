import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { PipelineLabels, REDACTED, ServiceGraphMetrics, SpanMetrics } from '@otelkit/conventions';
import type { Stack } from '@otelkit/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './helpers/poll.js';
import { query } from './helpers/prometheus.js';
import { sinkLogs, sinkSpans } from './helpers/sink.js';
import { startTestStack } from './helpers/stack.js';
import { serviceTelemetry, under } from './helpers/telemetry.js';

// Each secret is unique so a leak anywhere in a sink is found by a plain substring search.
const CLI_SECRET = 'cli-arg-probe-9d41';
const SECRETS = {
  email: 'alice.pii-probe@example.com',
  bearer: 'eyJhbGciOiJIUzI1NiJ9.cGlpLXByb2Jl.c2lnbmF0dXJl',
  queryToken: 'qt-7f3a9c1e55',
  password: 'hunter2-pii-probe',
  apiKey: 'ak-0c9d8e7f6a',
  adminToken: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
} as const;

const ATTRIBUTES = {
  'user.email': SECRETS.email,
  'http.request.header.authorization': `Bearer ${SECRETS.bearer}`,
  'url.full': `https://api.example.com/v1/items?token=${SECRETS.queryToken}&page=2`,
  // The query without its "?", as HTTP server spans carry it: the first parameter has nothing before it.
  'url.query': `password=${SECRETS.password}&api_key=${SECRETS.apiKey}&page=2`,
  password: SECRETS.password,
  'app.note': `callback https://hooks.example.com/cb?api_key=${SECRETS.apiKey}`,
};

// Messages that only resemble a secret: the Collector must pass them through word for word.
const LOOKALIKES = [
  'Basic settings missing',
  'Loaded basic configuration for tenant',
  'token refresh failed: connection refused',
  'password reset email sent: ok',
  'Bearer token expired',
  'secret rotation scheduled: tonight',
  // Not base32, so no AWS key id.
  'listing /regions/ASIAPACIFICREGION123',
] as const;

// Credentials in the forms logs and headers carry them; each secret is unique, as above.
const BASIC_CREDENTIAL = 'dXNlcjpwYXNzd29yZA=='; // "user:password"
const KEYED = {
  kvPassword: ['password=hunter2-kv-probe', 'password=[REDACTED]'],
  colonPassword: ['password: hunter2-colon-probe', 'password: [REDACTED]'],
  jsonPassword: ['{"password":"hunter2 json probe","user":"bob"}', '{"password":"[REDACTED]","user":"bob"}'],
  token: ['token=abc123def', 'token=[REDACTED]'],
  apiKey: ['api_key: sk-live-4f1e2d3c5b6a', 'api_key: [REDACTED]'],
  spacedKey: ['retrying with DB_PASSWORD = s3cr3t-probe now', 'retrying with DB_PASSWORD = [REDACTED] now'],
  // A query logged without its "?": the first parameter has nothing before it.
  leadingQuerySecret: ['sig=probe9c1e55&page=2', 'sig=[REDACTED]&page=2'],
  // Tokens with no name before them, known by their shape alone; the redaction processor masks them.
  githubToken: ['cloning with ghp_probe0123456789abcdefABCDEF012345xyz failed', 'cloning with **** failed'],
  awsKeyId: ['signing as AKIAPROBE234567ABCDE in eu-west-1', 'signing as **** in eu-west-1'],
  slackToken: ['posting via xoxb-123456789012-probe0slack', 'posting via ****'],
  stripeKey: ['charge with sk_live_probe4f1e2d3c5b6a refused', 'charge with **** refused'],
  googleKey: ['maps key AIzaSyProbe_0123456789-abcdefghijklmnop rejected', 'maps key **** rejected'],
  // About one Google key in 64 ends in "-", where a word boundary cannot end the match.
  googleKeyDash: ['maps key AIzaSyProbe_0123456789-abcdefghijklmno- rejected', 'maps key **** rejected'],
} as const;
const KEYED_SECRETS = [
  'hunter2-kv-probe',
  'hunter2-colon-probe',
  'hunter2 json probe',
  'abc123def',
  'sk-live-4f1e2d3c5b6a',
  's3cr3t-probe',
  'ghp_probe0123456789abcdefABCDEF012345xyz',
  'AKIAPROBE234567ABCDE',
  'xoxb-123456789012-probe0slack',
  'sk_live_probe4f1e2d3c5b6a',
  'AIzaSyProbe_0123456789-abcdefghijklmnop',
  'AIzaSyProbe_0123456789-abcdefghijklmno-',
];
// In an attribute whose name says nothing, the shape gives a token away.
const SHAPED_TOKEN = 'github_pat_11PROBE0123456789abcdef_0123456789';
// In a span's name and status message, which error text reaches as well as attributes.
const NAMED_TOKEN = 'ghp_probeName0123456789abcdefABCDEF0123';
const STATUS_TOKEN = 'xoxb-123456789012-probeStatus0';

// Passwords written into SQL, as database spans and logs carry statements; each secret is unique.
const SQL_PASSWORDS = {
  postgres: ["CREATE ROLE app LOGIN PASSWORD 'pg-probe-1'", "CREATE ROLE app LOGIN PASSWORD '[REDACTED]'"],
  postgresAlter: [
    "alter user app with encrypted password 'pg probe 2' valid until 'infinity'",
    "alter user app with encrypted password '[REDACTED]' valid until 'infinity'",
  ],
  quoteInside: ["ALTER ROLE app PASSWORD 'it''s-probe-3'", "ALTER ROLE app PASSWORD '[REDACTED]'"],
  mysql: [
    "CREATE USER 'bob'@'%' IDENTIFIED BY 'my-probe-4'",
    "CREATE USER 'bob'@'%' IDENTIFIED BY '[REDACTED]'",
  ],
  mysqlPlugin: [
    'ALTER USER bob IDENTIFIED WITH caching_sha2_password BY "my-probe-5"',
    'ALTER USER bob IDENTIFIED WITH caching_sha2_password BY "[REDACTED]"',
  ],
  sqlServer: ["CREATE LOGIN bob WITH PASSWORD='ms-probe-6'", "CREATE LOGIN bob WITH PASSWORD='[REDACTED]'"],
  sqlServerUnicode: [
    "CREATE LOGIN bob WITH PASSWORD = N'ms-probe-7'",
    "CREATE LOGIN bob WITH PASSWORD = N'[REDACTED]'",
  ],
  mysqlQuotedPlugin: [
    "ALTER USER bob IDENTIFIED WITH 'caching_sha2_password' BY 'my-probe-8'",
    "ALTER USER bob IDENTIFIED WITH 'caching_sha2_password' BY '[REDACTED]'",
  ],
  mysqlSetPassword: [
    "SET PASSWORD FOR 'bob'@'%' = 'my-probe-9'",
    "SET PASSWORD FOR 'bob'@'%' = '[REDACTED]'",
  ],
  mysqlOldPassword: ["SET PASSWORD = PASSWORD('my-probe-11')", "SET PASSWORD = PASSWORD('[REDACTED]')"],
  // The old password too, known by the masked new one before it.
  mysqlReplace: [
    "ALTER USER bob IDENTIFIED BY 'my-probe-12' REPLACE 'my-probe-13'",
    "ALTER USER bob IDENTIFIED BY '[REDACTED]' REPLACE '[REDACTED]'",
  ],
  postgresDollar: [
    'CREATE ROLE app PASSWORD $$pg probe 14$$ LOGIN',
    'CREATE ROLE app PASSWORD $$[REDACTED]$$ LOGIN',
  ],
  postgresTaggedDollar: [
    'ALTER ROLE app PASSWORD $pw$pg-probe-15$pw$',
    'ALTER ROLE app PASSWORD $pw$[REDACTED]$pw$',
  ],
  // RE2 has no back-references: the Collector masks up to the value's last $tag$.
  postgresDollarInside: [
    'ALTER ROLE app PASSWORD $pw$pg$1$probe-16$pw$',
    'ALTER ROLE app PASSWORD $pw$[REDACTED]$pw$',
  ],
  // libpq's connection string: the whole quoted value goes, not only its first word.
  connectionString: ["password='pg probe 10' host=db", 'password=[REDACTED] host=db'],
  // No literal to mask: a parameter, a column whose name only contains the word, a user name.
  parameter: ['UPDATE users SET password = $1 WHERE id = $2', 'UPDATE users SET password = $1 WHERE id = $2'],
  column: [
    "SELECT password_hash FROM users WHERE email_verified AND name = 'bob'",
    "SELECT password_hash FROM users WHERE email_verified AND name = 'bob'",
  ],
  user: ["invalid password for user 'bob'", "invalid password for user 'bob'"],
} as const;
// Where a log body differs from the attribute: there the older "password = value" rule takes any
// value, a placeholder or the N of N'…' too, and the query-parameter rule only applies at a
// value's start, which "statement: " is not.
const SQL_LOG_BODIES: Partial<Record<keyof typeof SQL_PASSWORDS, string>> = {
  parameter: 'UPDATE users SET password = [REDACTED] WHERE id = $2',
  sqlServerUnicode: 'CREATE LOGIN bob WITH PASSWORD = [REDACTED]',
  connectionString: "password='[REDACTED]' host=db",
  mysqlOldPassword: 'SET PASSWORD = [REDACTED]',
};
const SQL_SECRETS = [
  'pg-probe-1',
  'pg probe 2',
  "it''s-probe-3",
  'my-probe-4',
  'my-probe-5',
  'ms-probe-6',
  'ms-probe-7',
  'my-probe-8',
  'my-probe-9',
  'my-probe-11',
  'my-probe-12',
  'my-probe-13',
  'pg probe 14',
  'pg-probe-15',
  'probe-16',
  'probe 10',
];

function expectNoSecret(where: string, serialized: string): void {
  for (const [kind, secret] of Object.entries(SECRETS)) {
    expect(serialized.includes(secret), `${kind} leaked into ${where}`).toBe(false);
  }
}

describe('PII redaction in the Collector', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('redacts emails, bearer tokens, URL query secrets and passwords in spans, logs and metrics', async () => {
    // A command line with a secret on it, as an SDK's process detector may send it.
    const app = serviceTelemetry(stack.endpoints.otlpHttp, 'pii-probe', {
      'process.command_args': ['node', 'cli.js', 'users', 'passwd', '--password', CLI_SECRET],
      'process.command_line': `node cli.js users passwd --password ${CLI_SECRET}`,
      'process.command': 'cli.js',
    });
    // An error status makes tail sampling keep the trace, so the Tempo sink must receive it.
    const span = app.span('POST /login', { attributes: ATTRIBUTES });
    span.setStatus({ code: SpanStatusCode.ERROR });
    // Error text in an exception event: a URL with a secret parameter, a connection string.
    span.addEvent('exception', {
      'exception.message': `GET https://api.example.com/cb?token=${SECRETS.queryToken} failed`,
      'exception.stacktrace': `Error: connect postgres://app:${SECRETS.password}@db:5432/app refused`,
    });
    // Mockoon CLI logs exactly this line at start: the name and the value are words apart.
    app.logger.emit({
      severityNumber: SeverityNumber.WARN,
      body: `Admin API token (auto-generated): ${SECRETS.adminToken}`,
    });
    app.logger.emit({
      severityNumber: SeverityNumber.INFO,
      body: `login for ${SECRETS.email} with password=${SECRETS.password} via /cb?token=${SECRETS.queryToken} Bearer ${SECRETS.bearer}`,
      attributes: ATTRIBUTES,
      context: under(span),
    });
    span.end();
    app.meter.createCounter('pii.probe.logins').add(1, ATTRIBUTES);
    await app.flush();

    const spans = await eventually('the span in the Tempo sink', async () => {
      const found = sinkSpans(stack.endpoints.sinkDir).filter((s) => s.name === 'POST /login');
      return found.length > 0 ? found : undefined;
    });
    expectNoSecret('traces', JSON.stringify(spans));
    const [received] = spans;
    // The URL keeps its shape: only the secret parameter is replaced.
    expect(received?.attributes['url.full']).toBe(
      `https://api.example.com/v1/items?token=${REDACTED}&page=2`,
    );
    expect(received?.attributes['url.query']).toBe(`password=${REDACTED}&api_key=${REDACTED}&page=2`);
    expect(received?.attributes['app.note']).toBe(
      `callback https://hooks.example.com/cb?api_key=${REDACTED}`,
    );
    expect(received?.attributes.password).not.toBe(SECRETS.password);
    expect(received?.events[0]?.attributes).toEqual({
      'exception.message': `GET https://api.example.com/cb?token=${REDACTED} failed`,
      'exception.stacktrace': `Error: connect postgres://${REDACTED}@db:5432/app refused`,
    });
    expect(received?.attributes['user.email']).toBeDefined();

    const logs = await eventually('both log records in the Loki sink', async () => {
      const found = sinkLogs(stack.endpoints.sinkDir).filter(
        (l) => l.resource['service.name'] === 'pii-probe',
      );
      return found.length >= 2 ? found : undefined;
    });
    expectNoSecret('logs', JSON.stringify(logs));
    const login = logs.find((l) => l.body.startsWith('login for'));
    expect(login?.traceId).toBe(span.spanContext().traceId);
    expect(logs.map((l) => l.body)).toContain('Admin API token (auto-generated): [REDACTED]');

    const series = await eventually('the counter in Prometheus', async () => {
      const found = await query(stack.endpoints.prometheus, 'pii_probe_logins_total');
      return found.length > 0 ? found : undefined;
    });
    expectNoSecret('metrics', JSON.stringify(series));
    // The command line is dropped from the resource, so from every signal and from target_info.
    for (const file of ['traces.jsonl', 'logs.jsonl']) {
      expect(readFileSync(join(stack.endpoints.sinkDir, file), 'utf8'), file).not.toContain(CLI_SECRET);
    }
    const [target] = await eventually('target_info of the probe in Prometheus', async () => {
      const found = await query(stack.endpoints.prometheus, 'target_info{job="pii-probe"}');
      return found.length > 0 ? found : undefined;
    });
    expect(target?.metric).toMatchObject({ process_command: 'cli.js' });
    expect(JSON.stringify(target?.metric)).not.toContain('command_args');
    expect(JSON.stringify(target?.metric)).not.toContain(CLI_SECRET);
    expect(series[0]?.metric.url_full).toBe(`https://api.example.com/v1/items?token=${REDACTED}&page=2`);
    await app.shutdown();
  });

  it('masks secrets in the RED metrics, which are computed from every span before tail sampling', async () => {
    const app = serviceTelemetry(stack.endpoints.otlpHttp, 'red-pii-probe');
    // A raw path as the route, as an SDK may send when no route matched.
    const route = `/users/${SECRETS.email}/reset?token=${SECRETS.queryToken}`;
    app
      .span('GET', {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': 'GET', 'http.route': route },
      })
      .end();
    // A connection string as the database name: service_graph names the callee after it.
    app
      .span('SELECT', {
        kind: SpanKind.CLIENT,
        attributes: {
          'db.system.name': 'postgresql',
          'db.name': `postgres://app:${SECRETS.password}@db:5432/app`,
        },
      })
      .end();
    await app.flush();

    const calls = await eventually('the span metrics of the probe in Prometheus', async () => {
      const found = await query(
        stack.endpoints.prometheus,
        `${SpanMetrics.calls}{${PipelineLabels.serviceName}="red-pii-probe", ${PipelineLabels.spanKind}="SPAN_KIND_SERVER"}`,
      );
      return found.length > 0 ? found : undefined;
    });
    expectNoSecret('span metrics', JSON.stringify(calls));
    expect(calls.map((s) => s.metric.http_route)).toEqual([`/users/****/reset?token=${REDACTED}`]);
    const edges = await eventually('the service graph edge of the probe in Prometheus', async () => {
      const found = await query(
        stack.endpoints.prometheus,
        `${ServiceGraphMetrics.requests}{${PipelineLabels.client}="red-pii-probe"}`,
      );
      return found.length > 0 ? found : undefined;
    });
    expectNoSecret('service graph metrics', JSON.stringify(edges));
    expect(edges.map((s) => s.metric[PipelineLabels.server])).toEqual([`postgres://${REDACTED}@db:5432/app`]);
    await app.shutdown();
  });

  it('keeps words that only resemble a secret, and still masks credentials in their usual forms', async () => {
    const app = serviceTelemetry(stack.endpoints.otlpHttp, 'lookalike-probe');
    const span = app.span('GET /settings', {
      attributes: {
        'exception.message': 'Basic settings missing',
        'app.startup': 'Loaded basic configuration for tenant',
        'app.auth': 'Bearer token expired',
        // Header-like names the key patterns do not know: the value alone gives the secret away.
        'http.request.header.x-forwarded-authorization': `basic ${BASIC_CREDENTIAL}`,
        'app.upstream.request': `Authorization: Basic ${BASIC_CREDENTIAL}`,
        'app.upstream.retry': `authorization: Bearer ${SECRETS.bearer}`,
        'app.deploy.step': `git clone https://example.com/repo.git with ${SHAPED_TOKEN}`,
      },
    });
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
    const named = app.span(`clone with ${NAMED_TOKEN}`);
    named.setStatus({ code: SpanStatusCode.ERROR, message: `auth failed for ${STATUS_TOKEN}` });
    named.end();
    for (const [index, body] of LOOKALIKES.entries()) {
      app.logger.emit({
        severityNumber: SeverityNumber.WARN,
        body,
        attributes: { 'probe.case': `lookalike-${index}` },
      });
    }
    for (const [name, [body]] of Object.entries(KEYED)) {
      app.logger.emit({ severityNumber: SeverityNumber.WARN, body, attributes: { 'probe.case': name } });
    }
    app.logger.emit({
      severityNumber: SeverityNumber.WARN,
      body: `upstream refused Authorization: Basic ${BASIC_CREDENTIAL}`,
      attributes: { 'probe.case': 'basicHeader' },
    });
    await app.flush();

    const [received] = await eventually('the lookalike span in the Tempo sink', async () => {
      const found = sinkSpans(stack.endpoints.sinkDir).filter((s) => s.name === 'GET /settings');
      return found.length > 0 ? found : undefined;
    });
    expect(received?.attributes).toMatchObject({
      'exception.message': 'Basic settings missing',
      'app.startup': 'Loaded basic configuration for tenant',
      'app.auth': 'Bearer token expired',
    });
    const serializedSpan = JSON.stringify(received);
    expect(serializedSpan).not.toContain(BASIC_CREDENTIAL);
    expect(serializedSpan).not.toContain(SECRETS.bearer);
    expect(received?.attributes['app.deploy.step']).toBe('git clone https://example.com/repo.git with ****');
    const masked = await eventually('the span named after a token in the Tempo sink', async () =>
      sinkSpans(stack.endpoints.sinkDir).find((s) => s.name.startsWith('clone with ')),
    );
    expect(masked.name).toBe('clone with ****');
    expect(masked.statusMessage).toBe('auth failed for ****');

    const expectedCount = LOOKALIKES.length + Object.keys(KEYED).length + 1;
    const logs = await eventually('every lookalike log record in the Loki sink', async () => {
      const found = sinkLogs(stack.endpoints.sinkDir).filter(
        (l) => l.resource['service.name'] === 'lookalike-probe',
      );
      return found.length >= expectedCount ? found : undefined;
    });
    const bodyOf = (name: string) => logs.find((l) => l.attributes['probe.case'] === name)?.body;
    for (const [index, body] of LOOKALIKES.entries()) {
      expect(bodyOf(`lookalike-${index}`)).toBe(body);
    }
    for (const [name, [, expected]] of Object.entries(KEYED)) {
      expect(bodyOf(name), name).toBe(expected);
    }
    expect(bodyOf('basicHeader')).toMatch(/^upstream refused (Authorization: )?\*{4}$/);
    const serializedLogs = JSON.stringify(logs);
    expect(serializedLogs).not.toContain(BASIC_CREDENTIAL);
    for (const secret of KEYED_SECRETS) expect(serializedLogs).not.toContain(secret);
    await app.shutdown();
  });

  it('masks passwords written into SQL statements, in span attributes, span events and log records', async () => {
    const app = serviceTelemetry(stack.endpoints.otlpHttp, 'sql-password-probe');
    const root = app.span('POST /roles');
    root.setStatus({ code: SpanStatusCode.ERROR });
    for (const [name, [statement]] of Object.entries(SQL_PASSWORDS)) {
      const query = app.span(
        `pg.query ${name}`,
        { attributes: { 'db.query.text': statement, 'app.sql': statement } },
        under(root),
      );
      // A driver's error repeats the statement, and the exception event carries it.
      query.addEvent('exception', { 'exception.message': statement });
      query.end();
      app.logger.emit({
        severityNumber: SeverityNumber.INFO,
        body: `statement: ${statement}`,
        attributes: { 'probe.case': name, 'db.query.text': statement },
      });
    }
    root.end();
    await app.flush();

    const count = Object.keys(SQL_PASSWORDS).length;
    const spans = await eventually('every SQL span in the Tempo sink', async () => {
      const found = sinkSpans(stack.endpoints.sinkDir).filter((s) => s.name.startsWith('pg.query '));
      return found.length >= count ? found : undefined;
    });
    const logs = await eventually('every SQL log record in the Loki sink', async () => {
      const found = sinkLogs(stack.endpoints.sinkDir).filter(
        (l) => l.resource['service.name'] === 'sql-password-probe',
      );
      return found.length >= count ? found : undefined;
    });
    for (const [name, [, expected]] of Object.entries(SQL_PASSWORDS)) {
      const span = spans.find((s) => s.name === `pg.query ${name}`);
      expect(span?.attributes['db.query.text'], name).toBe(expected);
      expect(span?.attributes['app.sql'], name).toBe(expected);
      expect(span?.events[0]?.attributes['exception.message'], name).toBe(expected);
      const log = logs.find((l) => l.attributes['probe.case'] === name);
      const body = SQL_LOG_BODIES[name as keyof typeof SQL_LOG_BODIES] ?? expected;
      expect(log?.body, name).toBe(`statement: ${body}`);
      expect(log?.attributes['db.query.text'], name).toBe(expected);
    }
    const serialized = JSON.stringify([spans, logs]);
    for (const secret of SQL_SECRETS) expect(serialized).not.toContain(secret);
    await app.shutdown();
  });
});

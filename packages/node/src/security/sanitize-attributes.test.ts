import { REDACTED } from '@otelkit/conventions';
import { describe, expect, it } from 'vitest';
import { isSecretKey, maskSecrets, redactDeep, sanitizeAttributes } from './sanitize-attributes.js';

describe('isSecretKey', () => {
  it.each([
    'pass',
    'pw',
    'user.pass',
    'accessKey',
    'access_key',
    'aws_access_key_id',
    'client_key',
    'passcode',
    'mfa_code',
    'session',
    'auth.header',
    'password',
    'user.password',
    'newPassword',
    'PASSWD',
    'db_pwd',
    'client_secret',
    'token',
    'access_token',
    'refreshToken',
    'apiKey',
    'x-api-key',
    'API_KEY',
    'authorization',
    'http.request.header.authorization',
    'http.request.header.cookie',
    'set-cookie',
    'session_id',
    'sessionId',
    'session.id',
    'PHPSESSID',
    'credit_card',
    'creditCardNumber',
    'card_number',
    'cvv',
    'private_key',
    'aws.credentials',
    'webhook.signature',
    'auth',
    'http.auth',
    'sid',
    'otp',
    'jwt',
  ])('treats %s as secret', (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  it.each([
    'user.id',
    'enduser.id',
    'client.address',
    'user_agent.original',
    'http.route',
    'author',
    'oauth.provider',
    'exception.type',
    'otelkit.security.outcome',
    'order.id',
    'spinner',
  ])('keeps %s', (key) => {
    expect(isSecretKey(key)).toBe(false);
  });
});

describe('maskSecrets', () => {
  it.each([
    ['Authorization: token ghp_0123456789abcdefghijABCDEFGHIJ012345', `Authorization: token ${REDACTED}`],
    ['stripe sk_live_51HxAbCdEfGhIjKlMn failed', `stripe ${REDACTED} failed`],
    ['slack xoxb-123456789012-abcdefABCDEF posted', `slack ${REDACTED} posted`],
    ['aws key AKIAIOSFODNN7EXAMPLE denied', `aws key ${REDACTED} denied`],
    ['maps key AIzaSyA0123456789abcdefghijklmnopqrstu- end', `maps key ${REDACTED} end`],
    ['maps key AIzaSyA0123456789abcdefghijklmnopqrstuv end', `maps key ${REDACTED} end`],
    ['k=AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe-prod', `k=${REDACTED}-prod`],
    ['config secret: "abc def" loaded', `config secret: "${REDACTED}" loaded`],
    ["passphrase='correct horse' rejected", `passphrase='${REDACTED}' rejected`],
    ['{"passcode":"12 34","user":"bob"}', `{"passcode":"${REDACTED}","user":"bob"}`],
    ['Authorization: Bearer abcDEF123456ghi', `Authorization: Bearer ${REDACTED}`],
    ['header was Basic dXNlcjpwYXNz', `header was Basic ${REDACTED}`],
    ['jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl here', `jwt ${REDACTED} here`],
    [
      'connect postgres://app:hunter2@db:5432/app failed',
      `connect postgres://${REDACTED}@db:5432/app failed`,
    ],
    ['GET /cb?code=1&access_token=abc123&state=x', `GET /cb?code=1&access_token=${REDACTED}&state=x`],
    ['sig=abc123&page=2', `sig=${REDACTED}&page=2`],
    ['login with password=hunter2, retry', `login with password=${REDACTED}, retry`],
    ['{"password":"hunter2","user":"bob"}', `{"password":"${REDACTED}","user":"bob"}`],
    [
      "query failed: CREATE ROLE app PASSWORD 'pg-pw' LOGIN",
      `query failed: CREATE ROLE app PASSWORD '${REDACTED}' LOGIN`,
    ],
    ["ALTER ROLE app PASSWORD 'it''s-pw'", `ALTER ROLE app PASSWORD '${REDACTED}'`],
    [
      'ALTER USER bob IDENTIFIED WITH caching_sha2_password BY "my-pw"',
      `ALTER USER bob IDENTIFIED WITH caching_sha2_password BY "${REDACTED}"`,
    ],
    ["CREATE LOGIN bob WITH PASSWORD='ms-pw'", `CREATE LOGIN bob WITH PASSWORD='${REDACTED}'`],
    ["CREATE LOGIN bob WITH PASSWORD = N'ms-pw'", `CREATE LOGIN bob WITH PASSWORD = N'${REDACTED}'`],
    [
      "ALTER USER bob IDENTIFIED WITH 'caching_sha2_password' BY 'my-pw'",
      `ALTER USER bob IDENTIFIED WITH 'caching_sha2_password' BY '${REDACTED}'`,
    ],
    ["SET PASSWORD FOR 'bob'@'%' = 'my-pw'", `SET PASSWORD FOR 'bob'@'%' = '${REDACTED}'`],
    ["ALTER USER bob IDENTIFIED BY 'it\\'s-pw'", `ALTER USER bob IDENTIFIED BY '${REDACTED}'`],
    ["password='two words' host=db", `password=${REDACTED} host=db`],
    ["SET PASSWORD = PASSWORD('old-style-pw')", `SET PASSWORD = PASSWORD('${REDACTED}')`],
    [
      "ALTER USER bob IDENTIFIED BY 'new-pw' REPLACE 'old-pw'",
      `ALTER USER bob IDENTIFIED BY '${REDACTED}' REPLACE '${REDACTED}'`,
    ],
    ['CREATE ROLE app PASSWORD $$dollar pw$$ LOGIN', `CREATE ROLE app PASSWORD $$${REDACTED}$$ LOGIN`],
    ['ALTER ROLE app PASSWORD $pw$tagged$pw$', `ALTER ROLE app PASSWORD $pw$${REDACTED}$pw$`],
    // Up to the closing tag that matches the opening one, not the first $…$ inside.
    ['ALTER ROLE app PASSWORD $pw$ab$1$cd$pw$', `ALTER ROLE app PASSWORD $pw$${REDACTED}$pw$`],
    ['card 4111 1111 1111 1111 declined', `card ${REDACTED} declined`],
    ['card 4111-1111-1111-1111 declined', `card ${REDACTED} declined`],
  ])('masks %s', (input, expected) => {
    expect(maskSecrets(input)).toBe(expected);
  });

  it.each([
    'Bearer token missing',
    'Basic authentication failed',
    'at 1715000000000 ms',
    'order 4111111111111112 not found',
    'user 5f0c1c2e-8d3a-4b7e-9a55-3f2a1b9c7d10 logged in from 203.0.113.9',
    'GET /search?q=passwords',
    "SELECT password_hash FROM users WHERE name = 'bob'",
    "could not replace 'config.json'",
    "SELECT hashPassword('not a secret')",
    "invalid password for user 'bob'",
    'mail admin@example.com or bob:hunter@example.com about it',
    'mailto:bob@example.com',
    'see https://example.com/users/bob@example.com for details',
    'see https://example.com:8443/users/bob@example.com for details',
    'clone https://bob@example.com/repo.git, then mail ops@example.com',
    // Not base32, so no AWS key id.
    'GET /regions/ASIAPACIFICREGION123',
  ])('leaves %s alone', (input) => {
    expect(maskSecrets(input)).toBe(input);
  });

  it.each([
    [
      'connect ECONNREFUSED redis://:s3cretPass@redis:6379',
      `connect ECONNREFUSED redis://${REDACTED}@redis:6379`,
      's3cretPass',
    ],
    // Half-masked, this used to come out as `postgres://[REDACTED]@ss@db`.
    ['postgres://app:p@ss@db', `postgres://${REDACTED}@db`, '@ss'],
    [
      'connect postgres://app:p@ss@w0rd@db:5432/app failed',
      `connect postgres://${REDACTED}@db:5432/app failed`,
      'w0rd',
    ],
    [
      'primary redis://:first1@r1:6379, replica redis://:second2@r2:6379 down',
      `primary redis://${REDACTED}@r1:6379, replica redis://${REDACTED}@r2:6379 down`,
      'second2',
    ],
  ])('masks URL credentials with an empty user or an @ in the password: %s', (input, expected, secret) => {
    const masked = maskSecrets(input);
    expect(masked).not.toContain(secret);
    expect(masked).toBe(expected);
  });
});

describe('sanitizeAttributes', () => {
  it('redacts secret keys, masks secret values, keeps the rest and drops invalid values', () => {
    const input = {
      password: 'hunter2',
      'http.request.header.authorization': 'Bearer abcDEF123456ghi',
      cookies: ['a=1', 'b=2'],
      note: 'called with token=s3cr3tv4lue',
      'user.id': 'u-42',
      'client.address': '203.0.113.9',
      attempts: 3,
      locked: false,
      roles: ['admin', 'billing'],
      ports: [80, null, 443],
      // Mixed arrays are not attribute values: the SDK would drop them with a warning.
      mixed: ['a', 1] as unknown as string[],
      card: 4111111111111111,
      missing: undefined,
      empty: null,
      nested: { not: 'allowed' } as unknown as string,
      fn: (() => 1) as unknown as string,
      nan: Number.NaN,
    };
    expect(sanitizeAttributes(input)).toEqual({
      password: REDACTED,
      'http.request.header.authorization': REDACTED,
      cookies: REDACTED,
      note: `called with token=${REDACTED}`,
      'user.id': 'u-42',
      'client.address': '203.0.113.9',
      attempts: 3,
      locked: false,
      roles: ['admin', 'billing'],
      ports: [80, null, 443],
      card: REDACTED,
    });
  });

  it('does not modify its input and never throws', () => {
    const input = { password: 'hunter2' };
    sanitizeAttributes(input);
    expect(input.password).toBe('hunter2');
    expect(sanitizeAttributes(undefined)).toEqual({});
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no');
        },
      },
    );
    expect(sanitizeAttributes(hostile)).toEqual({});
  });
});

describe('redactDeep', () => {
  it('redacts secret keys at every level and cuts deep nesting', () => {
    expect(
      redactDeep({
        user: { name: 'bob', password: 'x' },
        headers: [{ authorization: 'y' }],
        a: { b: { c: { d: 1 } } },
      }),
    ).toEqual({
      user: { name: 'bob', password: REDACTED },
      headers: [{ authorization: REDACTED }],
      a: { b: { c: '[Object]' } },
    });
  });
});

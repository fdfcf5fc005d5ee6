// Accounts service: the shop's login flow, a plain node:http server that uses the @otelkit/node
// API on purpose, where automatic instrumentation cannot know what happened:
//   - withHealth() serves /health/live, /health/ready (the uptime probe) and /health;
//   - securityEvent() records every login, and every refused admin access, for the security
//     dashboard and the FailedLoginBurst alert;
//   - recordError() records an error the service catches and answers itself.
// Like the other examples it is run with
//   node --import @otelkit/node/register accounts-api/server.mjs
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { recordError, registerCheck, securityEvent, withHealth } from '@otelkit/node';

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 3002);

// Demo users. Carol has no address on file, which the profile page does not expect: a bug on
// purpose, so the errors dashboard has a real TypeError with a real stack to show.
const USERS = new Map([
  ['alice', { password: 'correct-horse', name: 'Alice', admin: true, address: { city: 'Lyon' } }],
  ['bob', { password: 'battery-staple', name: 'Bob', admin: false, address: { city: 'Porto' } }],
  ['carol', { password: 'tr0ub4dor', name: 'Carol', admin: false }],
]);
// Bearer token -> user name, bounded so that a login loop cannot grow memory without limit.
const sessions = new Map();
const MAX_SESSIONS = 1000;

// Readiness depends on the user store; /health/ready answers 503 while it is empty.
registerCheck('user-store', () =>
  USERS.size > 0 ? { status: 'healthy' } : { status: 'unhealthy', detail: 'no users loaded' },
);

/** Sends a JSON response. */
function send(response, status, body) {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Reads a small JSON body; undefined when it is not JSON. */
async function jsonBody(request) {
  let text = '';
  for await (const chunk of request) {
    text += chunk;
    if (text.length > 10_000) return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Who is calling, from the request, for security events. */
function client(request) {
  return { ip: request.socket.remoteAddress, userAgent: request.headers['user-agent'] };
}

/** The user behind the request's bearer token, if any. */
function userOf(request) {
  const token = /^Bearer (\w+)$/.exec(request.headers.authorization ?? '')?.[1];
  const name = token ? sessions.get(token) : undefined;
  return name ? { name, ...USERS.get(name) } : undefined;
}

async function login(request, response) {
  const body = await jsonBody(request);
  const username = typeof body?.username === 'string' ? body.username.slice(0, 64) : '';
  const user = USERS.get(username);
  const ok = user !== undefined && body?.password === user.password;
  securityEvent({
    type: 'authentication',
    outcome: ok ? 'success' : 'failure',
    action: 'login',
    userId: username || 'anonymous',
    ...(ok ? {} : { reason: user ? 'bad_password' : 'unknown_user' }),
    ...client(request),
  });
  if (!ok) {
    send(response, 401, { error: 'invalid username or password' });
    return;
  }
  const token = randomBytes(16).toString('hex');
  if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value);
  sessions.set(token, username);
  send(response, 200, { token });
}

function profile(request, response) {
  const user = userOf(request);
  if (!user) {
    send(response, 401, { error: 'log in first' });
    return;
  }
  try {
    send(response, 200, { name: user.name, city: user.address.city });
  } catch (error) {
    // Caught and answered here, so nothing would report it: record it explicitly.
    recordError(error, { 'user.id': user.name, 'app.page': 'profile' });
    send(response, 500, { error: 'could not render the profile' });
  }
}

function adminUsers(request, response) {
  const user = userOf(request);
  if (!user?.admin) {
    securityEvent({
      type: 'authorization',
      outcome: 'denied',
      action: 'users.list',
      resource: '/admin/users',
      reason: user ? 'missing_role:admin' : 'not_logged_in',
      userId: user?.name ?? 'anonymous',
      ...client(request),
    });
    send(response, 403, { error: 'admins only' });
    return;
  }
  send(response, 200, { users: [...USERS.keys()] });
}

const server = createServer(
  withHealth((request, response) => {
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    const route = `${request.method} ${pathname}`;
    if (route === 'POST /login') {
      login(request, response).catch((error) => {
        recordError(error);
        send(response, 500, { error: 'login failed' });
      });
    } else if (route === 'GET /profile') profile(request, response);
    else if (route === 'GET /admin/users') adminUsers(request, response);
    else if (route === 'GET /')
      send(response, 200, {
        service: 'accounts-api',
        routes: ['POST /login', 'GET /profile', 'GET /admin/users'],
      });
    else send(response, 404, { error: 'not found' });
  }),
);
server.listen(port, host, () => console.log(`accounts-api listening on ${host}:${port}`));

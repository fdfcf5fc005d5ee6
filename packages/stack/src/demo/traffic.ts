import { SIMULATED_WEB_APP, SimulatedBrowser } from './web-sessions.js';

/** Where the demo's services are and how fast to drive them. */
export interface DemoTrafficOptions {
  /** Base URL of orders-api, e.g. `http://127.0.0.1:3000`. */
  ordersUrl: string;
  /** Base URL of accounts-api. */
  accountsUrl: string;
  /** Base URL of inventory-api. */
  inventoryUrl: string;
  /** Collector OTLP/HTTP base URL, for the simulated browser sessions. */
  otlpHttp: string;
  /** Milliseconds between rounds (one round is every journey below once). Default 1000. */
  intervalMs?: number;
  /**
   * The credential-stuffing wave: `attempts` failed logins with unknown user names, the first
   * `firstAfterMs` after the start (once the login counters exist in Prometheus), then every
   * `everyMs`. Default 40 attempts after 60 s, then every 10 minutes.
   */
  credentialStuffing?: {
    /** Delay of the first wave after the start, ms. */
    firstAfterMs: number;
    /** Time between waves, ms. */
    everyMs: number;
    /** Failed logins per wave. */
    attempts: number;
  };
  /** Progress lines (a summary a minute, and each wave); silent by default. */
  log?: (line: string) => void;
}

/** Running demo traffic. */
export interface DemoTraffic {
  /** Plays one more round now, and resolves when its requests are answered. */
  round(): Promise<void>;
  /** Stops the rounds, waits for those in flight and flushes the simulated browser. */
  stop(): Promise<void>;
}

/** Answers by class, for the log. */
interface Tally {
  requests: number;
  byClass: Record<string, number>;
  sessions: number;
  jsErrors: number;
}

const ALICE = { username: 'alice', password: 'correct-horse', admin: true } as const;
const BOB = { username: 'bob', password: 'battery-staple', admin: false } as const;
const CAROL = { username: 'carol', password: 'tr0ub4dor', admin: false } as const;
// Who logs in, in turn. Carol (whose profile page crashes) is one login in ten: enough for
// ErrorFingerprintSpike (over 10 in 10 minutes), too few for a 5% error ratio on accounts-api.
const LOGINS = [CAROL, ALICE, BOB, ALICE, BOB, ALICE, BOB, ALICE, BOB, ALICE] as const;
const STUFFING_NAMES = ['admin', 'root', 'test', 'guest', 'info', 'support', 'user', 'oracle'];
const ITEMS = ['1001', '1002', '1003', '1004'] as const;
const PER_ROUND_STUFFING = 4;

/**
 * The demo's one traffic source, for `otelkit up --demo`, docker compose and the tests: real HTTP
 * requests to the example services in a realistic mix, plus simulated browser sessions (see
 * {@link SimulatedBrowser}). Every round:
 *
 * - a shopper looks an order up (item 1004 is the slow path: a remote warehouse, cached 30 s),
 *   places one (every tenth is invalid: 400) and checks it out; the payment provider of
 *   orders-api fails a fifth of checkouts with 504 on purpose;
 * - every third round a warehouse tool reads inventory-api directly, every fifteenth a path it
 *   does not have (404);
 * - every fourth round a user logs in to accounts-api (every sixth attempt mistypes the password
 *   first: about 12 failures in 5 minutes at the default pace, under FailedLoginBurst's 20), then
 *   opens the profile (Carol's crashes: a recorded TypeError), and now and then the admin page
 *   (Bob is denied);
 * - a credential-stuffing wave of failed logins, a minute after the start and every 10 minutes;
 * - one simulated browser session.
 *
 * At the default pace the alerts this raises on purpose (prometheus/rules) are: FailedLoginBurst
 * on accounts-api, firing within 2 minutes and for 5 minutes after each wave; HighServerErrorRatio
 * on orders-api `/api/checkout`, pending within a minute, firing after its `for: 5m`;
 * AvailabilityBudgetFastBurn (critical) and SlowBurn for orders-api; ErrorFingerprintSpike for
 * Carol's TypeError while it is new; HighP99Latency on inventory-api (the remote warehouse); and
 * PoorCoreWebVitals for the checkout page's LCP once its 15 minutes have passed.
 */
export function startDemoTraffic(options: DemoTrafficOptions): DemoTraffic {
  const intervalMs = options.intervalMs ?? 1000;
  const stuffing = options.credentialStuffing ?? { firstAfterMs: 60_000, everyMs: 600_000, attempts: 40 };
  const log = options.log ?? (() => {});
  const browser = new SimulatedBrowser({ otlpHttp: options.otlpHttp, ordersUrl: options.ordersUrl });
  const started = Date.now();
  const tally: Tally = { requests: 0, byClass: {}, sessions: 0, jsErrors: 0 };
  let rounds = 0;
  let logins = 0;
  let wavesStarted = 0;
  let stuffingLeft = 0;
  const inFlight = new Set<Promise<void>>();

  /** One request; never throws (a service that is still starting is a failed request, counted). */
  const call = async (url: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> => {
    tally.requests++;
    try {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
      const text = await response.text();
      const key = `${Math.floor(response.status / 100)}xx`;
      tally.byClass[key] = (tally.byClass[key] ?? 0) + 1;
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      return { status: response.status, body };
    } catch {
      tally.byClass.unreachable = (tally.byClass.unreachable ?? 0) + 1;
      return { status: 0, body: undefined };
    }
  };
  const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    call(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  const shopper = async (n: number) => {
    const o = options.ordersUrl;
    await call(`${o}/api/orders/${ITEMS[n % ITEMS.length]}`);
    const invalid = n % 10 === 9;
    const placed = await postJson(`${o}/api/orders`, {
      item: `item-${ITEMS[n % 3]}`,
      quantity: invalid ? 0 : 1 + (n % 3),
    });
    const id = (placed.body as { id?: unknown } | undefined)?.id;
    if (placed.status === 201 && typeof id === 'string') await postJson(`${o}/api/checkout`, { orderId: id });
  };

  const warehouseTool = async (n: number) => {
    if (n % 3 === 0) await call(`${options.inventoryUrl}/stock/${ITEMS[n % 3]}`);
    if (n % 15 === 0) await call(`${options.inventoryUrl}/stock`);
  };

  const login = async (n: number) => {
    const a = options.accountsUrl;
    if (n % 4 === 0) {
      const user = LOGINS[logins % LOGINS.length] ?? ALICE;
      if (logins++ % 6 === 5)
        await postJson(`${a}/login`, { username: user.username, password: `${user.password}!` });
      const session = await postJson(`${a}/login`, { username: user.username, password: user.password });
      const token = (session.body as { token?: unknown } | undefined)?.token;
      if (typeof token === 'string') {
        const auth = { authorization: `Bearer ${token}` };
        await call(`${a}/profile`, { headers: auth });
        if (n % 20 === 0 || (n % 20 === 8 && user.admin)) await call(`${a}/admin/users`, { headers: auth });
      }
    }
    const due = stuffing.firstAfterMs + wavesStarted * stuffing.everyMs;
    if (Date.now() - started >= due) {
      wavesStarted++;
      stuffingLeft = stuffing.attempts;
      log(
        `demo: credential-stuffing wave ${wavesStarted}: ${stuffing.attempts} failed logins on accounts-api (FailedLoginBurst fires on purpose)`,
      );
    }
    const burst = Math.min(stuffingLeft, PER_ROUND_STUFFING);
    stuffingLeft -= burst;
    await Promise.all(
      Array.from({ length: burst }, (_, i) =>
        postJson(`${a}/login`, {
          username: STUFFING_NAMES[(n + i) % STUFFING_NAMES.length],
          password: 'Summer2024!',
        }),
      ),
    );
  };

  const session = async (n: number) => {
    const outcome = await browser.session(n);
    tally.sessions++;
    if (outcome.jsError) tally.jsErrors++;
  };

  const round = () => {
    const n = rounds++;
    const done = Promise.allSettled([shopper(n), warehouseTool(n), login(n), session(n)]).then(() => {
      inFlight.delete(done);
    });
    inFlight.add(done);
    return done;
  };

  log(
    `demo: sending a round of traffic every ${intervalMs} ms to orders-api ${options.ordersUrl}, accounts-api ${options.accountsUrl}, inventory-api ${options.inventoryUrl}; browser telemetry of ${SIMULATED_WEB_APP} is SIMULATED (no browser runs here)`,
  );
  const timer = setInterval(() => {
    // A slow round (the remote warehouse) overlaps the next; a stuck service must not pile them up.
    if (inFlight.size < 10) void round();
  }, intervalMs);
  const summary = setInterval(() => {
    const classes = Object.entries(tally.byClass)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    log(
      `demo: ${rounds} rounds, ${tally.requests} requests (${classes}), ${tally.sessions} simulated browser sessions (${tally.jsErrors} with a JS error)`,
    );
  }, 60_000);
  summary.unref();

  return {
    round,
    stop: async () => {
      clearInterval(timer);
      clearInterval(summary);
      await Promise.allSettled([...inFlight]);
      await browser.shutdown();
    },
  };
}

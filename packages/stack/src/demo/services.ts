/**
 * The example services the demo runs, as docker-compose.yml names them: the compose service
 * name is the `OTEL_SERVICE_NAME`, `port` is the port it listens on there (and natively unless
 * taken), `entry` the file run with `node --import @otelkit/node/register`, and `probe` the path
 * the blackbox exporter checks for uptime, if it is probed.
 */
export const DEMO_SERVICES = {
  /** Stock lookups on plain `node:http`, with one slow path (a remote warehouse). Not probed. */
  'inventory-api': {
    /** Entry file. */
    entry: 'examples/inventory-api/server.mjs',
    /** Listening port. */
    port: 3001,
  },
  /** Orders on Express 5 with Redis, calling inventory-api; serves the example web page. */
  'orders-api': {
    /** Entry file. */
    entry: 'examples/orders-api/server.mjs',
    /** Listening port. */
    port: 3000,
    /** Uptime probe: the web page. */
    probe: '/',
  },
  /** The login flow on `node:http`, using @otelkit/node's health, security-event and error API. */
  'accounts-api': {
    /** Entry file. */
    entry: 'examples/accounts-api/server.mjs',
    /** Listening port. */
    port: 3002,
    /** Uptime probe: its readiness endpoint. */
    probe: '/health/ready',
  },
} as const satisfies Record<string, { entry: string; port: number; probe?: string }>;

/** One of the demo's example services. */
export type DemoServiceName = keyof typeof DEMO_SERVICES;

/** The demo's services in start order: orders-api calls inventory-api, so inventory starts first. */
export const DEMO_SERVICE_NAMES = Object.keys(DEMO_SERVICES) as DemoServiceName[];

/** Ports of the demo's services on 127.0.0.1, and of the Redis orders-api caches in. */
export type DemoPorts = Record<DemoServiceName | 'redis', number>;

import { type DemoTraffic, SIMULATED_WEB_APP, type Stack, startDemoTraffic } from '@otelkit/stack';
import { type ExampleServices, type RunningService, startExampleServices, startService } from './services.js';

/** The browser service the traffic's (simulated) web telemetry comes from. */
export const WEB_APP = SIMULATED_WEB_APP;

/** Every kind of traffic the dashboards and rules read, flowing until {@link ExampleTraffic.stop}. */
export interface ExampleTraffic {
  examples: ExampleServices;
  orders: RunningService;
  accounts: RunningService;
  /** Sends one more round of everything. */
  send(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the example services (orders under `ordersName`, accounts-api, inventory-api, Redis) and
 * the demo's traffic generator against them, one round now and then one every 2 s so rates over
 * the last minutes stay above zero: the same mix `otelkit up --demo` and docker compose send
 * (orders, checkouts that fail, slow lookups, logins with failures, recorded errors, simulated
 * browser sessions with vitals of every rating, page views and JS errors).
 */
export async function startExampleTraffic(
  stack: Stack,
  logDir: string,
  ordersName: string,
): Promise<ExampleTraffic> {
  const examples = await startExampleServices(stack, logDir, [
    { name: ordersName, entry: 'examples/orders-api/server.mjs' },
  ]);
  const [orders] = examples.orders as [RunningService];
  let accounts: RunningService;
  try {
    accounts = await startService(
      stack,
      { name: 'accounts-api', entry: 'examples/accounts-api/server.mjs' },
      logDir,
    );
  } catch (error) {
    await examples.stop();
    throw error;
  }
  const traffic: DemoTraffic = startDemoTraffic({
    ordersUrl: orders.url,
    accountsUrl: accounts.url,
    inventoryUrl: examples.inventory.url,
    otlpHttp: stack.endpoints.otlpHttp,
    intervalMs: 2000,
  });
  await traffic.round();
  return {
    examples,
    orders,
    accounts,
    send: () => traffic.round(),
    stop: async () => {
      await traffic.stop();
      await accounts.process.stop();
      await examples.stop();
    },
  };
}

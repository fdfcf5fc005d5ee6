#!/usr/bin/env node
import { startDemoTraffic } from './demo/traffic.js';

// The demo's traffic generator as a process: `otelkit up --demo` starts it in the background and
// docker-compose.yml runs it as the `demo-traffic` service, both configured by these variables.
const env = process.env;
const say = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
const intervalMs = Number(env.DEMO_INTERVAL_MS ?? 1000);
if (!Number.isFinite(intervalMs) || intervalMs < 50) {
  say(`demo: DEMO_INTERVAL_MS=${env.DEMO_INTERVAL_MS} is not a number of milliseconds >= 50`);
  process.exit(2);
}
const traffic = startDemoTraffic({
  ordersUrl: env.ORDERS_URL ?? 'http://127.0.0.1:3000',
  accountsUrl: env.ACCOUNTS_URL ?? 'http://127.0.0.1:3002',
  inventoryUrl: env.INVENTORY_URL ?? 'http://127.0.0.1:3001',
  otlpHttp: env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318',
  intervalMs,
  log: say,
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    traffic.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

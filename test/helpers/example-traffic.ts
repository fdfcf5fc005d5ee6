import { join } from 'node:path';
import { SpanStatusCode } from '@opentelemetry/api';
import { WEB_VITALS_SCOPE, WebVitalAttributes, WebVitalNames } from '@otelkit/conventions';
import type { Stack } from '@otelkit/stack';
import { type ExampleServices, type RunningService, startExampleServices, startService } from './services.js';
import { type ServiceTelemetry, serviceTelemetry } from './telemetry.js';

/** The browser service the traffic's web telemetry comes from. */
export const WEB_APP = 'shop-web';
/** Pages the web telemetry reports vitals, page views and errors for. */
export const PAGES = ['/checkout', '/'] as const;

/** Every kind of traffic the dashboards and rules read, flowing until {@link ExampleTraffic.stop}. */
export interface ExampleTraffic {
  examples: ExampleServices;
  orders: RunningService;
  secure: RunningService;
  /** Sends one more round of everything. */
  send(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the example services (orders under `ordersName`), test/fixtures/secure-app.mjs and a
 * simulated browser, sends one round of traffic, then one every 2 s so rates over the last
 * minutes stay above zero: successful and failing orders, inventory calls, failed and successful
 * logins, recorded errors, and what @otelkit/web sends (vitals of every rating, a page view and a
 * JS error per page).
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
  const secure = await startService(
    stack,
    { name: 'secure-app', entry: 'test/fixtures/secure-app.mjs', cwd: join(import.meta.dirname, '..') },
    logDir,
  );
  const browser = serviceTelemetry(stack.endpoints.otlpHttp, WEB_APP);

  const sendWebTelemetry = async (web: ServiceTelemetry) => {
    const vitals = web.tracerFor(WEB_VITALS_SCOPE);
    const now = Date.now();
    for (const page of PAGES) {
      for (const vital of WebVitalNames) {
        for (const [value, rating] of [
          [vital === 'CLS' ? 50 : 150, 'good'],
          [vital === 'CLS' ? 180 : 900, 'needs-improvement'],
          [vital === 'CLS' ? 400 : 5000, 'poor'],
        ] as const) {
          vitals
            .startSpan(vital, {
              startTime: now,
              attributes: {
                [WebVitalAttributes.name]: vital,
                [WebVitalAttributes.value]: vital === 'CLS' ? value / 1000 : value,
                [WebVitalAttributes.rating]: rating,
                [WebVitalAttributes.page]: page,
              },
            })
            .end(now + value);
        }
      }
      web
        .span('page view', { attributes: { [WebVitalAttributes.page]: page, 'session.id': 'a'.repeat(32) } })
        .end();
      const error = web.span('exception', {
        attributes: {
          'exception.type': 'TypeError',
          'exception.message': 'x is undefined',
          'exception.fingerprint': '0123456789abcdef',
          'otelkit.error.origin': 'uncaught_exception',
          [WebVitalAttributes.page]: page,
        },
      });
      error.setStatus({ code: SpanStatusCode.ERROR, message: 'x is undefined' });
      error.end();
    }
    await web.flush();
  };

  const send = async () => {
    const requests = [
      fetch(`${orders.url}/api/orders/1001`),
      fetch(`${orders.url}/api/orders/1002`),
      fetch(`${orders.url}/api/checkout-fails`),
      fetch(`${examples.inventory.url}/`),
      fetch(`${secure.url}/login?user=x&password=wrong`),
      fetch(`${secure.url}/login?user=x&password=correct-horse`),
      fetch(`${secure.url}/boom`),
      fetch(`${secure.url}/`),
    ];
    for (const settled of await Promise.allSettled(requests)) {
      if (settled.status === 'fulfilled') await settled.value.arrayBuffer();
    }
    await sendWebTelemetry(browser);
  };

  await send();
  const timer = setInterval(() => {
    send().catch(() => undefined);
  }, 2000);
  return {
    examples,
    orders,
    secure,
    send,
    stop: async () => {
      clearInterval(timer);
      await browser.shutdown();
      await secure.process.stop();
      await examples.stop();
    },
  };
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanMetrics, WebVitalsMetrics } from '@otelkit/conventions';
import {
  type DemoServices,
  type DemoTraffic,
  pickDemoPorts,
  SIMULATED_WEB_APP,
  type Stack,
  startDemoServices,
  startDemoTraffic,
} from '@otelkit/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './helpers/poll.js';
import { activeAlerts, query } from './helpers/prometheus.js';
import { startTestStack } from './helpers/stack.js';

const logDir = mkdtempSync(join(tmpdir(), 'otelkit-demo-'));

describe('the demo (otelkit up --demo, docker compose) on the real native stack', () => {
  let stack: Stack;
  let services: DemoServices;
  let traffic: DemoTraffic;

  beforeAll(async () => {
    const ports = await pickDemoPorts('auto');
    stack = await startTestStack({ demoPorts: ports });
    // The demo's own settings (metrics every 10 s, a round a second, the first credential-stuffing
    // wave after a minute): what a user watching it gets.
    services = await startDemoServices({
      otlpHttp: stack.endpoints.otlpHttp,
      ports,
      logDir,
      dataDir: join(logDir, 'redis'),
    });
    traffic = startDemoTraffic({
      ordersUrl: services.urls['orders-api'],
      accountsUrl: services.urls['accounts-api'],
      inventoryUrl: services.urls['inventory-api'],
      otlpHttp: stack.endpoints.otlpHttp,
      log: (line) => console.log(line),
    });
  });

  afterAll(async () => {
    await traffic?.stop();
    await services?.stop();
    await stack?.stop();
    rmSync(logDir, { recursive: true, force: true });
  });

  it('RED metrics of orders-api, accounts-api and inventory-api, and the simulated browser', async () => {
    const rates = await eventually(
      'server request rates of every demo service',
      async () => {
        const samples = await query(
          stack.endpoints.prometheus,
          `sum by (service_name) (rate(${SpanMetrics.calls}{span_kind="SPAN_KIND_SERVER"}[1m]))`,
        );
        const byService = Object.fromEntries(samples.map((s) => [s.metric.service_name, s.value]));
        return ['orders-api', 'accounts-api', 'inventory-api'].every((s) => (byService[s] ?? 0) > 0)
          ? byService
          : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 2000 },
    );
    console.log(`server requests/s by service: ${JSON.stringify(rates)}`);
    // Failures are part of the mix: checkouts fail with 504, Carol's profile with 500.
    const errors = await eventually('5xx on orders-api and accounts-api', async () => {
      const samples = await query(
        stack.endpoints.prometheus,
        `sum by (service_name, http_response_status_code) (${SpanMetrics.calls}{span_kind="SPAN_KIND_SERVER", http_response_status_code=~"5.."})`,
      );
      const codes = samples.map((s) => `${s.metric.service_name} ${s.metric.http_response_status_code}`);
      return codes.includes('orders-api 504') && codes.includes('accounts-api 500') ? codes : undefined;
    });
    expect(errors).toEqual(expect.arrayContaining(['orders-api 504', 'accounts-api 500']));
    // Slow path: item 1004's remote warehouse takes over two seconds (HighP99Latency's threshold).
    const slow = await eventually(
      'inventory-api requests over 2 s',
      async () => {
        const [over] = await query(
          stack.endpoints.prometheus,
          `sum(${SpanMetrics.durationCount}{service_name="inventory-api", span_kind="SPAN_KIND_SERVER"}) - sum(${SpanMetrics.durationBucket}{service_name="inventory-api", span_kind="SPAN_KIND_SERVER", le="2"})`,
        );
        return over && over.value > 0 ? over.value : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 2000 },
    );
    expect(slow).toBeGreaterThan(0);
    const ratings = await eventually('simulated web vitals of every rating', async () => {
      const samples = await query(
        stack.endpoints.prometheus,
        `sum by (${WebVitalsMetrics.ratingLabel}) (${WebVitalsMetrics.count}{service_name="${SIMULATED_WEB_APP}"})`,
      );
      return samples.length === 3 ? samples.map((s) => s.metric[WebVitalsMetrics.ratingLabel]) : undefined;
    });
    expect(ratings.sort()).toEqual(['good', 'needs-improvement', 'poor']);
  });

  it('the blackbox exporter finds orders-api and accounts-api up', async () => {
    const probes = await eventually(
      'probe_success of the demo services',
      async () => {
        const samples = await query(stack.endpoints.prometheus, 'probe_success{job="blackbox-http"}');
        const byService = Object.fromEntries(samples.map((s) => [s.metric.service, s]));
        return byService['orders-api'] && byService['accounts-api'] ? byService : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 2000 },
    );
    expect(probes['orders-api']?.value).toBe(1);
    expect(probes['accounts-api']?.value).toBe(1);
    expect(probes['orders-api']?.metric.instance).toBe(`${services.urls['orders-api']}/`);
    expect(probes['accounts-api']?.metric.instance).toBe(`${services.urls['accounts-api']}/health/ready`);
  });

  it('puts alerts in pending or firing on purpose: checkout errors and a credential-stuffing wave', {
    timeout: 240_000,
  }, async () => {
    // HighServerErrorRatio (for: 5m) goes pending once a minute of checkouts failed; the first
    // credential-stuffing wave starts after 60 s and FailedLoginBurst (no for:) fires on it.
    const alerts = await eventually(
      'HighServerErrorRatio on /api/checkout and FailedLoginBurst on accounts-api',
      async () => {
        const active = await activeAlerts(stack.endpoints.prometheus);
        const checkout = active.find(
          (a) =>
            a.labels.alertname === 'HighServerErrorRatio' &&
            a.labels.service_name === 'orders-api' &&
            a.labels.http_route === '/api/checkout',
        );
        const logins = active.find(
          (a) => a.labels.alertname === 'FailedLoginBurst' && a.labels.job === 'accounts-api',
        );
        return checkout && logins?.state === 'firing' ? active : undefined;
      },
      { timeoutMs: 200_000, intervalMs: 3000 },
    );
    const summary = alerts.map((a) => `${a.labels.alertname} ${a.state} ${a.labels.service ?? ''}`);
    console.log(`active alerts: ${summary.join('; ')}`);
    expect(alerts.filter((a) => a.labels.alertname !== 'Watchdog').length).toBeGreaterThanOrEqual(2);
    // The demo services are up: their uptime probes do not page.
    expect(alerts.filter((a) => a.labels.alertname === 'EndpointDown')).toEqual([]);
  });
});

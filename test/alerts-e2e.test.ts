import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { freePort, type Stack, webhookVariable } from '@otelkit/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './helpers/poll.js';
import { query } from './helpers/prometheus.js';
import { startTestStack } from './helpers/stack.js';
import { serviceTelemetry } from './helpers/telemetry.js';

/** What Alertmanager's webhook integration POSTs. */
interface WebhookPayload {
  receiver: string;
  status: string;
  alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[];
}

describe('alerting end to end: Prometheus rules → Alertmanager → webhook receiver', () => {
  let stack: Stack;
  let webhook: Server;
  const received: (WebhookPayload & { path: string })[] = [];

  beforeAll(async () => {
    webhook = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      request.on('end', () => {
        received.push({ ...(JSON.parse(body) as WebhookPayload), path: request.url ?? '' });
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    const { port } = webhook.address() as AddressInfo;
    // Receivers' URLs come from OTELKIT_ALERT_WEBHOOK_<RECEIVER>_URL, as in a real deployment.
    const base = `http://127.0.0.1:${port}`;
    stack = await startTestStack({
      alertWebhooks: Object.fromEntries(
        ['page', 'ticket', 'deadmansswitch'].map((receiver) => [
          webhookVariable(receiver),
          `${base}/${receiver}`,
        ]),
      ),
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await new Promise<void>((resolve) => (webhook ? webhook.close(() => resolve()) : resolve()));
  });

  it('the Watchdog reaches the dead-man’s switch webhook with its labels and expanded annotations', async () => {
    const delivery = await eventually(
      'a Watchdog notification at the deadmansswitch webhook',
      async () =>
        received.find((payload) => payload.alerts.some((alert) => alert.labels.alertname === 'Watchdog')),
      { timeoutMs: 90_000 },
    );
    expect(delivery.path).toBe('/deadmansswitch');
    expect(delivery.receiver).toBe('deadmansswitch');
    const watchdog = delivery.alerts.find((alert) => alert.labels.alertname === 'Watchdog');
    expect(watchdog?.status).toBe('firing');
    expect(watchdog?.labels).toMatchObject({ severity: 'info', service: 'otelkit-alerting' });
    expect(watchdog?.annotations).toMatchObject({
      summary: 'Alerting pipeline is alive',
      runbook_url: 'https://github.com/otelkit/otelkit/blob/main/docs/runbooks.md#watchdog',
      dashboard_url: 'http://localhost:3300/d/otelkit-uptime-slo',
    });
    // Expanded by Prometheus: the template's {{ $value }} became the sample value.
    expect(watchdog?.annotations.description).toMatch(/^This alert always fires \(value 1\), to prove/);
    // Routed by severity, not broadcast: nothing else went to the pager or the ticket queue.
    expect(received.filter((payload) => payload.path === '/page')).toEqual([]);
  });

  it('the recording rules turn real span metrics into RED and SLO series, and every rule evaluates', async () => {
    const app = serviceTelemetry(stack.endpoints.otlpHttp, 'orders-api');
    for (let i = 0; i < 20; i++) {
      const span = app.span('GET /orders', {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': 'GET', 'http.route': '/orders' },
      });
      const failed = i % 4 === 0;
      span.setAttribute('http.response.status_code', failed ? 500 : 200);
      if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    await app.flush();

    const series = [
      'service_route:traces_span_metrics_calls:rate5m{service_name="orders-api", http_route="/orders"}',
      'service_route:traces_span_metrics_5xx:rate5m{service_name="orders-api", http_route="/orders"}',
      'service_route:traces_span_metrics_duration_seconds:p99_5m{service_name="orders-api", http_route="/orders"}',
      'service:traces_span_metrics_error_ratio:rate5m{service_name="orders-api"}',
      'slo:sli_error:ratio_rate5m{service_name="orders-api", slo="availability"}',
      'slo:sli_error:ratio_rate3d{service_name="orders-api", slo="latency"}',
    ];
    for (const selector of series) {
      await eventually(`${selector} recorded`, async () => {
        const result = await query(stack.endpoints.prometheus, selector);
        return result.length > 0 ? result : undefined;
      });
    }
    const [ratio] = await query(
      stack.endpoints.prometheus,
      'slo:sli_error:ratio_rate5m{service_name="orders-api", slo="availability"}',
    );
    expect(ratio?.value).toBeGreaterThan(0);
    expect(ratio?.value).toBeLessThan(1);

    interface RulesResponse {
      data: { groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[] };
    }
    const rules = await eventually('every rule evaluated at least once', async () => {
      const body = (await (
        await fetch(`${stack.endpoints.prometheus}/api/v1/rules`)
      ).json()) as RulesResponse;
      const all = body.data.groups.flatMap((group) =>
        group.rules.map((rule) => ({ group: group.name, ...rule })),
      );
      return all.length > 0 && all.every((rule) => rule.health !== 'unknown') ? all : undefined;
    });
    expect(rules.length).toBeGreaterThanOrEqual(50);
    expect(rules.filter((rule) => rule.health !== 'ok')).toEqual([]);
  });

  it('the blackbox exporter probes the Collector health endpoint the way prometheus.yml asks (http_2xx)', async () => {
    // Scraped by the stack's Prometheus from the stack's blackbox exporter, as configured.
    const [probe] = await eventually('probe_success of the Collector in Prometheus', async () => {
      const found = await query(
        stack.endpoints.prometheus,
        'probe_success{job="blackbox-http", service="otelkit-collector"}',
      );
      return found.length > 0 ? found : undefined;
    });
    expect(probe?.value).toBe(1);
    // And a closed port is a failed probe, which is what EndpointDown fires on.
    const closed = await freePort();
    const params = new URLSearchParams({
      module: 'http_2xx',
      target: `http://127.0.0.1:${closed}/health/ready`,
    });
    const text = await (await fetch(`http://127.0.0.1:${stack.ports.blackbox}/probe?${params}`)).text();
    expect(/^probe_success (\d)/m.exec(text)?.[1]).toBe('0');
  });
});

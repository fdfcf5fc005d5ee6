import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ErrorAttributes,
  SECURITY_EVENT_NAME,
  SecurityAttributes,
  WebVitalAttributes,
  WebVitalNames,
  WebVitalsMetrics,
} from '@otelkit/conventions';
import { chromiumLaunchOptions, repoRoot, type Stack } from '@otelkit/stack';
import { chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, type TestBrowser } from './helpers/browser.js';
import { eventually } from './helpers/poll.js';
import { query } from './helpers/prometheus.js';
import { type ExampleServices, type RunningService, startExampleServices } from './helpers/services.js';
import { type SinkSpan, sinkSpans } from './helpers/sink.js';
import { startTestStack } from './helpers/stack.js';

const SERVER = 2;
const CLIENT = 3;
const WEB = 'shop-web';
const logDir = mkdtempSync(join(tmpdir(), 'otelkit-web-'));

interface Handle {
  sessionId(): string;
  stats(): { sent: number; buffered: number; dropped: number; refused: number; state: string };
  tracer: { startSpan(name: string): { end(): void } };
}
// Code passed to page.evaluate runs in the page (window.otelkit is the example page's SDK handle);
// the test project has no DOM types, so page globals are reached through a cast or a string.
const ORDER_SHOWN = "document.getElementById('order')?.textContent?.includes('1001')";

const sessionOf = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { otelkit: Handle }).otelkit.sessionId());
const statsOf = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { otelkit: Handle }).otelkit.stats());
/** Makes the page report itself hidden, as a browser does on a tab switch (the event bubbles). */
const HIDE = `
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
  document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
`;
const SHOW = `
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => false });
  document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
`;
const flushPage = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { otelkit: { flush(): Promise<void> } }).otelkit.flush());
/** The OTLP/JSON bodies the page itself sends to `endpoint`, before the Collector redacts anything. */
function captureExports(page: Page, endpoint: string): string[] {
  const bodies: string[] = [];
  page.on('request', (request) => {
    if (request.url().startsWith(`${endpoint}/v1/traces`)) bodies.push(request.postData() ?? '');
  });
  return bodies;
}
/**
 * A second origin: a CORS API that allows `traceparent` and records what it received, and the
 * example page served with a report-only CSP of `connect-src 'self'`. (Playwright's route.fulfill
 * cannot add the header: Chromium then treats the page as public and blocks its loopback requests.)
 */
async function startOtherOrigin(): Promise<{
  url: string;
  seen: { path: string; headers: IncomingHttpHeaders }[];
  server: Server;
}> {
  const seen: { path: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((request, response) => {
    const path = request.url ?? '';
    if (path === '/csp-report-only.html' || path === '/otelkit-web.min.js') {
      const file = path === '/otelkit-web.min.js' ? 'otelkit-web.min.js' : 'index.html';
      response.setHeader('content-type', file.endsWith('.js') ? 'text/javascript' : 'text/html');
      if (file === 'index.html')
        response.setHeader('content-security-policy-report-only', "connect-src 'self'");
      response.end(readFileSync(join(repoRoot(), 'examples/web/public', file)));
      return;
    }
    response.setHeader('access-control-allow-origin', request.headers.origin ?? '*');
    response.setHeader('access-control-allow-headers', 'traceparent, tracestate, baggage, content-type');
    if (request.method === 'OPTIONS') {
      response.statusCode = 204;
      response.end();
      return;
    }
    seen.push({ path, headers: request.headers });
    response.setHeader('content-type', 'application/json');
    response.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

/** Span names and attribute keys of each exception event in OTLP/JSON export bodies. */
interface ExportedSpan {
  name: string;
  events?: { name: string; attributes?: { key: string }[] }[];
}
const exportedSpans = (bodies: string[]): ExportedSpan[] =>
  bodies.flatMap((body) =>
    (
      JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: ExportedSpan[] }[] }[] }
    ).resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)),
  );

/**
 * Records, in localStorage (it outlives the page), each export request the SDK makes: whether it
 * asked for keepalive, its size and its span names. The SDK's exporter calls the fetch it finds
 * under instrumentation-fetch's wrapper, which is this one.
 */
const RECORD_EXPORTS = `
  const original = window.fetch;
  window.fetch = function (input, init) {
    try {
      if (String(input).endsWith('/v1/traces') && init && init.body) {
        const text = typeof init.body === 'string' ? init.body : new TextDecoder().decode(init.body);
        const names = JSON.parse(text).resourceSpans.flatMap((rs) =>
          rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.name)));
        const log = JSON.parse(localStorage.getItem('otelkit-test-exports') || '[]');
        log.push({ keepalive: init.keepalive === true, bytes: text.length, names });
        localStorage.setItem('otelkit-test-exports', JSON.stringify(log));
      }
    } catch {}
    return original.apply(this, arguments);
  };
`;

const webSpans = (stack: Stack, session: string): SinkSpan[] =>
  sinkSpans(stack.endpoints.sinkDir).filter(
    (s) => s.resource['service.name'] === WEB && s.attributes['session.id'] === session,
  );

describe('@otelkit/web in headless Chromium against the real pipeline', () => {
  let stack: Stack;
  let examples: ExampleServices;
  let orders: RunningService;
  let browser: TestBrowser;
  let pageUrl: string;
  /** What the example page is told through window.OTELKIT_CONFIG. */
  let config: Record<string, unknown>;

  beforeAll(async () => {
    // The bundle the example page loads, built by the package's own script.
    execFileSync(process.execPath, [
      join(repoRoot(), 'packages/web/scripts/bundle.mjs'),
      '--outfile',
      join(repoRoot(), 'examples/web/public/otelkit-web.min.js'),
    ]);
    stack = await startTestStack({
      collectorEnv: {
        OTELKIT_TRACE_SAMPLE_PERCENT: '100',
        // rs/cors wildcard: any port on 127.0.0.1; `http://localhost:<port>` stays outside.
        OTELKIT_CORS_ALLOWED_ORIGINS: '["http://127.0.0.1:*"]',
      },
    });
    examples = await startExampleServices(stack, logDir, [
      { name: 'orders-api', entry: 'examples/orders-api/server.mjs' },
    ]);
    [orders] = examples.orders as [RunningService];
    pageUrl = `${orders.url}/`;
    config = { endpoint: stack.endpoints.otlpHttp, batchDelayMs: 300, exportTimeoutMs: 2000 };
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await examples?.stop();
    await stack?.stop();
    rmSync(logDir, { recursive: true, force: true });
  });

  it('(a) one trace: page view, document load, fetch, and the Node server span under the fetch span', async () => {
    const { page, diagnostics } = await openPage(browser.context, config);
    await page.goto(pageUrl, { waitUntil: 'load' });
    const session = await sessionOf(page);
    await page.click('#load-order');
    await page.waitForFunction(ORDER_SHOWN);

    const { fetchSpan, server, trace } = await eventually(
      'browser fetch span with its server child',
      async () => {
        const all = sinkSpans(stack.endpoints.sinkDir);
        const fetchSpan = all.find(
          (s) =>
            s.resource['service.name'] === WEB &&
            s.attributes['session.id'] === session &&
            s.kind === CLIENT &&
            String(s.attributes['http.url'] ?? s.attributes['url.full'] ?? '').endsWith('/api/orders/1001'),
        );
        if (!fetchSpan) return undefined;
        const trace = all.filter((s) => s.traceId === fetchSpan.traceId);
        const server = trace.find((s) => s.resource['service.name'] === 'orders-api' && s.kind === SERVER);
        const load = trace.find((s) => s.name === 'documentLoad');
        return server && load ? { fetchSpan, server, trace } : undefined;
      },
    );
    expect(server.parentSpanId).toBe(fetchSpan.spanId);
    expect(server.attributes['http.route']).toBe('/api/orders/:id');
    const load = trace.find((s) => s.name === 'documentLoad');
    expect(load?.resource['service.name']).toBe(WEB);
    expect(trace.some((s) => s.name === 'documentFetch')).toBe(true);
    // Both hang off the page view, the trace's root (it ends and arrives when the page goes).
    expect(load?.parentSpanId).toBe(fetchSpan.parentSpanId);
    expect(fetchSpan.attributes['page.path']).toBe('/');
    expect(new Set(trace.map((s) => s.traceId)).size).toBe(1);
    expect(diagnostics.pageErrors).toEqual([]);
    await page.close();
  });

  it('(b) an uncaught error arrives with parsed frames; thrown twice, one fingerprint', async () => {
    const { page, diagnostics } = await openPage(browser.context, config);
    await page.goto(pageUrl, { waitUntil: 'load' });
    const session = await sessionOf(page);
    await page.click('#throw');
    await page.click('#throw');
    const errors = await eventually('two exception spans', async () => {
      const found = webSpans(stack, session).filter((s) => s.name === 'exception');
      return found.length >= 2 ? found : undefined;
    });
    expect(diagnostics.pageErrors).toHaveLength(2);
    const [first, second] = errors as [SinkSpan, SinkSpan];
    expect(first.statusCode).toBe(2);
    expect(first.attributes[ErrorAttributes.type]).toBe('TypeError');
    expect(first.attributes[ErrorAttributes.origin]).toBe('uncaught_exception');
    expect(first.attributes[ErrorAttributes.message]).toMatch(/^cart \d+ has no items/);
    expect(first.attributes[ErrorAttributes.message]).not.toBe(second.attributes[ErrorAttributes.message]);
    expect(String(first.attributes[ErrorAttributes.stacktrace])).toContain('validateCart');
    const frames = JSON.parse(String(first.attributes['exception.frames'])) as {
      function: string;
      url: string;
      line: number;
      column: number;
    }[];
    expect(frames[0]).toMatchObject({ function: 'validateCart', url: pageUrl });
    expect(frames[0]?.line).toBeGreaterThan(0);
    expect(frames[0]?.column).toBeGreaterThan(0);
    expect(frames[1]?.function).toContain('HTMLButtonElement');
    expect(first.attributes[ErrorAttributes.fingerprint]).toMatch(/^[0-9a-f]{16}$/);
    expect(second.attributes[ErrorAttributes.fingerprint]).toBe(
      first.attributes[ErrorAttributes.fingerprint],
    );
    expect(first.attributes['page.path']).toBe('/');
    await page.close();
  });

  it('(c) all five vitals arrive with rating and attribution, and p75 per page is queryable', async () => {
    const { page } = await openPage(browser.context, config);
    await page.goto(pageUrl, { waitUntil: 'load' });
    const session = await sessionOf(page);
    // The banner shifts the content 300 ms after load; then a real click for INP (and LCP's end).
    await page.waitForSelector('#promo');
    await page.waitForTimeout(500);
    await page.click('#load-order');
    await page.waitForFunction(ORDER_SHOWN);
    await page.waitForTimeout(300);
    // Headless tabs never become hidden by themselves: report what a browser does on tab switch.
    await page.evaluate(HIDE);
    const vitals = await eventually('five vital spans', async () => {
      const found = webSpans(stack, session).filter((s) =>
        (WebVitalNames as readonly string[]).includes(s.name),
      );
      return WebVitalNames.every((name) => found.some((s) => s.name === name)) ? found : undefined;
    });
    for (const name of WebVitalNames) {
      const spans = vitals.filter((s) => s.name === name);
      expect(spans, `${name} once per page load`).toHaveLength(1);
      const span = spans[0] as SinkSpan;
      expect(span.attributes[WebVitalAttributes.name]).toBe(name);
      expect(['good', 'needs-improvement', 'poor']).toContain(span.attributes[WebVitalAttributes.rating]);
      expect(span.attributes[WebVitalAttributes.page]).toBe('/');
      expect(typeof span.attributes[WebVitalAttributes.cause]).toBe('string');
      expect(typeof span.attributes[WebVitalAttributes.value]).toBe('number');
    }
    const by = (name: string) => vitals.find((s) => s.name === name) as SinkSpan;
    expect(by('CLS').attributes[WebVitalAttributes.value]).toBeGreaterThan(0);
    expect(by('CLS').attributes[WebVitalAttributes.element]).toBeTruthy();
    expect(by('INP').attributes[WebVitalAttributes.element]).toBe('#load-order');
    expect(by('INP').attributes[WebVitalAttributes.cause]).toMatch(
      /^(input_delay|processing_duration|presentation_delay)$/,
    );
    expect(by('LCP').attributes[WebVitalAttributes.element]).toBeTruthy();

    const p75 = await eventually('p75 of every vital for page /', async () => {
      const samples = await query(
        stack.endpoints.prometheus,
        `histogram_quantile(0.75, sum by (le, span_name, ${WebVitalsMetrics.pageLabel}) (${WebVitalsMetrics.bucket}{service_name="${WEB}", span_name=~"${WebVitalNames.join('|')}"}))`,
      );
      const ok = samples.filter(
        (s) => s.metric[WebVitalsMetrics.pageLabel] === '/' && !Number.isNaN(s.value),
      );
      return WebVitalNames.every((name) => ok.some((s) => s.metric.span_name === name)) ? ok : undefined;
    });
    expect(p75.map((s) => s.metric.span_name).sort()).toEqual([...WebVitalNames].sort());
    await page.close();
  });

  it('(d) a span ended during pagehide (following a link away) is delivered', async () => {
    const { page } = await openPage(browser.context, config);
    await page.goto(pageUrl, { waitUntil: 'load' });
    const session = await sessionOf(page);
    await page.click('#leave');
    await page.waitForSelector('#bye');
    const view = await eventually('the page view span ended in pagehide', async () =>
      webSpans(stack, session).find((s) => s.name === 'page view'),
    );
    expect(view.attributes['page_view.end_reason']).toBe('pagehide');
    expect(view.attributes['page.path']).toBe('/');
    expect(view.parentSpanId).toBe('');
    // It is the root of the page's trace: document load hangs off it.
    const load = webSpans(stack, session).find((s) => s.name === 'documentLoad');
    expect(load?.traceId).toBe(view.traceId);
    expect(load?.parentSpanId).toBe(view.spanId);
    await page.close();
  });

  it('(e) Collector down: the page keeps working, the buffer is delivered later, the overflow counted', async () => {
    const cap = 10;
    const { page, diagnostics } = await openPage(browser.context, { ...config, maxBufferedSpans: cap });
    await page.goto(pageUrl, { waitUntil: 'load' });
    const session = await sessionOf(page);
    await eventually('first export', async () => ((await statsOf(page)).sent > 0 ? true : undefined));
    await stack.processes.collector.stop();
    try {
      // The page still works with the Collector gone.
      await page.evaluate("document.getElementById('order').textContent = ''");
      await page.click('#load-order');
      await page.waitForFunction(ORDER_SHOWN);
      // instrumentation-fetch ends its span up to 300 ms later (it waits for resource timing).
      await page.waitForTimeout(1000);
      await page.evaluate(() => {
        for (let i = 0; i < 15; i++)
          (globalThis as unknown as { otelkit: Handle }).otelkit.tracer.startSpan(`buffered-${i}`).end();
      });
      const down = await eventually(
        'the SDK buffering at its cap',
        async () => {
          const stats = await statsOf(page);
          return stats.state === 'down' && stats.buffered === cap && stats.dropped >= 6 ? stats : undefined;
        },
        { timeoutMs: 30_000 },
      );
      expect(diagnostics.pageErrors).toEqual([]);
      expect(diagnostics.consoleErrors).toEqual([]);
      expect(diagnostics.consoleWarnings.filter((w) => w.includes('[otelkit]'))).toEqual([]);
      expect(down.refused).toBe(0);
    } finally {
      await stack.processes.collector.start();
    }
    const dropped = (await statsOf(page)).dropped;
    const delivered = await eventually(
      'the newest buffered spans and the drop report',
      async () => {
        const spans = webSpans(stack, session);
        const report = spans.find((s) => s.name === 'telemetry dropped');
        const newest = spans.filter((s) => /^buffered-(5|6|7|8|9|1[0-4])$/.test(s.name));
        return report && newest.length === 10 ? { spans, report } : undefined;
      },
      { timeoutMs: 90_000 },
    );
    // Oldest dropped: the first five test spans (and whatever came before them) never arrive.
    expect(delivered.spans.filter((s) => /^buffered-[0-4]$/.test(s.name))).toEqual([]);
    expect(delivered.report.attributes['otelkit.web.dropped_spans']).toBe(dropped);
    expect(dropped).toBeGreaterThanOrEqual(6);
    expect(diagnostics.pageErrors).toEqual([]);
    await page.close();
  });

  it('(f) a page on an origin outside the CORS allow-list is refused, and the SDK warns once', async () => {
    const { page, diagnostics } = await openPage(browser.context, config);
    // Same server, other origin: localhost is not 127.0.0.1 to CORS.
    await page.goto(`http://localhost:${orders.port}/`, { waitUntil: 'load' });
    const session = await sessionOf(page);
    const first = await eventually('a refusal', async () => {
      const stats = await statsOf(page);
      return stats.refused > 0 ? stats : undefined;
    });
    expect(first.state).toBe('refused');
    await page.click('#load-order');
    await page.waitForFunction(ORDER_SHOWN);
    await eventually('a second refusal', async () =>
      (await statsOf(page)).refused > first.refused ? true : undefined,
    );
    const warnings = diagnostics.consoleWarnings.filter((w) => w.includes('[otelkit]'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('CORS');
    expect(warnings[0]).toContain(`http://localhost:${orders.port}`);
    expect(diagnostics.pageErrors).toEqual([]);
    expect(webSpans(stack, session)).toEqual([]);
    await page.close();
  });
  it('(g) an unsampled session sends no traceparent, so the backend still keeps its own trace', async () => {
    const { page, diagnostics } = await openPage(browser.context, { ...config, sampleRate: 0 });
    const exports = captureExports(page, stack.endpoints.otlpHttp);
    await page.goto(pageUrl, { waitUntil: 'load' });
    const id = `${Date.now() % 1_000_000}7`;
    const sent = page.waitForRequest((r) => r.url().endsWith(`/api/orders/${id}`));
    await page.evaluate(`fetch('/api/orders/${id}').then((r) => r.json())`);
    expect((await sent).headers().traceparent).toBeUndefined();
    // parentbased_always_on in the Node SDK: with `-00` from the browser it would record nothing.
    const server = await eventually('the backend root span of the unsampled page request', async () =>
      sinkSpans(stack.endpoints.sinkDir).find(
        (s) =>
          s.resource['service.name'] === 'orders-api' &&
          s.kind === SERVER &&
          s.attributes['url.path'] === `/api/orders/${id}`,
      ),
    );
    expect(server.parentSpanId).toBe('');
    await flushPage(page);
    expect(exports).toEqual([]);
    expect(diagnostics.pageErrors).toEqual([]);
    await page.close();
  });

  it('(h) the page keeps its resource timing entries for document load, LCP and other tools', async () => {
    const { page } = await openPage(browser.context, config);
    await page.goto(pageUrl, { waitUntil: 'load' });
    await page.click('#load-order');
    await page.waitForFunction(ORDER_SHOWN);
    // instrumentation-fetch ends its span up to 300 ms after the response (resource timing wait).
    await page.waitForTimeout(1000);
    const names = await page.evaluate<string[]>(
      "performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname)",
    );
    expect(names).toContain('/otelkit-web.min.js');
    expect(names).toContain('/api/orders/1001');
    await page.close();
  });

  it('(i) string entries of propagateTraceHeaderCorsUrls and ignoreUrls match as prefixes', async () => {
    const api = await startOtherOrigin();
    try {
      const { page } = await openPage(browser.context, {
        ...config,
        propagateTraceHeaderCorsUrls: [api.url],
        ignoreUrls: [`${api.url}/health`],
      });
      const exports = captureExports(page, stack.endpoints.otlpHttp);
      await page.goto(pageUrl, { waitUntil: 'load' });
      await page.evaluate(`Promise.all([fetch('${api.url}/orders/1?x=1'), fetch('${api.url}/health/live')])`);
      const order = api.seen.find((r) => r.path === '/orders/1?x=1');
      expect(order?.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      await page.waitForTimeout(1000);
      await flushPage(page);
      const sent = exports.join('\n');
      expect(sent).toContain(`${api.url}/orders/1?x=1`);
      expect(sent).not.toContain(`${api.url}/health/live`);
      await page.close();
    } finally {
      api.server.close();
    }
  });

  it('(j) URLs on page view, document load and fetch spans carry no secrets and no fragment', async () => {
    const { page } = await openPage(browser.context, config);
    const exports = captureExports(page, stack.endpoints.otlpHttp);
    await page.goto(`${pageUrl}?session=pageSessionSecret&code=oauthCodeSecret#state=fragmentSecret`, {
      waitUntil: 'load',
    });
    await page.evaluate(
      "fetch('/api/orders/1001?sessionid=fetchSessionSecret&authorization=fetchAuthSecret').then((r) => r.json())",
    );
    await page.evaluate(`new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      xhr.open('GET', '/api/orders/1001?SessionId=xhrSessionSecret&page=2#xhrFragment');
      xhr.onloadend = resolve;
      xhr.send();
    })`);
    await page.waitForTimeout(1000);
    // A route change ends the page view span (with the page's URL and referrer) while the page stays.
    await page.evaluate("history.pushState({}, '', '/elsewhere?token=routeTokenSecret#routeFragment')");
    await flushPage(page);
    const sent = exports.join('\n');
    expect(sent).toContain('/api/orders/1001?sessionid=[REDACTED]&authorization=[REDACTED]');
    expect(sent).toContain('page=2');
    expect(sent).toContain('documentLoad');
    expect(sent).toContain('page view');
    for (const secret of [
      'pageSessionSecret',
      'oauthCodeSecret',
      'fragmentSecret',
      'fetchSessionSecret',
      'fetchAuthSecret',
      'xhrSessionSecret',
      'xhrFragment',
      'routeTokenSecret',
      'routeFragment',
    ]) {
      expect(sent, secret).not.toContain(secret);
    }
    await page.close();
  });

  it('(k) a report-only CSP without the Collector: no violation loop, identical violations once', async () => {
    const other = await startOtherOrigin();
    try {
      const { page } = await openPage(browser.context, config);
      const exports = captureExports(page, stack.endpoints.otlpHttp);
      // Only the page's own origin is allowed: every export to the Collector violates (not enforced).
      await page.goto(`${other.url}/csp-report-only.html`, { waitUntil: 'load' });
      const session = await sessionOf(page);
      const elsewhere = `${orders.url}/api/orders/1001`;
      for (let i = 0; i < 3; i++) await page.evaluate(`fetch('${elsewhere}').catch(() => undefined)`);
      // Five seconds of exports every 300 ms: each export would become a violation, exported again.
      await page.waitForTimeout(5000);
      await flushPage(page);
      await eventually('the CSP violation span', async () =>
        webSpans(stack, session).some((s) => s.name === SECURITY_EVENT_NAME) ? true : undefined,
      );
      await page.waitForTimeout(1500);
      const violations = webSpans(stack, session).filter((s) => s.name === SECURITY_EVENT_NAME);
      expect(violations.map((s) => s.attributes[SecurityAttributes.resource])).toEqual([elsewhere]);
      expect(violations[0]?.attributes[SecurityAttributes.action]).toBe('csp.connect-src');
      expect(exports.length).toBeLessThan(8);
      await page.close();
    } finally {
      other.server.close();
    }
  });

  it('(l) INP of the last interaction is in the first hide; a CLS that grows later is sent again', async () => {
    const { page } = await openPage(browser.context, config);
    await page.goto(pageUrl, { waitUntil: 'load' });
    const session = await sessionOf(page);
    await page.waitForSelector('#promo');
    // A slow click handler; web-vitals learns of the interaction only when the page is hidden.
    await page.evaluate(`
      const slow = document.createElement('button');
      slow.id = 'slow';
      slow.textContent = 'slow';
      slow.addEventListener('click', () => { const t = performance.now(); while (performance.now() - t < 250); });
      document.getElementById('content').append(slow);
    `);
    await page.click('#slow');
    await page.waitForTimeout(300);
    await page.evaluate(HIDE);
    const vital = (name: string) => webSpans(stack, session).filter((s) => s.name === name);
    const inp = await eventually(
      'INP of the slow click, sent on the first hide',
      async () => vital('INP').find((s) => Number(s.attributes[WebVitalAttributes.value]) >= 250),
      { timeoutMs: 15_000 },
    );
    expect(inp.attributes[WebVitalAttributes.element]).toBe('#slow');
    const [first] = await eventually('CLS of the first hide', async () =>
      vital('CLS').length > 0 ? vital('CLS') : undefined,
    );
    // Back to the tab: the layout shifts badly, then the tab is hidden again.
    await page.evaluate(SHOW);
    await page.evaluate(`
      const big = document.createElement('div');
      big.style.height = '400px';
      document.body.prepend(big);
    `);
    await page.waitForTimeout(500);
    await page.evaluate(HIDE);
    const second = await eventually('the larger CLS of the second hide', async () =>
      vital('CLS').find(
        (s) =>
          Number(s.attributes[WebVitalAttributes.value]) >
          Number(first?.attributes[WebVitalAttributes.value]),
      ),
    );
    expect(second.attributes[WebVitalAttributes.id]).toBe(first?.attributes[WebVitalAttributes.id]);
    expect(vital('INP')).toHaveLength(1);
    await page.close();
  });
  it('(m) an error thrown every frame: five spans, then one summary with the count; the stack once', async () => {
    const { page, diagnostics } = await openPage(browser.context, config);
    const exports = captureExports(page, stack.endpoints.otlpHttp);
    await page.goto(pageUrl, { waitUntil: 'load' });
    const session = await sessionOf(page);
    // A broken render loop: the same bug every 16 ms for two seconds.
    await page.evaluate(`new Promise((resolve) => {
      window.thrown = 0;
      const loop = setInterval(() => { window.thrown++; validateCart({ id: window.thrown }); }, 16);
      setTimeout(() => { clearInterval(loop); resolve(); }, 2000);
    })`);
    const thrown = await page.evaluate<number>('window.thrown');
    expect(thrown).toBeGreaterThan(50);
    await page.evaluate(HIDE);
    const errors = await eventually('the summary of the held-back occurrences', async () => {
      const found = webSpans(stack, session).filter((s) => s.name === 'exception');
      return found.some((s) => s.attributes[ErrorAttributes.occurrences] !== undefined) ? found : undefined;
    });
    await page.waitForTimeout(1000);
    const all = webSpans(stack, session).filter((s) => s.name === 'exception');
    expect(all).toHaveLength(errors.length);
    const single = all.filter((s) => s.attributes[ErrorAttributes.occurrences] === undefined);
    const summaries = all.filter((s) => s.attributes[ErrorAttributes.occurrences] !== undefined);
    expect(single).toHaveLength(5);
    expect(summaries).toHaveLength(1);
    const summary = summaries[0] as SinkSpan;
    expect(summary.attributes[ErrorAttributes.occurrences]).toBe(thrown - 5);
    expect(summary.statusCode).toBe(2);
    expect(new Set(all.map((s) => s.attributes[ErrorAttributes.fingerprint])).size).toBe(1);
    expect(String(summary.attributes[ErrorAttributes.stacktrace])).toContain('validateCart');
    // Every occurrence still reached the page; the upload stayed small.
    expect(diagnostics.pageErrors).toHaveLength(thrown);
    expect(exports.join('').length).toBeLessThan(100_000);
    // The stack travels once per span: as its attribute, not again in the exception event.
    const events = exportedSpans(exports)
      .filter((s) => s.name === 'exception')
      .flatMap((s) => s.events ?? []);
    expect(events.length).toBe(all.length);
    for (const event of events) {
      expect(event.attributes?.map((a) => a.key)).not.toContain(ErrorAttributes.stacktrace);
    }
    await page.close();
  });

  it('(n) after a back/forward-cache restore, its vitals belong to the restore page view', async () => {
    // Playwright switches the back/forward cache off by default; this test needs it.
    const userDataDir = mkdtempSync(join(tmpdir(), 'otelkit-chromium-bfcache-'));
    const context = await chromium.launchPersistentContext(userDataDir, {
      ...chromiumLaunchOptions(),
      ignoreDefaultArgs: ['--disable-back-forward-cache'],
    });
    try {
      const { page } = await openPage(context, config);
      await page.addInitScript(`addEventListener('pageshow', (e) => { window.restored = e.persisted; })`);
      await page.goto(pageUrl, { waitUntil: 'load' });
      const session = await sessionOf(page);
      await page.evaluate("history.pushState({}, '', '/product/42')");
      await page.click('#leave');
      await page.waitForSelector('#bye');
      await page.goBack({ waitUntil: 'commit' });
      await page.waitForFunction('window.restored !== undefined');
      expect(await page.evaluate('window.restored')).toBe(true);
      await page.waitForTimeout(500);
      await page.click('#leave');
      await page.waitForSelector('#bye');
      const { view, vitals } = await eventually('the restore page view and its TTFB, FCP, LCP', async () => {
        const spans = webSpans(stack, session);
        const view = spans.find(
          (s) => s.name === 'page view' && s.attributes['page_view.trigger'] === 'restore',
        );
        const vitals = spans.filter(
          (s) =>
            ['TTFB', 'FCP', 'LCP'].includes(s.name) &&
            s.attributes[WebVitalAttributes.navigationType] === 'back-forward-cache',
        );
        return view && vitals.length === 3 ? { view, vitals } : undefined;
      });
      expect(view.attributes['page.path']).toBe('/product/42');
      for (const vital of vitals) {
        expect(vital.parentSpanId, vital.name).toBe(view.spanId);
        expect(vital.traceId, vital.name).toBe(view.traceId);
        expect(vital.attributes[WebVitalAttributes.page], vital.name).toBe('/product/42');
      }
      // The load's vitals stay with the load's page view.
      const load = webSpans(stack, session).find(
        (s) => s.name === 'page view' && s.attributes['page_view.trigger'] === 'load',
      );
      const ttfb = webSpans(stack, session).find(
        (s) => s.name === 'TTFB' && s.attributes[WebVitalAttributes.navigationType] !== 'back-forward-cache',
      );
      expect(ttfb?.parentSpanId).toBe(load?.spanId);
      expect(ttfb?.attributes[WebVitalAttributes.page]).toBe('/');
      await page.close();
    } finally {
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    }
  });

  it('(o) leaving a busy page: page view, vitals and errors go out first, in keepalive requests', async () => {
    // Nothing is exported before the page goes: everything waits for the pagehide flush.
    const { page } = await openPage(browser.context, { ...config, batchDelayMs: 60_000 });
    await page.addInitScript(RECORD_EXPORTS);
    await page.goto(pageUrl, { waitUntil: 'load' });
    const session = await sessionOf(page);
    await page.click('#throw');
    // 150 spans of the app's, about 120 KB as one request: twice what keepalive may carry.
    await page.evaluate(`for (let i = 0; i < 150; i++)
      window.otelkit.tracer.startSpan('late-' + i, { attributes: { 'app.detail': 'y'.repeat(300) } }).end()`);
    await page.click('#leave');
    await page.waitForSelector('#bye');
    const requests = JSON.parse(
      (await page.evaluate<string | null>("localStorage.getItem('otelkit-test-exports')")) ?? '[]',
    ) as { keepalive: boolean; bytes: number; names: string[] }[];
    const keptAlive = requests.filter((r) => r.keepalive).flatMap((r) => r.names);
    for (const name of ['page view', 'exception', 'TTFB', 'FCP', 'LCP']) {
      expect(keptAlive, name).toContain(name);
    }
    expect(requests.reduce((sum, r) => sum + (r.keepalive ? r.bytes : 0), 0)).toBeLessThanOrEqual(60 * 1024);
    const view = await eventually('the page view ended in pagehide', async () =>
      webSpans(stack, session).find((s) => s.name === 'page view'),
    );
    expect(view.attributes['page_view.end_reason']).toBe('pagehide');
    await page.close();
  });
  it("(p) sessionStorage 'local': an idle tab keeps the session used in another; polling keeps none alive", async () => {
    const minute = 60_000;
    // A browser of its own: its clock (Playwright's is per context) moves only when the test says.
    const userDataDir = mkdtempSync(join(tmpdir(), 'otelkit-chromium-clock-'));
    const context = await chromium.launchPersistentContext(userDataDir, chromiumLaunchOptions());
    try {
      await context.clock.install({ time: Date.now() });
      const openTab = async () => {
        const { page } = await openPage(context, { ...config, sessionStorage: 'local' });
        await page.goto(pageUrl, { waitUntil: 'load' });
        return page;
      };
      const a = await openTab();
      const b = await openTab();
      const id = await sessionOf(a);
      expect(await sessionOf(b)).toBe(id);
      // The user works in tab B for 20 minutes, a key now and then; tab A sits untouched.
      for (let i = 0; i < 20; i++) {
        await context.clock.fastForward(minute);
        await b.keyboard.press('Shift');
      }
      expect(await sessionOf(a)).toBe(id);
      expect(await sessionOf(b)).toBe(id);
      await b.close();
      // Then nobody is there, but tab A polls the API every minute: that is not the user.
      await a.evaluate(`setInterval(() => fetch('/api/orders/1001').catch(() => undefined), ${minute})`);
      for (let i = 0; i < 16; i++) await context.clock.fastForward(minute);
      expect(await sessionOf(a)).not.toBe(id);
    } finally {
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    }
  });
});

/** A span of an OTLP/JSON export body, with times in epoch milliseconds. */
interface TimedSpan {
  name: string;
  start: number;
  end: number;
  attributes: Record<string, unknown>;
  events: { name: string; time: number }[];
}
const nanosToMs = (nanos: string) => Number(BigInt(nanos) / 1000n) / 1000;
const timedSpans = (bodies: string[]): TimedSpan[] =>
  bodies.flatMap((body) =>
    (
      JSON.parse(body) as {
        resourceSpans: {
          scopeSpans: {
            spans: {
              name: string;
              startTimeUnixNano: string;
              endTimeUnixNano: string;
              attributes?: { key: string; value: Record<string, unknown> }[];
              events?: { name: string; timeUnixNano: string }[];
            }[];
          }[];
        }[];
      }
    ).resourceSpans.flatMap((rs) =>
      rs.scopeSpans.flatMap((ss) =>
        ss.spans.map((s) => ({
          name: s.name,
          start: nanosToMs(s.startTimeUnixNano),
          end: nanosToMs(s.endTimeUnixNano),
          attributes: Object.fromEntries((s.attributes ?? []).map((a) => [a.key, Object.values(a.value)[0]])),
          events: (s.events ?? []).map((e) => ({ name: e.name, time: nanosToMs(e.timeUnixNano) })),
        })),
      ),
    ),
  );

/**
 * A page with the SDK and an OTLP endpoint on one origin, recording what the page sends: no
 * Collector, so these tests see every request the browser made, duplicates included.
 */
const VITALS_PAGE = `<!doctype html>
<html><head><title>vitals</title>
<script src="/otelkit-web.min.js"></script>
<script>window.otelkit = OtelkitWeb.initWeb({ serviceName: 'vitals-web', endpoint: location.origin, batchDelayMs: 60000 });</script>
</head><body>
<h1>Order 1001</h1><p>Three items, shipped tomorrow.</p>
<img src="/slow.svg" width="200" height="100" alt="">
<button id="fast">fast</button> <button id="slow">slow</button>
<script>
  addEventListener('pointerdown', (e) => { window.pointerdownAt = e.timeStamp; }, true);
  // LCP entries are not kept in the performance timeline's buffer; an observer sees them.
  new PerformanceObserver((list) => { window.lcpAt = list.getEntries().at(-1).startTime; })
    .observe({ type: 'largest-contentful-paint', buffered: true });
  const busy = (ms) => { const t = performance.now(); while (performance.now() - t < ms); };
  document.getElementById('fast').addEventListener('click', () => busy(60));
  // A slow click that leaves the page. Chromium makes the click's event-timing entry only once the
  // frame after the handler is presented; leaving from inside the handler raced that (the page
  // sometimes went first, and the INP sent was the fast click's), so the page leaves as soon as
  // the entry exists. web-vitals has it then, and sends it only when the page is hidden.
  document.getElementById('slow').addEventListener('click', () => {
    busy(300);
    new PerformanceObserver((list, observer) => {
      if (!list.getEntries().some((entry) => entry.name === 'click' && entry.target?.id === 'slow')) return;
      observer.disconnect();
      location.href = '/other';
    }).observe({ type: 'event', durationThreshold: 16 });
  });
</script>
</body></html>`;

describe('@otelkit/web vitals in headless Chromium, every request recorded', () => {
  let browser: TestBrowser;
  let server: Server;
  let origin: string;
  const bodies: string[] = [];
  const bundleDir = mkdtempSync(join(tmpdir(), 'otelkit-web-vitals-'));

  beforeAll(async () => {
    const bundle = join(bundleDir, 'otelkit-web.min.js');
    execFileSync(process.execPath, [
      join(repoRoot(), 'packages/web/scripts/bundle.mjs'),
      '--outfile',
      bundle,
    ]);
    server = createServer((request, response) => {
      if (request.url === '/v1/traces') {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          bodies.push(Buffer.concat(chunks).toString('utf8'));
          response.setHeader('content-type', 'application/json');
          response.end('{}');
        });
        return;
      }
      if (request.url === '/otelkit-web.min.js') {
        response.setHeader('content-type', 'text/javascript');
        response.end(readFileSync(bundle));
        return;
      }
      // An image that arrives late, so the load event (when web-vitals reports TTFB) is well after
      // the first byte: a vital placed at its report time is then plainly in the wrong place.
      if (request.url === '/slow.svg') {
        setTimeout(() => {
          response.setHeader('content-type', 'image/svg+xml');
          response.end(
            '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><rect width="200" height="100"/></svg>',
          );
        }, 400);
        return;
      }
      response.setHeader('content-type', 'text/html');
      response.end(request.url === '/other' ? '<p id="bye">bye</p>' : VITALS_PAGE);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    rmSync(bundleDir, { recursive: true, force: true });
  });

  it('leaving once a slow click is measured sends INP once, with its final value', async () => {
    bodies.length = 0;
    const page = await browser.context.newPage();
    await page.goto(`${origin}/`, { waitUntil: 'load' });
    // A first interaction web-vitals reports while the page runs: the INP so far.
    await page.click('#fast');
    await page.waitForTimeout(1000);
    // Chromium fires pagehide, then visibilitychange; only at the latter is the slow click known.
    await page.click('#slow');
    await page.waitForSelector('#bye');
    const inp = await eventually('the INP sent when the page was left', async () => {
      const found = timedSpans(bodies).filter((s) => s.name === 'INP');
      return found.length > 0 ? found : undefined;
    });
    // Anything sent twice would have arrived by now (one unload, keepalive requests).
    await page.waitForTimeout(1000);
    const sent = timedSpans(bodies).filter((s) => s.name === 'INP');
    expect(sent.map((s) => s.attributes[WebVitalAttributes.value])).toHaveLength(1);
    expect(Number(inp[0]?.attributes[WebVitalAttributes.value])).toBeGreaterThanOrEqual(300);
    expect(inp[0]?.attributes[WebVitalAttributes.element]).toBe('#slow');
    // The rest of the page view went too: the page view span and the load's vitals.
    const names = timedSpans(bodies).map((s) => s.name);
    for (const name of ['page view', 'documentLoad', 'TTFB', 'FCP', 'LCP'])
      expect(names, name).toContain(name);
    await page.close();
  });

  it('vital spans sit on the page-load timeline where what they measure happened', async () => {
    bodies.length = 0;
    const page = await browser.context.newPage();
    await page.goto(`${origin}/`, { waitUntil: 'load' });
    await page.waitForTimeout(500);
    await page.click('#fast');
    await page.waitForTimeout(500);
    await page.evaluate(HIDE);
    await flushPage(page);
    const timeline = await page.evaluate(`(() => {
      const navigation = performance.getEntriesByType('navigation')[0];
      return {
        timeOrigin: performance.timeOrigin,
        responseStart: navigation.responseStart,
        fcp: performance.getEntriesByName('first-contentful-paint')[0].startTime,
        lcp: window.lcpAt,
        pointerdown: window.pointerdownAt,
      };
    })()`);
    const t = timeline as Record<'timeOrigin' | 'responseStart' | 'fcp' | 'lcp' | 'pointerdown', number>;
    const spans = await eventually('document load and the TTFB, FCP, LCP and INP spans', async () => {
      const all = timedSpans(bodies);
      const by = (name: string) => all.find((s) => s.name === name);
      const found = ['documentLoad', 'documentFetch', 'TTFB', 'FCP', 'LCP', 'INP'].map(by);
      return found.every(Boolean) ? (found as TimedSpan[]) : undefined;
    });
    const [documentLoad, documentFetch, ttfb, fcp, lcp, inp] = spans as TimedSpan[] as [
      TimedSpan,
      TimedSpan,
      TimedSpan,
      TimedSpan,
      TimedSpan,
      TimedSpan,
    ];
    // Within 3 ms: the SDK corrects performance times by Date.now(), which has whole milliseconds.
    const near = (what: string, actual: number, expected: number) =>
      expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThan(3);
    const at = (timelineMs: number) => t.timeOrigin + timelineMs;
    near('TTFB start', ttfb.start, at(0));
    near('TTFB end', ttfb.end, at(t.responseStart));
    // The same moment as document load's own responseStart event: one timeline.
    const responseStart = documentFetch.events.find((e) => e.name === 'responseStart');
    near('TTFB end vs documentFetch responseStart', ttfb.end, responseStart?.time ?? 0);
    expect(ttfb.end).toBeLessThan(
      documentLoad.events.find((e) => e.name === 'domContentLoadedEventEnd')?.time ?? 0,
    );
    near('FCP start', fcp.start, at(0));
    near('FCP end', fcp.end, at(t.fcp));
    near('LCP end', lcp.end, at(t.lcp));
    near('INP start', inp.start, at(t.pointerdown));
    near('INP duration', inp.end - inp.start, Number(inp.attributes[WebVitalAttributes.value]));
    await page.close();
  });
});

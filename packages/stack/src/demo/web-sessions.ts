import { randomBytes } from 'node:crypto';
import { type Context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  ErrorAttributes,
  ErrorOrigins,
  WEB_VITAL_DURATION_SCALE,
  WEB_VITALS_SCOPE,
  WebVitalAttributes,
  WebVitalNames,
  WebVitalThresholds,
} from '@otelkit/conventions';

/** Instrumentation scope of the page views and errors @otelkit/web sends (its package name). */
const WEB_SCOPE = '@otelkit/web';

type Vital = (typeof WebVitalNames)[number];
type Rating = 'good' | 'needs-improvement' | 'poor';

/** `service.name` of the simulated page: the example page's own (examples/web/public/index.html). */
export const SIMULATED_WEB_APP = 'shop-web';

/** Pages the simulated sessions visit. */
export const SIMULATED_PAGES = ['/', '/checkout', '/login'] as const;

/**
 * Ratings per session, cycled: 7 good, 2 needing improvement, 1 poor, so the rating mix has all
 * three. The checkout page loads a heavy payment widget: its LCP is poor at p75 on purpose (the
 * PoorCoreWebVitals alert, once 20 views and 15 minutes have passed).
 */
const USUAL: readonly Rating[] = [
  'good',
  'good',
  'good',
  'good',
  'needs-improvement',
  'good',
  'good',
  'poor',
  'good',
  'needs-improvement',
];
const HEAVY: readonly Rating[] = [
  'good',
  'poor',
  'needs-improvement',
  'poor',
  'poor',
  'good',
  'poor',
  'poor',
  'needs-improvement',
  'poor',
];

/** A value of `vital` in `rating`'s range, in span milliseconds (CLS × 1000). */
function valueIn(vital: Vital, rating: Rating): number {
  const { good, poor } = WebVitalThresholds[vital];
  const [low, high] =
    rating === 'good'
      ? [good * 0.2, good * 0.9]
      : rating === 'poor'
        ? [poor * 1.1, poor * 2]
        : [good * 1.05, poor * 0.95];
  return low + Math.random() * (high - low);
}

/** What one simulated session did, for the generator's tally. */
export interface SessionOutcome {
  /** The page the session viewed, one of {@link SIMULATED_PAGES}. */
  page: string;
  /** Whether the session reported a JavaScript error. */
  jsError: boolean;
}

/** Options of {@link SimulatedBrowser}. */
export interface SimulatedBrowserOptions {
  /** Collector OTLP/HTTP base URL. */
  otlpHttp: string;
  /** Base URL of orders-api, which each home-page session fetches an order from. */
  ordersUrl: string;
}

/**
 * SIMULATED browser telemetry. No browser runs in docker compose or `otelkit up --demo`, so this
 * sends what @otelkit/web sends from a real page (examples/web/public served by orders-api):
 * a `page view` span per session carrying `session.id` and `page.path`, one span per Core Web
 * Vital with its value and rating, `exception` spans for uncaught JS errors, and, on the home
 * page, a real `fetch` of an order with a `traceparent` header so the browser span and the
 * orders-api server span share a trace. Its resource says `otelkit.demo.simulated: true`.
 */
export class SimulatedBrowser {
  private readonly provider: BasicTracerProvider;
  private readonly tracer;
  private readonly vitalsTracer;

  /** @param options where to send telemetry and which orders-api to call. */
  constructor(private readonly options: SimulatedBrowserOptions) {
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({
        'service.name': SIMULATED_WEB_APP,
        'telemetry.sdk.language': 'webjs',
        'otelkit.demo.simulated': true,
      }),
      spanProcessors: [
        new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.otlpHttp}/v1/traces` }), {
          scheduledDelayMillis: 1000,
          maxQueueSize: 4096,
        }),
      ],
    });
    this.tracer = this.provider.getTracer(WEB_SCOPE);
    this.vitalsTracer = this.provider.getTracer(WEB_VITALS_SCOPE);
  }

  /**
   * Plays session number `n`: a page view of one of {@link SIMULATED_PAGES}, its five vitals,
   * a JS error every seventh session, and the order fetch on the home page.
   */
  async session(n: number): Promise<SessionOutcome> {
    const page = SIMULATED_PAGES[n % SIMULATED_PAGES.length] ?? '/';
    const sessionId = randomBytes(16).toString('hex');
    const end = Date.now();
    const start = end - 5000 - Math.random() * 20_000;
    const pageView = this.tracer.startSpan(
      'page view',
      {
        startTime: start,
        attributes: {
          'page.path': page,
          'page_view.trigger': 'load',
          'session.id': sessionId,
          'url.full': `${this.options.ordersUrl}${page}`,
        },
      },
      ROOT_CONTEXT,
    );
    const inPage = trace.setSpan(ROOT_CONTEXT, pageView);
    this.vitals(n, page, sessionId, inPage);
    const jsError = n % 7 === 3;
    if (jsError) this.jsError(page, sessionId, inPage);
    if (page === '/') await this.fetchOrder(n, page, sessionId, inPage);
    pageView.setAttribute('page_view.end_reason', 'pagehide');
    pageView.end(Math.max(end, Date.now()));
    return { page, jsError };
  }

  /** Sends what is buffered now. */
  async flush(): Promise<void> {
    await this.provider.forceFlush();
  }

  /** Flushes and stops. */
  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }

  private vitals(n: number, page: string, sessionId: string, parent: Context): void {
    const a = WebVitalAttributes;
    WebVitalNames.forEach((vital, i) => {
      const cycle = page === '/checkout' && vital === 'LCP' ? HEAVY : USUAL;
      // Offset per vital so one session is not all good or all poor.
      const rating = cycle[(n + i * 3) % cycle.length] ?? 'good';
      const duration = valueIn(vital, rating);
      const end = Date.now();
      this.vitalsTracer
        .startSpan(
          vital,
          {
            startTime: end - duration,
            attributes: {
              [a.name]: vital,
              [a.value]: duration / WEB_VITAL_DURATION_SCALE[vital],
              [a.rating]: rating,
              [a.id]: `v5-${sessionId.slice(0, 12)}-${vital}`,
              [a.navigationType]: 'navigate',
              [a.page]: page,
              'session.id': sessionId,
            },
          },
          parent,
        )
        .end(end);
    });
  }

  private jsError(page: string, sessionId: string, parent: Context): void {
    const e = ErrorAttributes;
    // The example page's validateCart() bug: the message carries an id, the fingerprint does not.
    const message = `cart ${Math.floor(Math.random() * 1e6)} has no items`;
    const stack = `TypeError: ${message}\n    at validateCart (${this.options.ordersUrl}/:52:13)\n    at HTMLButtonElement.<anonymous> (${this.options.ordersUrl}/:55:7)`;
    const span = this.tracer.startSpan(
      'exception',
      {
        attributes: {
          [e.type]: 'TypeError',
          [e.message]: message,
          [e.stacktrace]: stack,
          [e.fingerprint]: '5eeded0c0ffee001',
          [e.origin]: ErrorOrigins.uncaughtException,
          'page.path': page,
          'session.id': sessionId,
        },
      },
      parent,
    );
    span.addEvent('exception', { [e.type]: 'TypeError', [e.message]: message, [e.stacktrace]: stack });
    span.setStatus({ code: SpanStatusCode.ERROR, message });
    span.end();
  }

  /** A real request to orders-api under a client span, as the page's fetch instrumentation does. */
  private async fetchOrder(n: number, page: string, sessionId: string, parent: Context): Promise<void> {
    const url = `${this.options.ordersUrl}/api/orders/${1001 + (n % 3)}`;
    const span = this.tracer.startSpan(
      'GET',
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'http.request.method': 'GET',
          'url.full': url,
          'page.path': page,
          'session.id': sessionId,
        },
      },
      parent,
    );
    const { traceId, spanId } = span.spanContext();
    try {
      const response = await fetch(url, {
        headers: { traceparent: `00-${traceId}-${spanId}-01` },
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      span.setAttribute('http.response.status_code', response.status);
      if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    } catch (error) {
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : String(error),
      });
    } finally {
      span.end();
    }
  }
}

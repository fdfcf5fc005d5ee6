import { context, propagation, type Tracer, trace } from '@opentelemetry/api';
import { WEB_VITALS_SCOPE } from '@otelkit/conventions';
import { checkWebOptions } from './check-options.js';
import { watchErrors } from './errors.js';
import { PageViews } from './navigation.js';
import { SessionManager, type SessionStorageKind } from './session.js';
import { startTracing } from './tracing.js';
import type { BeforeSend, TransportStats } from './transport.js';
import { contextOf, Vitals, type VitalsPage } from './vitals.js';

/** Options of {@link initWeb}. Everything but `serviceName` is optional. */
export interface WebOptions {
  /** `service.name` of the page's telemetry, e.g. `shop-web`. */
  serviceName: string;
  /** `service.version`, e.g. the release or commit of the front end. */
  serviceVersion?: string;
  /** `deployment.environment.name`; the Collector fills `development` when absent. */
  environment?: string;
  /** Collector OTLP/HTTP base URL; `/v1/traces` is appended. Default `http://localhost:4318`. */
  endpoint?: string;
  /**
   * Cross-origin URLs that receive `traceparent`, so their server spans join the browser trace: a
   * string is a prefix of the request URL (`'https://api.example.com/'`), a RegExp is matched as
   * is. Same-origin requests always do. Those servers must allow the header (CORS).
   */
  propagateTraceHeaderCorsUrls?: (string | RegExp)[];
  /** URLs whose fetch/XHR calls are not traced: strings are prefixes, RegExps are matched as is. */
  ignoreUrls?: (string | RegExp)[];
  /**
   * Keep the session in `sessionStorage` (default: ends with the tab) or `localStorage` (across
   * tabs). Either way the person's input and tab switches keep it alive, not spans.
   */
  sessionStorage?: SessionStorageKind;
  /**
   * Share of sessions whose telemetry is sent, 0 to 1, decided once per session. Default 1. An
   * unsampled session sends no `traceparent`, so backends still sample their own traces.
   */
  sampleRate?: number;
  /** Runs on every span after scrubbing; change it in place, return `false` to drop it. */
  beforeSend?: BeforeSend;
  /** The page label of spans and vitals: a route template keeps cardinality low. Default: the path. */
  pagePath?: (location: Location) => string;
  /** Spans kept in memory while the Collector is unreachable; beyond it the oldest go. Default 1000. */
  maxBufferedSpans?: number;
  /** How long spans wait to be batched, ms. Default 2000. */
  batchDelayMs?: number;
  /** Budget of one export including the exporter's retries, ms. Default 10000. */
  exportTimeoutMs?: number;
  /** Core Web Vitals. Default true. */
  vitals?: boolean;
  /**
   * Uncaught errors, unhandled rejections and CSP violations. Default true. Errors of one
   * fingerprint beyond the first 5 per page view are sent as one summary span with a count.
   */
  errors?: boolean;
  /** Document load spans. Default true. */
  documentLoad?: boolean;
  /** fetch spans. Default true. */
  fetch?: boolean;
  /** XMLHttpRequest spans. Default true. */
  xhr?: boolean;
}

/** What {@link initWeb} returns. */
export interface WebHandle {
  /** A tracer for the app's own spans; they join the current page view's trace. */
  tracer: Tracer;
  /** The current `session.id`. */
  sessionId(): string;
  /** Transport counters: sent, buffered, dropped (buffer full), refused, filtered. */
  stats(): TransportStats;
  /** Sends everything finished so far. */
  flush(): Promise<void>;
  /** Flushes and stops; instrumentation stays patched but records nothing. */
  shutdown(): Promise<void>;
}

let running: WebHandle | undefined;

/** The path without ids in its segments would be nicer, but only the app knows its routes. */
const defaultPagePath = (location: Location) => location.pathname;

/**
 * Starts browser telemetry: document load, fetch and XHR traces (with `traceparent` to the same
 * origin and the listed ones), page views and route changes, Core Web Vitals, errors and CSP
 * violations, sessions, and an unload-safe transport. Idempotent: a second call returns the first
 * handle. Never throws: an unusable option is replaced with one console warning, and if start-up
 * fails anyway (an unsupported browser) it returns a handle that does nothing.
 */
export function initWeb(options: WebOptions): WebHandle {
  if (running) return running;
  const checked = checkWebOptions(options);
  for (const problem of checked.problems) console.warn(`[otelkit] ${problem}`);
  try {
    running = start(checked.options);
  } catch (error) {
    console.warn(
      `[otelkit] initWeb failed, telemetry is off: ${error instanceof Error ? error.message : String(error)}`,
    );
    // Undo what start() registered before it failed: no half-set-up telemetry runs on.
    trace.disable();
    context.disable();
    propagation.disable();
    running = {
      tracer: trace.getTracer('@otelkit/web'),
      sessionId: () => '',
      stats: () => ({ sent: 0, buffered: 0, dropped: 0, refused: 0, filtered: 0, state: 'up' }),
      flush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
  }
  return running;
}

function start(options: WebOptions): WebHandle {
  const sessions = new SessionManager(options.sessionStorage ?? 'session', options.sampleRate ?? 1);
  sessions.watchActivity();
  const pagePath = (location: Location) => {
    try {
      return (options.pagePath ?? defaultPagePath)(location);
    } catch {
      return location.pathname;
    }
  };
  let pageViews: PageViews | undefined;
  const { provider, contextManager, exporter, exportUrl } = startTracing({
    serviceName: options.serviceName,
    serviceVersion: options.serviceVersion,
    environment: options.environment,
    endpoint: options.endpoint ?? 'http://localhost:4318',
    propagateTraceHeaderCorsUrls: options.propagateTraceHeaderCorsUrls ?? [],
    ignoreUrls: options.ignoreUrls ?? [],
    sessions,
    page: () => pageViews?.current() ?? pagePath(window.location),
    beforeSend: options.beforeSend,
    maxBufferedSpans: options.maxBufferedSpans ?? 1000,
    batchDelayMs: options.batchDelayMs ?? 2000,
    exportTimeoutMs: options.exportTimeoutMs ?? 10_000,
    instrumentations: {
      documentLoad: options.documentLoad ?? true,
      fetch: options.fetch ?? true,
      xhr: options.xhr ?? true,
    },
  });
  const tracer = provider.getTracer('@otelkit/web');
  const errors = (options.errors ?? true) ? watchErrors(tracer, exportUrl) : undefined;
  // Errors held back by the per-fingerprint limit are summarised under the page view they belong to.
  pageViews = new PageViews(tracer, contextManager, pagePath, () => errors?.reset());
  // Dated at navigation start, so the page view spans document load and everything after.
  pageViews.start('load');
  pageViews.watchRoutes();
  // Vitals belong to the page view they measure: the load's, or after a back/forward-cache
  // restore (new web-vitals ids, navigation type `back-forward-cache`) the restore's.
  const load: VitalsPage = { page: pageViews.current(), parent: contextOf(pageViews.active()) };
  let restore = load;
  // Registered before web-vitals' own pageshow listeners, so the restore's page view exists when
  // its TTFB is reported from one of them.
  addEventListener(
    'pageshow',
    (event) => {
      if (!event.persisted || !pageViews) return;
      pageViews.start('restore');
      restore = { page: pageViews.current(), parent: contextOf(pageViews.active()) };
    },
    true,
  );
  let vitals: Vitals | undefined;
  if (options.vitals ?? true) {
    vitals = new Vitals(
      provider.getTracer(WEB_VITALS_SCOPE),
      () => load,
      () => restore,
    );
    vitals.start();
  }
  exporter.setOnDropped((count) => {
    tracer.startSpan('telemetry dropped', { attributes: { 'otelkit.web.dropped_spans': count } }).end();
  });

  const flush = () => provider.forceFlush().catch(() => undefined);
  // At hide, in requests an unload does not cancel, the page view, vitals and errors first.
  const flushOnHide = (urgentOnly = false) =>
    exporter.flushOnHide(() => provider.forceFlush(), { urgentOnly }).catch(() => undefined);
  // web-vitals reports the final CLS/INP from visibilitychange listeners in the capture phase on
  // window, and adds some of them only while the page runs (the INP of an interaction not yet
  // processed when the page is hidden). A listener on document itself runs after every capture
  // listener on window, whenever it was added, so the latest values are known here. It ends
  // spans first, then flushes while the page can still send.
  // No `unload`/`beforeunload`: they break the back/forward cache and are unreliable on mobile.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'hidden') return;
    vitals?.flush();
    errors?.flush();
    void flushOnHide();
  });
  addEventListener(
    'pagehide',
    () => {
      pageViews?.end('pagehide');
      if (document.visibilityState === 'hidden') {
        // Hidden already (a background tab closed): visibilitychange came before, not again.
        vitals?.flush();
        void flushOnHide();
        return;
      }
      // A visible page being left: browsers fire visibilitychange right after pagehide, in the same
      // task, and only then does web-vitals report the final CLS/INP. Sent now, they would be sent
      // again there, changed, with the same id: two samples of one page view. So they wait for it,
      // and so does everything but page views, vitals and errors, which leave now in case a browser
      // does not fire it (every browser that measures CLS or INP does): what the visibilitychange
      // flush adds, final CLS/INP first, then still fits the budget of requests an unload keeps.
      void flushOnHide(true);
    },
    true,
  );

  return {
    tracer,
    sessionId: () => sessions.current().id,
    stats: () => exporter.stats(),
    flush,
    shutdown: async () => {
      pageViews?.end('shutdown');
      await flush();
      await provider.shutdown().catch(() => undefined);
      context.disable();
    },
  };
}

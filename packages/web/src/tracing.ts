import { type Context, ROOT_CONTEXT, type Span, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { DocumentLoadInstrumentation } from '@opentelemetry/instrumentation-document-load';
import { FetchInstrumentation } from '@opentelemetry/instrumentation-fetch';
import { XMLHttpRequestInstrumentation } from '@opentelemetry/instrumentation-xml-http-request';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { StackContextManager, WebTracerProvider } from '@opentelemetry/sdk-trace-web';
import { SampledOnlyPropagator, toUrlPatterns } from './propagation.js';
import type { SessionManager } from './session.js';
import { SessionSampler } from './session.js';
import { type BeforeSend, ResilientExporter } from './transport.js';

/** Attribute carrying the session id on every span. */
export const SESSION_ID = 'session.id';
/** Attribute carrying the page (path or route template) on every span. */
export const PAGE_PATH = 'page.path';

/**
 * StackContextManager (no zone.js: ~14 KB gzipped saved) loses context across `await` and event
 * handlers, so a click's fetch would start a new trace. Falling back to the current page view span
 * when nothing else is active makes document load, fetch, XHR and errors of one page view one trace,
 * and the Node server span a child of the browser's fetch span within it.
 */
export class PageContextManager extends StackContextManager {
  private fallback: Context | undefined;
  // The empty context of the @opentelemetry/api copy the stack manager uses, which is the
  // application's ROOT_CONTEXT only when the bundle holds one copy of the API.
  private readonly stackRoot = super.active();

  /** Makes `span` the parent of spans started with nothing else active; `undefined` clears it. */
  setPageSpan(span: Span | undefined): void {
    this.fallback = span ? trace.setSpan(ROOT_CONTEXT, span) : undefined;
  }

  /**
   * The active context, or the page view's when nothing is active. Only then: a context without
   * a span that code made on purpose (`trace.deleteSpan()`, to start a new trace) stays as it is.
   */
  override active(): Context {
    const current = super.active();
    return this.fallback && (current === ROOT_CONTEXT || current === this.stackRoot)
      ? this.fallback
      : current;
  }
}

/**
 * Stamps session and page on every span as it starts. A span is not activity: polling fetches and
 * this library's own spans would keep a session open with nobody there (see SessionManager).
 */
export class PageSpanProcessor implements SpanProcessor {
  /**
   * @param sessions the session whose id spans carry
   * @param page the current page label
   */
  constructor(
    private readonly sessions: SessionManager,
    private readonly page: () => string,
  ) {}

  /** Sets `session.id` and, unless the span brings its own, `page.path`. */
  onStart(span: Parameters<SpanProcessor['onStart']>[0]): void {
    try {
      span.setAttribute(SESSION_ID, this.sessions.current().id);
      // Vitals carry the page they were measured on; route changes must not relabel them.
      if (span.attributes[PAGE_PATH] === undefined) span.setAttribute(PAGE_PATH, this.page());
    } catch {
      // Never let bookkeeping break span creation.
    }
  }
  /** Nothing to do when a span ends. */
  onEnd(): void {}
  /** Nothing buffered. */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  /** Nothing to release. */
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** Options of {@link startTracing}. */
export interface TracingOptions {
  serviceName: string;
  serviceVersion?: string | undefined;
  environment?: string | undefined;
  /** Collector OTLP/HTTP base URL. */
  endpoint: string;
  propagateTraceHeaderCorsUrls: (string | RegExp)[];
  ignoreUrls: (string | RegExp)[];
  sessions: SessionManager;
  page: () => string;
  beforeSend?: BeforeSend | undefined;
  maxBufferedSpans: number;
  batchDelayMs: number;
  exportTimeoutMs: number;
  instrumentations: { documentLoad: boolean; fetch: boolean; xhr: boolean };
}

/** The running tracing pipeline. */
export interface Tracing {
  provider: WebTracerProvider;
  contextManager: PageContextManager;
  exporter: ResilientExporter;
  /** The OTLP traces URL spans are sent to. */
  exportUrl: string;
}

/** Sets up the provider, exporter chain and instrumentations. */
export function startTracing(options: TracingOptions): Tracing {
  const url = `${options.endpoint.replace(/\/$/, '')}/v1/traces`;
  const exporter = new ResilientExporter(
    new OTLPTraceExporter({ url, timeoutMillis: options.exportTimeoutMs }),
    { url, maxBufferedSpans: options.maxBufferedSpans, beforeSend: options.beforeSend },
  );
  const resource = resourceFromAttributes({
    'service.name': options.serviceName,
    ...(options.serviceVersion ? { 'service.version': options.serviceVersion } : {}),
    ...(options.environment ? { 'deployment.environment.name': options.environment } : {}),
    'telemetry.sdk.language': 'webjs',
  });
  const provider = new WebTracerProvider({
    resource,
    sampler: new SessionSampler(options.sessions),
    spanProcessors: [
      new PageSpanProcessor(options.sessions, options.page),
      new BatchSpanProcessor(exporter, {
        scheduledDelayMillis: options.batchDelayMs,
        maxExportBatchSize: 256,
        maxQueueSize: 2048,
        // init.ts flushes on hide itself, after the vitals and page view spans have ended.
        disableAutoFlushOnDocumentHide: true,
      }),
    ],
  });
  const contextManager = new PageContextManager();
  // traceparent only for sampled spans: an unsampled session must not switch the backend off.
  provider.register({ contextManager, propagator: new SampledOnlyPropagator() });
  // The Collector's own URL is never traced (an export would create a span that needs exporting).
  const ignoreUrls = toUrlPatterns([url, ...options.ignoreUrls]);
  const propagateTraceHeaderCorsUrls = toUrlPatterns(options.propagateTraceHeaderCorsUrls);
  // clearTimingResources stays off (the upstream default): it would empty the page's resource
  // timing buffer for everyone, document load, web-vitals' LCP attribution and other tools alike.
  const instrumentations = [];
  if (options.instrumentations.documentLoad) instrumentations.push(new DocumentLoadInstrumentation());
  if (options.instrumentations.fetch) {
    instrumentations.push(
      new FetchInstrumentation({
        propagateTraceHeaderCorsUrls,
        ignoreUrls,
      }),
    );
  }
  if (options.instrumentations.xhr) {
    instrumentations.push(
      new XMLHttpRequestInstrumentation({
        propagateTraceHeaderCorsUrls,
        ignoreUrls,
      }),
    );
  }
  registerInstrumentations({ tracerProvider: provider, instrumentations });
  return { provider, contextManager, exporter, exportUrl: url };
}

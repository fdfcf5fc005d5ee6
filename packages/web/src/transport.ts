import type { Attributes, HrTime, SpanContext, SpanKind } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { scrubAttributes, scrubText } from './privacy.js';

/*
 * What OTel's OTLP/HTTP exporter (0.223) already does in the browser, and we therefore reuse:
 * fetch with `keepalive` while the pending keepalive bodies stay inside a 60 KiB / 9-request budget
 * and a plain fetch when over it; up to five retries of 429/502/503/504 and network errors with
 * backoff, honouring Retry-After, within the export timeout; `fetch.__original` so its own requests
 * are not traced. What it does not do, and this wrapper adds: keep data through an outage longer
 * than one export (it drops the batch), bound and count what is lost, tell a Collector that is down
 * from one that refuses this origin (both are a bare TypeError to fetch), warn once instead of
 * never, scrub and filter spans before they leave, and never report failure into the page.
 */

/** What a `beforeSend` hook sees and may change. */
export interface SendableSpan {
  /** Span name; may be changed. */
  name: string;
  /** Attributes, already scrubbed; may be changed in place. */
  attributes: Attributes;
  /** OTLP span kind. */
  readonly kind: SpanKind;
  /** Instrumentation scope name, e.g. `@opentelemetry/instrumentation-fetch`. */
  readonly scope: string;
}

/** Return `false` to drop the span; change `span` in place to alter it. */
export type BeforeSend = (span: SendableSpan) => boolean | undefined;

/** Counters of the transport, for diagnostics and tests. */
export interface TransportStats {
  /** Spans accepted by the Collector. */
  sent: number;
  /** Spans waiting in memory for the Collector to come back. */
  buffered: number;
  /** Spans dropped because the buffer was full (the oldest go first). */
  dropped: number;
  /** Spans the Collector refused (CORS, 4xx): not retried. */
  refused: number;
  /** Spans a `beforeSend` hook dropped. */
  filtered: number;
  /** `up`, `down` (buffering, retrying with backoff) or `refused`. */
  state: 'up' | 'down' | 'refused';
}

/** Options of {@link ResilientExporter}. */
export interface ResilientExporterOptions {
  /** The OTLP traces URL, used to probe whether the Collector is reachable at all. */
  url: string;
  /** Most spans kept in memory while the Collector is unreachable. */
  maxBufferedSpans: number;
  /** Optional hook run on each span after scrubbing. */
  beforeSend?: BeforeSend | undefined;
  /** Called after an outage with the number of spans dropped during it. */
  onDropped?: ((count: number) => void) | undefined;
}

const INITIAL_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;
const DRAIN_BATCH = 256;

type FetchLike = typeof fetch;

function originalFetch(): FetchLike {
  const f = globalThis.fetch as FetchLike & { __original?: FetchLike };
  // Instrumentation-fetch keeps the real fetch here; a probe must not become a span.
  return typeof f.__original === 'function' ? f.__original : f;
}

/** A scrubbed copy of a finished span: the SDK's own object stays untouched. */
function copySpan(span: ReadableSpan, name: string, attributes: Attributes): ReadableSpan {
  return {
    name,
    kind: span.kind,
    spanContext: (): SpanContext => span.spanContext(),
    ...(span.parentSpanContext ? { parentSpanContext: span.parentSpanContext } : {}),
    startTime: span.startTime,
    endTime: span.endTime,
    status: span.status.message ? { ...span.status, message: scrubText(span.status.message) } : span.status,
    attributes,
    links: span.links,
    events: span.events.map((event) => ({
      ...event,
      ...(event.attributes ? { attributes: scrubAttributes(event.attributes) } : {}),
    })),
    duration: span.duration as HrTime,
    ended: span.ended,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

/**
 * Wraps the OTLP exporter: scrubs spans and runs `beforeSend`, keeps a capped in-memory buffer
 * while the Collector is down (oldest dropped and counted), retries with exponential backoff,
 * and warns once on the console when the Collector refuses this page. Never throws; always
 * reports success to the span processor so the SDK does not log errors into the page's console.
 */
export class ResilientExporter implements SpanExporter {
  private buffer: ReadableSpan[] = [];
  private readonly stats_: Omit<TransportStats, 'buffered'> = {
    sent: 0,
    dropped: 0,
    refused: 0,
    filtered: 0,
    state: 'up',
  };
  private droppedReported = 0;
  private backoffMs = INITIAL_BACKOFF_MS;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private draining = false;
  private warned = false;

  /**
   * @param inner the OTLP exporter that actually sends
   * @param options buffering, hook and reporting settings
   */
  constructor(
    private readonly inner: SpanExporter,
    private options: ResilientExporterOptions,
  ) {}

  /** Sets the callback told, once the Collector is back, how many spans an outage cost. */
  setOnDropped(callback: (count: number) => void): void {
    this.options.onDropped = callback;
  }

  /** Counters since the page loaded. */
  stats(): TransportStats {
    return { ...this.stats_, buffered: this.buffer.length };
  }

  /** Scrubs and filters spans, then sends them, or buffers them while the Collector is down. */
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let prepared: ReadableSpan[] = [];
    try {
      prepared = this.prepare(spans);
    } catch {
      // A faulty hook must not cost the page its telemetry pipeline; send nothing of this batch.
    }
    if (prepared.length === 0 || this.stats_.state === 'down') {
      this.enqueue(prepared);
      resultCallback({ code: ExportResultCode.SUCCESS });
      return;
    }
    this.send(prepared, () => resultCallback({ code: ExportResultCode.SUCCESS }));
  }

  private prepare(spans: ReadableSpan[]): ReadableSpan[] {
    const out: ReadableSpan[] = [];
    for (const span of spans) {
      const view: SendableSpan = {
        name: scrubText(span.name),
        attributes: scrubAttributes(span.attributes),
        kind: span.kind,
        scope: span.instrumentationScope.name,
      };
      if (this.options.beforeSend) {
        let keep: boolean | undefined = true;
        try {
          keep = this.options.beforeSend(view);
        } catch {
          // The hook's bug is the app's to fix; the span is dropped rather than sent unfiltered.
          keep = false;
        }
        if (keep === false) {
          this.stats_.filtered++;
          continue;
        }
      }
      out.push(copySpan(span, view.name, view.attributes));
    }
    return out;
  }

  private enqueue(spans: ReadableSpan[]): void {
    if (spans.length === 0) return;
    this.buffer.push(...spans);
    const excess = this.buffer.length - this.options.maxBufferedSpans;
    if (excess > 0) {
      this.buffer.splice(0, excess);
      this.stats_.dropped += excess;
    }
    this.scheduleRetry();
  }

  private send(spans: ReadableSpan[], done: () => void): void {
    try {
      this.inner.export(spans, (result) => {
        if (result.code === ExportResultCode.SUCCESS) {
          this.stats_.sent += spans.length;
          this.onUp();
          done();
          return;
        }
        void this.onFailure(spans, result.error).finally(done);
      });
    } catch (error) {
      void this.onFailure(spans, error).finally(done);
    }
  }

  private async onFailure(spans: ReadableSpan[], error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    if (/non-retryable status/.test(message)) {
      // 400, 401, 403, 413...: the Collector will refuse the same bytes again.
      this.refuse(spans, message);
      return;
    }
    if (/network error/i.test(message) && (await this.reachable())) {
      // fetch failed, yet the host answers: the Collector refused this origin's CORS preflight.
      this.refuse(
        spans,
        `CORS: origin ${globalThis.location?.origin} is not in the Collector's allowed_origins`,
      );
      return;
    }
    // Down, offline, 429/503 beyond the exporter's own retries, or its concurrency limit: keep.
    this.stats_.state = 'down';
    this.enqueue(spans);
  }

  private refuse(spans: ReadableSpan[], reason: string): void {
    this.stats_.refused += spans.length;
    this.stats_.state = 'refused';
    if (this.warned) return;
    this.warned = true;
    try {
      console.warn(`[otelkit] The Collector at ${this.options.url} refused telemetry (${reason}).`);
    } catch {
      // console may be stubbed out; nothing else to do.
    }
  }

  /** Whether the Collector's host answers at all: an opaque no-cors request needs no CORS. */
  private async reachable(): Promise<boolean> {
    try {
      await originalFetch()(this.options.url, { method: 'POST', mode: 'no-cors', body: '' });
      return true;
    } catch {
      return false;
    }
  }

  private onUp(): void {
    this.stats_.state = 'up';
    this.backoffMs = INITIAL_BACKOFF_MS;
    if (this.buffer.length > 0) this.drain();
    const lost = this.stats_.dropped - this.droppedReported;
    if (lost > 0 && this.options.onDropped) {
      this.droppedReported = this.stats_.dropped;
      try {
        this.options.onDropped(lost);
      } catch {
        // Reporting the loss is best effort.
      }
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== undefined || this.stats_.state !== 'down') return;
    const jitter = 0.8 + Math.random() * 0.4;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.drain();
    }, this.backoffMs * jitter);
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
  }

  /** Sends the buffer oldest first, one batch at a time; a failure puts the batch back in front. */
  private drain(): void {
    if (this.draining || this.buffer.length === 0) return;
    this.draining = true;
    const batch = this.buffer.splice(0, DRAIN_BATCH);
    try {
      this.inner.export(batch, (result) => {
        this.draining = false;
        if (result.code === ExportResultCode.SUCCESS) {
          this.stats_.sent += batch.length;
          this.onUp();
          return;
        }
        // Back in front, so order and the drop-oldest rule hold; then wait longer.
        this.buffer.unshift(...batch);
        const excess = this.buffer.length - this.options.maxBufferedSpans;
        if (excess > 0) {
          this.buffer.splice(0, excess);
          this.stats_.dropped += excess;
        }
        this.stats_.state = 'down';
        this.scheduleRetry();
      });
    } catch {
      this.draining = false;
      this.buffer.unshift(...batch);
      this.scheduleRetry();
    }
  }

  /** Sends what the processor has handed over and is not buffered. */
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  /** Stops retrying and shuts the inner exporter down. */
  shutdown(): Promise<void> {
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    return this.inner.shutdown();
  }
}

import {
  type Attributes,
  type HrTime,
  type SpanContext,
  type SpanKind,
  SpanStatusCode,
} from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { SECURITY_EVENT_NAME, WEB_VITALS_SCOPE } from '@otelkit/conventions';
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

/*
 * At page hide only requests started then, with `keepalive`, are sure to outlive an unload, and
 * the exporter sets `keepalive` only while all pending keepalive bodies fit in 60 KiB (Chromium's
 * limit is 64 KiB and 9 requests): one 256-span batch is often larger, goes without, and is
 * cancelled with the page. So what is sent at hide is split into requests of at most
 * HIDE_REQUEST_BYTES (estimated), the page view, vitals and errors first, so they are the ones
 * inside the keepalive budget. Up to HIDE_PARALLEL requests start at once (the exporter allows 30
 * concurrent exports): those past the budget go without keepalive, best effort, as they did
 * before, and any rest follows as they complete while the page lives on (a tab switch).
 */
const HIDE_REQUEST_BYTES = 16 * 1024;
const HIDE_PARALLEL = 16;
/** OTLP/JSON wrapping of one request (resource, scope) and of each span, attribute and event. */
const REQUEST_BYTES = 1024;
const SPAN_BYTES = 400;
const FIELD_BYTES = 48;
const encoder = new TextEncoder();

/**
 * An upper bound of a span's size in an OTLP/JSON request: its variable content in UTF-8, plus
 * generous fixed costs for ids, times and the `{"key":…,"value":{"stringValue":…}}` wrapping.
 * An estimate because the exporter's serializer (@opentelemetry/otlp-transformer) is its own
 * dependency, not ours; transport.test.ts checks the bound against it.
 */
function estimateBytes(span: ReadableSpan): number {
  let fields = Object.keys(span.attributes).length + span.links.length;
  for (const event of span.events) fields += 1 + Object.keys(event.attributes ?? {}).length;
  const text = JSON.stringify([span.name, span.attributes, span.events, span.links, span.status.message]);
  return SPAN_BYTES + fields * FIELD_BYTES + encoder.encode(text).byteLength;
}

/** Whether a span goes first at hide: page views (the traces' roots), vitals, errors, CSP reports. */
function urgent(span: ReadableSpan): boolean {
  return (
    !span.parentSpanContext ||
    span.instrumentationScope.name === WEB_VITALS_SCOPE ||
    span.status.code === SpanStatusCode.ERROR ||
    span.name === SECURITY_EVENT_NAME
  );
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
  /** Spans of the retry batch on its way: still buffered as far as stats() tells. */
  private retrying = 0;
  private warned = false;
  /** Spans exported while {@link flushOnHide} runs, to be sent its way. */
  private hiding: ReadableSpan[] | undefined;

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
    return { ...this.stats_, buffered: this.buffer.length + this.retrying };
  }

  /** Scrubs and filters spans, then sends them, or buffers them while the Collector is down. */
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let prepared: ReadableSpan[] = [];
    try {
      prepared = this.prepare(spans);
    } catch {
      // A faulty hook must not cost the page its telemetry pipeline; send nothing of this batch.
    }
    // While hiding, even with the Collector down: the page may be going away, and this is its
    // last chance to send (sendOnHide tries whatever the state).
    if (this.hiding) {
      this.hiding.push(...prepared);
      resultCallback({ code: ExportResultCode.SUCCESS });
      return;
    }
    if (prepared.length === 0 || this.stats_.state === 'down') {
      this.enqueue(prepared);
      resultCallback({ code: ExportResultCode.SUCCESS });
      return;
    }
    this.send(prepared, () => resultCallback({ code: ExportResultCode.SUCCESS }));
  }

  /**
   * Runs `flush` (the span processor's forceFlush, which hands its batches over synchronously)
   * and sends what it exports so that an unloading page gets the most out: in requests the
   * browser keeps alive, page views, vitals and errors first. Call when the page is hidden.
   * @param flush the span processor's forceFlush
   * @param options `urgentOnly`: send only page views, vitals, errors and CSP reports now and keep
   *   the rest for the next call, which the caller knows is about to follow (in the same task of
   *   an unload), so that what that call adds still fits the keepalive budget
   */
  flushOnHide(flush: () => Promise<void>, options: { urgentOnly?: boolean } = {}): Promise<void> {
    this.hiding = [];
    try {
      return flush();
    } finally {
      const spans = this.hiding;
      this.hiding = undefined;
      this.sendOnHide(spans, options.urgentOnly ?? false);
    }
  }

  private sendOnHide(hidden: ReadableSpan[], urgentOnly: boolean): void {
    // Spans held back at an earlier pagehide whose full hide never came, while the Collector
    // refuses the page, are trimmed by nothing else: holding back adds at most one flush.
    if (urgentOnly) this.trimBuffer();
    // What an outage left in the buffer goes too: a retry timer never fires once the page is gone,
    // and a Collector that was down a moment ago may well be back.
    let spans = hidden.concat(this.buffer.splice(0));
    if (urgentOnly) {
      // Kept in order in the buffer, which the next hide, in the same task, sends first thing
      // after its urgent spans. Not trimmed: the cap is for outages, and that hide sends them all.
      this.buffer.push(...spans.filter((s) => !urgent(s)));
      spans = spans.filter(urgent);
    }
    if (spans.length === 0) return;
    const chunks: { spans: ReadableSpan[]; bytes: number }[] = [];
    let chunk = { spans: [] as ReadableSpan[], bytes: Number.POSITIVE_INFINITY };
    for (const span of [...spans.filter(urgent), ...spans.filter((s) => !urgent(s))]) {
      const bytes = estimateBytes(span);
      if (chunk.bytes + bytes > HIDE_REQUEST_BYTES) {
        chunk = { spans: [], bytes: REQUEST_BYTES };
        chunks.push(chunk);
      }
      chunk.spans.push(span);
      chunk.bytes += bytes;
    }
    // The first requests go whatever the state; the rest only while the Collector answers, so a
    // tab switched away from during an outage costs a few failed requests, not one per chunk.
    let tries = HIDE_PARALLEL;
    const next = () => {
      const first = chunks.shift();
      if (!first) return;
      if (tries > 0 || this.stats_.state !== 'down') {
        tries--;
        this.send(first.spans, next);
        return;
      }
      // The Collector is down: the rest waits in the buffer, like any export.
      this.enqueue(first.spans.concat(...chunks.splice(0).map((c) => c.spans)));
    };
    for (let i = 0; i < HIDE_PARALLEL; i++) next();
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
    this.trimBuffer();
    this.scheduleRetry();
  }

  /** Drops the oldest spans over maxBufferedSpans, and counts them. */
  private trimBuffer(): void {
    const excess = this.buffer.length - this.options.maxBufferedSpans;
    if (excess > 0) {
      this.buffer.splice(0, excess);
      this.stats_.dropped += excess;
    }
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
    if (this.retrying > 0 || this.buffer.length === 0) return;
    const batch = this.buffer.splice(0, DRAIN_BATCH);
    this.retrying = batch.length;
    try {
      this.inner.export(batch, (result) => {
        this.retrying = 0;
        if (result.code === ExportResultCode.SUCCESS) {
          this.stats_.sent += batch.length;
          this.onUp();
          return;
        }
        this.putBack(batch);
      });
    } catch {
      this.retrying = 0;
      this.putBack(batch);
    }
  }

  /**
   * A drain batch that failed, or whose export threw, goes back in front, so order and the
   * drop-oldest rule hold; then the exporter is down, without which scheduleRetry would not
   * retry, and waits longer.
   */
  private putBack(batch: ReadableSpan[]): void {
    this.buffer.unshift(...batch);
    this.trimBuffer();
    this.stats_.state = 'down';
    this.scheduleRetry();
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

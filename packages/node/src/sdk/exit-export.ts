import { gzipSync } from 'node:zlib';
import { type Context, type MeterProvider, SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import {
  type ISerializer,
  JsonLogsSerializer,
  JsonTraceSerializer,
  ProtobufLogsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import {
  BatchLogRecordProcessor,
  type LogRecordExporter,
  type LogRecordProcessor,
  type ReadableLogRecord,
  type SdkLogRecord,
} from '@opentelemetry/sdk-logs';
import type {
  BufferConfig,
  ReadableSpan,
  Span,
  SpanExporter,
  SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-node';
import type { BatchOptions, SignalOptions } from '../config/options.js';
import type { ExitSendReport } from '../lifecycle/exit-send.js';
import { type ExitRequest, sendBeforeExit } from '../lifecycle/exit-sender.js';

// Sweeping the started spans for open ones once this many have started since the last sweep.
const SWEEP_EVERY = 256;
// Dropping the exported front of a signal's queued items once it is this long and half of them.
const COMPACT_FROM = 1024;

/**
 * Sampled spans started and not yet ended, the newest `limit` of them.
 *
 * An append per span and a sweep for the ended ones, every few hundred starts and whenever an
 * export is answered, rather than a Set: its insert and delete per span sat on the request path.
 * Ended spans wait for the next sweep.
 */
class OpenSpans {
  limit = Number.POSITIVE_INFINITY;
  private spans: Span[] = [];
  private sweepAt = SWEEP_EVERY;

  add(span: Span): void {
    this.spans.push(span);
    if (this.spans.length >= this.sweepAt) this.sweep();
  }

  /** The open spans, oldest first; forgets them all. */
  take(): Span[] {
    this.sweep();
    const open = this.spans;
    this.spans = [];
    return open;
  }

  /** Lets go of the spans that have ended. */
  sweep(): void {
    const spans = this.spans;
    let kept = 0;
    for (const span of spans) if (!span.ended) spans[kept++] = span;
    // A span the application never ends would stay for good: beyond the limit the oldest goes.
    const forgotten = Math.max(0, kept - this.limit);
    if (forgotten > 0) spans.copyWithin(0, forgotten, kept);
    spans.length = kept - forgotten;
    this.sweepAt = spans.length + SWEEP_EVERY;
  }
}

/**
 * One signal's items that a batch processor took but whose export has not been answered: those
 * in its buffer (`queued`, in the order it took them, which is the order it exports them in) and
 * the batches on their way. A batch is let go when its export is answered; an item at once when
 * the processor's full queue drops it (see {@link ExitExport.droppedItems}). Beyond a full buffer
 * and a batch, the oldest are forgotten, so that drops it is not told of cannot fill it.
 *
 * Arrays and whole batches rather than a set of items: a set costs a hash insert and delete per
 * item on the request path.
 */
class Unanswered<T> {
  limit = Number.POSITIVE_INFINITY;
  private queued: T[] = [];
  // queued[0, head) have left for export.
  private head = 0;
  // Each batch on its way, with how many of its first items were forgotten to keep the limit.
  private readonly onTheirWay = new Map<readonly T[], number>();
  private itemsOnTheirWay = 0;

  constructor(private readonly encode: (items: T[]) => ExitRequest | undefined) {}

  /** How many items are held. */
  get size(): number {
    return this.queued.length - this.head + this.itemsOnTheirWay;
  }

  /** The processor is about to take `item`: held before, as it may export it at once. */
  taking(item: T): void {
    this.queued.push(item);
  }

  /**
   * The processor took `item`, or its full queue `dropped` it. A dropped item is let go; a kept
   * one may push out the oldest (only after a drop is known, so that it does not push out one
   * still on its way).
   */
  took(item: T, dropped: boolean): void {
    if (dropped) {
      const last = this.queued.length - 1;
      if (last >= this.head && this.queued[last] === item) this.queued.length = last;
      else this.remove([item]);
    } else if (this.size > this.limit) {
      this.forgetOldest(this.size - this.limit);
    }
  }

  /** `items` left the processor for export. */
  exporting(items: readonly T[]): void {
    if (this.atFront(items)) {
      this.head += items.length;
      this.compact();
    } else {
      this.remove(items);
    }
    this.onTheirWay.set(items, 0);
    this.itemsOnTheirWay += items.length;
  }

  /** The export of `items` was answered: sent, or given up on after the exporter's retries. */
  answered(items: readonly T[]): void {
    const forgotten = this.onTheirWay.get(items);
    if (forgotten === undefined) return;
    this.onTheirWay.delete(items);
    this.itemsOnTheirWay -= items.length - forgotten;
  }

  /** The request that sends what is held, if anything is; forgets it all. */
  take(): ExitRequest | undefined {
    const items: T[] = [];
    for (const [batch, forgotten] of this.onTheirWay) items.push(...batch.slice(forgotten));
    items.push(...this.queued.slice(this.head));
    this.queued = [];
    this.head = 0;
    this.onTheirWay.clear();
    this.itemsOnTheirWay = 0;
    return items.length === 0 ? undefined : this.encode(items);
  }

  // The processor exports its oldest first, so a batch is normally the front of `queued`.
  private atFront(items: readonly T[]): boolean {
    const { queued, head } = this;
    if (items.length > queued.length - head) return false;
    for (let i = 0; i < items.length; i++) if (queued[head + i] !== items[i]) return false;
    return true;
  }

  // Exported items are not kept for the exit: the array goes when all have left (the usual case,
  // as the processor exports its whole buffer), or loses its front once that is most of it.
  private compact(): void {
    if (this.head === this.queued.length) {
      this.queued = [];
      this.head = 0;
    } else if (this.head >= COMPACT_FROM && this.head * 2 >= this.queued.length) {
      this.queued = this.queued.slice(this.head);
      this.head = 0;
    }
  }

  private remove(items: readonly T[]): void {
    const gone = new Set(items);
    this.queued = this.queued.slice(this.head).filter((item) => !gone.has(item));
    this.head = 0;
  }

  private forgetOldest(excess: number): void {
    // Batches on their way are older than anything queued.
    for (const [batch, forgotten] of this.onTheirWay) {
      if (excess === 0) return;
      const left = batch.length - forgotten;
      if (left <= excess) {
        this.onTheirWay.delete(batch);
      } else {
        this.onTheirWay.set(batch, forgotten + excess);
      }
      const dropped = Math.min(left, excess);
      this.itemsOnTheirWay -= dropped;
      excess -= dropped;
    }
    this.head += excess;
    this.compact();
  }
}

/** The `error.type` of a span that the process's end cut short. */
export const UNFINISHED_ERROR_TYPE = 'process_exit';

/**
 * Sends the spans and log records that `process.exit()` would drop.
 *
 * `process.exit()` ends the process as soon as the 'exit' listeners return, and the event loop no
 * longer runs in them: what the batch processors hold, and the batches whose export is on its way,
 * are lost. Applications call it everywhere, from a SIGTERM handler (`process.exit(0)`) to the end
 * of a graceful drain (`server.close(() => process.exit(0))`). The processors and exporters made
 * here keep track of what is not yet answered; in the 'exit' event that is encoded with the OTLP
 * exporters' own serializers and sent, blocking, from a worker thread.
 *
 * Spans still open then would never end, so they are ended there and sent with the rest. A server
 * or consumer span among them is a request or message the exit cut short: it gets an error status
 * that says why. Others (a CLI's span around its work, which calls `process.exit(0)` inside it)
 * end as they are.
 *
 * A batch whose request had already reached the Collector when the process exited is sent twice;
 * none is lost for that. Metrics are not sent (their collection is asynchronous), nor anything over
 * gRPC.
 */
export class ExitExport {
  private gaveUp = false;
  // Keyed by the exporter made here; each holds its own signal's items.
  private readonly signals = new Map<object, Unanswered<unknown>>();
  // Sampled spans started and not yet ended. A span the application never ends would stay here
  // for good, so beyond a full buffer's worth the oldest is forgotten.
  private readonly open = new OpenSpans();
  // Items the processors' full queues dropped so far; a change across a processor's onEnd or
  // onEmit means it dropped the item it was given.
  private drops = 0;

  /** Wraps an OTLP span exporter configured by `options`; gRPC ones are returned as they are. */
  spanExporter(inner: SpanExporter, options: SignalOptions): SpanExporter {
    if (options.protocol === 'grpc') return inner;
    const serializer = options.protocol === 'http/json' ? JsonTraceSerializer : ProtobufTraceSerializer;
    return this.track<ReadableSpan, SpanExporter>(inner, this.encoder(options, serializer));
  }

  /** Wraps an OTLP log record exporter configured by `options`; gRPC ones are returned as they are. */
  logExporter(inner: LogRecordExporter, options: SignalOptions): LogRecordExporter {
    if (options.protocol === 'grpc') return inner;
    const serializer = options.protocol === 'http/json' ? JsonLogsSerializer : ProtobufLogsSerializer;
    return this.track<ReadableLogRecord, LogRecordExporter>(inner, this.encoder(options, serializer));
  }

  /**
   * The batch processor for `exporter`, telling an exporter made here what it takes; it reports
   * itself (items processed, dropped, queued) to `meters`.
   */
  spanProcessor(exporter: SpanExporter, batch: BatchOptions, meters?: MeterProvider): SpanProcessor {
    // sdk-trace-base's types lag the processor they re-export, which takes and passes this option on.
    const config: BufferConfig & { selfObsMeterProvider?: MeterProvider } = {
      ...batch,
      ...(meters ? { selfObsMeterProvider: meters } : {}),
    };
    const processor = new BatchSpanProcessor(exporter, config);
    const unanswered = this.unanswered<ReadableSpan>(exporter, batch);
    if (!unanswered) return processor;
    const open = this.open;
    open.limit = batch.maxQueueSize;
    return {
      onStart: (span: Span, parent: Context) => {
        if (span.spanContext().traceFlags & TraceFlags.SAMPLED) open.add(span);
        processor.onStart(span, parent);
      },
      onEnd: (span: ReadableSpan) => {
        // The processor passes over unsampled spans, as the exporter never sees them.
        if (!(span.spanContext().traceFlags & TraceFlags.SAMPLED)) return processor.onEnd(span);
        unanswered.taking(span);
        const drops = this.drops;
        processor.onEnd(span);
        unanswered.took(span, this.drops !== drops);
      },
      forceFlush: () => processor.forceFlush(),
      shutdown: () => processor.shutdown(),
    };
  }

  /**
   * The batch processor for `exporter`, telling an exporter made here what it takes; it reports
   * itself (items processed, dropped, queued) to `meters`.
   */
  logProcessor(exporter: LogRecordExporter, batch: BatchOptions, meters?: MeterProvider): LogRecordProcessor {
    const processor = new BatchLogRecordProcessor({
      exporter,
      ...batch,
      ...(meters ? { selfObsMeterProvider: meters } : {}),
    });
    const unanswered = this.unanswered<ReadableLogRecord>(exporter, batch);
    if (!unanswered) return processor;
    return {
      onEmit: (record: SdkLogRecord) => {
        unanswered.taking(record);
        const drops = this.drops;
        processor.onEmit(record);
        unanswered.took(record, this.drops !== drops);
      },
      forceFlush: () => processor.forceFlush(),
      shutdown: () => processor.shutdown(),
    };
  }

  /**
   * Told, by the processors' `selfObsMeterProvider` (see `watchDroppedItems`), that a full queue
   * dropped `count` items. The processors drop the item they are given as they are given it, so
   * that item is then no longer held for the exit: it is counted as lost, and it does not push
   * out an older item that is still on its way.
   */
  droppedItems(count: number): void {
    this.drops += count;
  }

  /**
   * Sends nothing at exit from now on. For when a bounded flush on the way out found the
   * Collector unreachable: the process must not wait for it a second time as it ends.
   */
  abandon(): void {
    this.gaveUp = true;
  }

  /** Whether {@link abandon} was called: a flush on the way out found the Collector unreachable. */
  get abandoned(): boolean {
    return this.gaveUp;
  }

  /**
   * Ends the spans still open, which the process's end cuts short, with an error status saying
   * `why`; then sends what is unanswered, blocking at most `timeoutMs`. Only for when the process
   * is about to end and the event loop will not run again: the 'exit' event, or just before a
   * signal is re-raised.
   */
  sendAtExit(timeoutMs: number, why = 'the process exited before this span ended'): ExitSendReport {
    if (this.gaveUp) return { items: 0, outcome: undefined };
    this.endOpenSpans(why);
    let items = 0;
    const requests: ExitRequest[] = [];
    for (const unanswered of this.signals.values()) {
      const held = unanswered.size;
      // Delivered or lost by the time this returns: never for a second send.
      const request = unanswered.take();
      if (!request) continue;
      items += held;
      requests.push(request);
    }
    if (requests.length === 0) return { items: 0, outcome: undefined };
    return { items, outcome: sendBeforeExit(requests, timeoutMs) };
  }

  private endOpenSpans(why: string): void {
    const open = this.open.take();
    // Room for them among the unanswered, which otherwise would let the oldest finished spans go.
    for (const unanswered of this.signals.values()) unanswered.limit += open.length;
    for (const span of open) {
      if (span.kind === SpanKind.SERVER || span.kind === SpanKind.CONSUMER) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: why });
        if (span.attributes['error.type'] === undefined)
          span.setAttribute('error.type', UNFINISHED_ERROR_TYPE);
      }
      span.end();
    }
  }

  private unanswered<T>(exporter: object, batch: BatchOptions): Unanswered<T> | undefined {
    const unanswered = this.signals.get(exporter) as Unanswered<T> | undefined;
    if (unanswered) unanswered.limit = batch.maxQueueSize + batch.maxExportBatchSize;
    return unanswered;
  }

  private track<T, E extends SpanExporter | LogRecordExporter>(
    inner: E,
    encode: (items: T[]) => ExitRequest | undefined,
  ): E {
    const unanswered = new Unanswered<T>(encode);
    const exporter = {
      export: (items: T[], done: (result: ExportResult) => void) => {
        unanswered.exporting(items);
        (inner.export as (items: T[], done: (result: ExportResult) => void) => void)(items, (result) => {
          // Sent or given up on after the exporter's retries: either way not for the exit.
          unanswered.answered(items);
          this.open.sweep();
          done(result);
        });
      },
      shutdown: () => inner.shutdown(),
      forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
    } as E;
    this.signals.set(exporter, unanswered as unknown as Unanswered<unknown>);
    return exporter;
  }

  private encoder<T>(
    options: SignalOptions,
    serializer: ISerializer<T[], unknown>,
  ): (items: T[]) => ExitRequest | undefined {
    const headers: Record<string, string> = {
      ...options.headers,
      'Content-Type': options.protocol === 'http/json' ? 'application/json' : 'application/x-protobuf',
    };
    if (options.compression === 'gzip') headers['Content-Encoding'] = 'gzip';
    return (items) => {
      const encoded = serializer.serializeRequest(items);
      if (!encoded) return undefined;
      const body = options.compression === 'gzip' ? gzipSync(encoded) : encoded;
      return { url: options.endpoint, headers, body, tls: options.tls };
    };
  }
}

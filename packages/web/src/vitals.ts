import type { Attributes, HrTime } from '@opentelemetry/api';
import { type Context, ROOT_CONTEXT, type Tracer, trace } from '@opentelemetry/api';
import { addHrTimes, hrTime, millisToHrTime } from '@opentelemetry/core';
import { WEB_VITAL_DURATION_SCALE, WebVitalAttributes } from '@otelkit/conventions';
import {
  type CLSMetricWithAttribution,
  type FCPMetricWithAttribution,
  type INPMetricWithAttribution,
  type LCPMetricWithAttribution,
  onCLS,
  onFCP,
  onINP,
  onLCP,
  onTTFB,
  type TTFBMetricWithAttribution,
} from 'web-vitals/attribution';

/** One Core Web Vitals report from web-vitals' attribution build: CLS, FCP, INP, LCP or TTFB. */
export type AnyMetric =
  | CLSMetricWithAttribution
  | FCPMetricWithAttribution
  | INPMetricWithAttribution
  | LCPMetricWithAttribution
  | TTFBMetricWithAttribution;

/** The name of the largest of `parts`: which sub-part dominated a vital. */
function dominant(parts: Record<string, number | undefined>): string | undefined {
  let best: string | undefined;
  let bestValue = -1;
  for (const [name, value] of Object.entries(parts)) {
    if (value !== undefined && value > bestValue) {
      best = name;
      bestValue = value;
    }
  }
  return best;
}

/** Element and cause of a vital, from web-vitals' attribution build. */
export function attributionOf(metric: AnyMetric): {
  /** CSS selector of the element the vital is attributed to (LCP, INP, CLS), when known. */
  element?: string;
  /** The sub-part that dominated the vital (e.g. `resource_load_delay`), or the load state for CLS. */
  cause?: string;
} {
  switch (metric.name) {
    case 'LCP': {
      const a = metric.attribution;
      return {
        ...(a.target ? { element: a.target } : {}),
        cause:
          dominant({
            time_to_first_byte: a.timeToFirstByte,
            resource_load_delay: a.resourceLoadDelay,
            resource_load_duration: a.resourceLoadDuration,
            element_render_delay: a.elementRenderDelay,
          }) ?? 'unknown',
      };
    }
    case 'INP': {
      const a = metric.attribution;
      return {
        ...(a.interactionTarget ? { element: a.interactionTarget } : {}),
        cause:
          dominant({
            input_delay: a.inputDelay,
            processing_duration: a.processingDuration,
            presentation_delay: a.presentationDelay,
          }) ?? 'unknown',
      };
    }
    case 'CLS': {
      const a = metric.attribution;
      // The shift source is the element that moved; the cause is when in the load it moved.
      return {
        ...(a.largestShiftTarget ? { element: a.largestShiftTarget } : {}),
        cause: a.loadState ?? 'unknown',
      };
    }
    case 'FCP': {
      const a = metric.attribution;
      return {
        cause:
          dominant({ time_to_first_byte: a.timeToFirstByte, first_byte_to_fcp: a.firstByteToFCP }) ??
          'unknown',
      };
    }
    case 'TTFB': {
      const a = metric.attribution;
      return {
        cause:
          dominant({
            waiting: a.waitingDuration,
            cache: a.cacheDuration,
            dns: a.dnsDuration,
            connection: a.connectionDuration,
            request: a.requestDuration,
          }) ?? 'unknown',
      };
    }
  }
}

/** The page view vitals belong to: its page label and the context that makes it their parent. */
export interface VitalsPage {
  /** Page path or route template, the label vitals are judged by. */
  page: string;
  /** Context of the page view span. */
  parent: Context;
}

/**
 * Reports the five Core Web Vitals as spans of the `@otelkit/web-vitals` scope, per the contract
 * in @otelkit/conventions: span name = vital, duration = value in ms (CLS × 1000), with rating,
 * attribution and the page they were measured on. LCP, FCP and TTFB are final when web-vitals
 * reports them and are sent at once. CLS and INP grow while the page is used: the latest value is
 * kept and sent when the page is hidden, which may be the last chance. A user can come back and
 * make them worse; then the next hide sends the new value again, with the same `web_vital.id`, so
 * the backend can keep the last report per id. Unchanged values are never repeated, so a page
 * load that does not get worse after its first hide is still exactly one sample in the
 * Collector's histogram. A back/forward-cache restore starts new ids and so new reports, which
 * belong to the restore's page view, not to the load's (ended long before).
 */
export class Vitals {
  private readonly pending = new Map<string, AnyMetric>();
  /** Value last sent per web-vitals metric id. */
  private readonly sent = new Map<string, number>();

  /**
   * @param tracer tracer of the web-vitals scope
   * @param load the page view of the page load
   * @param restore the page view of the latest back/forward-cache restore, read when its vitals
   *   arrive (web-vitals reports them with navigation type `back-forward-cache`)
   */
  constructor(
    private readonly tracer: Tracer,
    private readonly load: () => VitalsPage,
    private readonly restore: () => VitalsPage,
  ) {}

  /** Subscribes to web-vitals. Call before registering the hide listener that calls {@link flush}. */
  start(): void {
    const now = (metric: AnyMetric) => this.emit(metric);
    const later = (metric: AnyMetric) => {
      this.pending.set(metric.id, metric);
    };
    onLCP(now);
    onFCP(now);
    onTTFB(now);
    onCLS(later, { reportAllChanges: true });
    onINP(later, { reportAllChanges: true });
  }

  /** Sends the latest CLS and INP whose value was not sent yet: call when the page is hidden. */
  flush(): void {
    for (const metric of this.pending.values()) this.emit(metric);
    this.pending.clear();
  }

  private emit(metric: AnyMetric): void {
    try {
      if (this.sent.get(metric.id) === metric.value) return;
      this.sent.set(metric.id, metric.value);
      const duration = metric.value * WEB_VITAL_DURATION_SCALE[metric.name];
      const { element, cause } = attributionOf(metric);
      const { page, parent } = metric.navigationType === 'back-forward-cache' ? this.restore() : this.load();
      const attributes: Attributes = {
        [WebVitalAttributes.name]: metric.name,
        [WebVitalAttributes.value]: metric.value,
        [WebVitalAttributes.rating]: metric.rating,
        [WebVitalAttributes.id]: metric.id,
        [WebVitalAttributes.navigationType]: metric.navigationType,
        [WebVitalAttributes.page]: page,
        ...(element ? { [WebVitalAttributes.element]: element } : {}),
        ...(cause ? { [WebVitalAttributes.cause]: cause } : {}),
      };
      const { start, end } = timelineOf(metric, duration);
      this.tracer.startSpan(metric.name, { startTime: start, attributes }, parent).end(end);
    } catch {
      // A vital lost is better than an exception in the page.
    }
  }
}

/**
 * Where on the page's performance timeline (ms since `performance.timeOrigin`) the span of a vital
 * lasting `duration` ms starts: where what it measures happens, not when web-vitals reported it
 * (TTFB after load, LCP at the first input, CLS and INP at hide). TTFB, FCP and LCP end at the
 * first byte and at the paint, so they start at navigation start, or at activation for a
 * prerendered page (web-vitals' value is measured from there); INP starts with the interaction and
 * ends at its next paint; CLS (no time of its own) starts at the first layout shift of the session
 * window it sums.
 * `undefined` when there is no entry to place it by: a back/forward-cache restore's FCP, LCP and
 * TTFB, which web-vitals measures from the restore up to the moment it reports them.
 */
function timelineStart(metric: AnyMetric, duration: number): number | undefined {
  switch (metric.name) {
    case 'TTFB': {
      const navigation = metric.entries[0];
      return navigation ? navigation.responseStart - duration : undefined;
    }
    case 'FCP':
    case 'LCP': {
      const paint = metric.entries.at(-1);
      return paint ? paint.startTime - duration : undefined;
    }
    case 'INP':
      return metric.entries.length > 0 ? metric.attribution.interactionTime : undefined;
    case 'CLS':
      return metric.entries[0]?.startTime;
  }
}

/**
 * The start and end of a vital's span as OTel times, `end - start` being exactly `duration`: the
 * Collector's histogram reads the span's duration as the vital's value.
 */
function timelineOf(metric: AnyMetric, duration: number): { start: HrTime; end: HrTime } {
  const now = performance.now();
  // Never past now: a vital cannot end in the future (Event Timing rounds durations to 8 ms).
  const start = Math.min(timelineStart(metric, duration) ?? now - duration, now - duration);
  // The conversion the SDK applies to the performance-timeline numbers document load's spans are
  // given (Span._getTime): time origin plus the number, corrected by how far Date.now() has drifted
  // from the monotonic clock, so vitals and document load share one timeline. Done here rather
  // than by the SDK because it reads a number past performance.now() as epoch milliseconds.
  const drift = Date.now() - (performance.timeOrigin + now);
  const startTime = hrTime(start + drift);
  return { start: startTime, end: addHrTimes(startTime, millisToHrTime(duration)) };
}

/** The context of `span`'s trace for vitals, or the root when there is no page view. */
export function contextOf(span: Parameters<typeof trace.setSpan>[1] | undefined): Context {
  return span ? trace.setSpan(ROOT_CONTEXT, span) : ROOT_CONTEXT;
}

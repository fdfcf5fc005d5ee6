/**
 * Core Web Vitals travel as spans, not metrics: the browser bundle then needs no metrics SDK
 * (about 12 KB gzipped), and the Collector's `span_metrics/web_vitals` connector turns them into
 * a histogram per vital, page and rating. Each vital is one INTERNAL span from the
 * {@link WEB_VITALS_SCOPE} scope, named after the vital, whose duration is the vital's value in
 * milliseconds. CLS has no unit, so it is carried as CLS × 1000 "milliseconds" (0.1 → 100 ms).
 */
export const WEB_VITALS_SCOPE = '@otelkit/web-vitals';

/** The five vitals, as span names. */
export const WebVitalNames = ['LCP', 'INP', 'CLS', 'FCP', 'TTFB'] as const;

/** Factor from a vital's value to its span duration in ms: 1000 for CLS, 1 for the rest. */
export const WEB_VITAL_DURATION_SCALE = { LCP: 1, INP: 1, FCP: 1, TTFB: 1, CLS: 1000 } as const;

/** Attributes on a vital span. */
export const WebVitalAttributes = {
  /** `LCP`, `INP`, `CLS`, `FCP` or `TTFB`. */
  name: 'web_vital.name',
  /** The raw value web-vitals reported (ms, or unitless for CLS). */
  value: 'web_vital.value',
  /** `good`, `needs-improvement` or `poor`, per web-vitals' thresholds. */
  rating: 'web_vital.rating',
  /** web-vitals' metric id, unique per page load and vital. */
  id: 'web_vital.id',
  /** `navigate`, `reload`, `back-forward`, `back-forward-cache`, `prerender`, `restore`. */
  navigationType: 'web_vital.navigation_type',
  /** CSS selector of the element the vital is attributed to (LCP, INP, CLS). */
  element: 'web_vital.attribution.element',
  /** What dominated the value: LCP/TTFB sub-part, INP phase, CLS shift source. */
  cause: 'web_vital.attribution.cause',
  /** Page the vital belongs to: the path, or the route template the app gives. */
  page: 'page.path',
} as const;

/** Histogram series the Collector derives from vital spans, as Prometheus stores them. */
export const WebVitalsMetrics = {
  /** Buckets of vital values (ms; CLS × 1000), labels `span_name` (the vital), `page_path`, `web_vital_rating`, `service_name`. */
  bucket: 'web_vitals_duration_milliseconds_bucket',
  /** Count series: vitals reported. */
  count: 'web_vitals_duration_milliseconds_count',
  /** Label of the page on those series. */
  pageLabel: 'page_path',
  /** Label of the rating on those series. */
  ratingLabel: 'web_vital_rating',
} as const;

/** Good / poor thresholds of each vital at p75, in the span's units (ms; CLS × 1000). */
export const WebVitalThresholds = {
  /** Largest Contentful Paint: 2.5 s / 4 s. */
  LCP: { good: 2500, poor: 4000 },
  /** Interaction to Next Paint: 200 ms / 500 ms. */
  INP: { good: 200, poor: 500 },
  /** Cumulative Layout Shift: 0.1 / 0.25, carried × 1000. */
  CLS: { good: 100, poor: 250 },
  /** First Contentful Paint: 1.8 s / 3 s. */
  FCP: { good: 1800, poor: 3000 },
  /** Time to First Byte: 0.8 s / 1.8 s. */
  TTFB: { good: 800, poor: 1800 },
} as const;

/** What the Collector's OTLP receiver accepted, cumulative since it started. */
export interface Accepted {
  spans: number;
  logRecords: number;
  metricPoints: number;
  /** Spans the receiver refused (memory_limiter pushing back): the sender retries or drops them. */
  refusedSpans: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;

/** Sum of counter `name` (with or without `_total`) over series whose labels contain `receiver="otlp"`. */
function sum(text: string, name: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const match = LINE.exec(line);
    if (!match || (match[1] !== name && match[1] !== `${name}_total`)) continue;
    if (!(match[2] ?? '').includes('receiver="otlp"')) continue;
    total += Number(match[3]);
  }
  return total;
}

/**
 * Reads the Collector's self-metrics. Used as a cross-check that both instrumented arms really
 * export all three signals (and how much), not as a measured figure, so a failed scrape yields
 * NaN rather than ending the run.
 */
export async function accepted(metricsUrl: string): Promise<Accepted> {
  try {
    const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(5000) });
    const text = response.ok ? await response.text() : '';
    return {
      spans: sum(text, 'otelcol_receiver_accepted_spans'),
      logRecords: sum(text, 'otelcol_receiver_accepted_log_records'),
      metricPoints: sum(text, 'otelcol_receiver_accepted_metric_points'),
      refusedSpans: sum(text, 'otelcol_receiver_refused_spans'),
    };
  } catch {
    return { spans: Number.NaN, logRecords: Number.NaN, metricPoints: Number.NaN, refusedSpans: Number.NaN };
  }
}

/** `after - before`, field by field. */
export function delta(before: Accepted, after: Accepted): Accepted {
  return {
    spans: after.spans - before.spans,
    logRecords: after.logRecords - before.logRecords,
    metricPoints: after.metricPoints - before.metricPoints,
    refusedSpans: after.refusedSpans - before.refusedSpans,
  };
}

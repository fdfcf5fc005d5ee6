/** One series of a Prometheus text exposition: name, labels and value. */
export interface Sample {
  /** Metric name as exposed, e.g. `otelcol_receiver_accepted_spans_total`. */
  name: string;
  /** Label pairs. */
  labels: Record<string, string>;
  /** Sample value. */
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the Prometheus text format the Collector's own `/metrics` endpoint serves. */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const match = LINE.exec(line);
    if (!match?.[1] || match[3] === undefined) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) if (key) labels[key] = value ?? '';
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/**
 * Sum of every series of counter `name` whose labels include `where`. Whether the exporter
 * appends `_total` depends on the Collector release and its settings, so both spellings count.
 */
export function counter(
  samples: readonly Sample[],
  name: string,
  where: Record<string, string> = {},
): number {
  let sum = 0;
  for (const sample of samples) {
    if (sample.name !== name && sample.name !== `${name}_total`) continue;
    if (Object.entries(where).every(([key, value]) => sample.labels[key] === value)) sum += sample.value;
  }
  return sum;
}

/** Fetches and parses a Collector's self-metrics; an empty list if it does not answer in time. */
export async function scrape(url: string): Promise<Sample[]> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) return [];
    return parseExposition(await response.text());
  } catch {
    // A cross-check only: a missed scrape shows up as a zero, it must not end the run.
    return [];
  }
}

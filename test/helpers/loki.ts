/** One log stream Loki returned: its labels (structured metadata included) and lines. */
export interface LokiStream {
  stream: Record<string, string>;
  values: [string, string][];
}

/** One series of a LogQL metric query. */
export interface LokiSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

type QueryRangeResponse =
  | { status: 'success'; data: { resultType: 'streams'; result: LokiStream[] } }
  | { status: 'success'; data: { resultType: 'matrix'; result: LokiSeries[] } };

/**
 * Runs `expr` over the last `sinceMs` through Loki's query_range API, as Grafana's Loki data
 * source does. A query Loki refuses (a parse error, an unknown function) throws with Loki's own
 * message, so a test names the query and the reason.
 */
export async function logql(
  loki: string,
  expr: string,
  { sinceMs = 15 * 60_000, limit = 100 } = {},
): Promise<LokiStream[] | LokiSeries[]> {
  const end = Date.now();
  const params = new URLSearchParams({
    query: expr,
    start: `${(end - sinceMs) * 1e6}`,
    end: `${end * 1e6}`,
    limit: String(limit),
    direction: 'backward',
  });
  const response = await fetch(`${loki}/loki/api/v1/query_range?${params}`);
  const body = await response.text();
  if (!response.ok) throw new Error(`Loki refused ${expr}: HTTP ${response.status} ${body.trim()}`);
  return (JSON.parse(body) as QueryRangeResponse).data.result;
}

/** The log streams of a log query; throws when `expr` is a metric query. */
export async function logStreams(loki: string, expr: string): Promise<LokiStream[]> {
  const result = await logql(loki, expr);
  if (result.some((r) => !('stream' in r))) throw new Error(`${expr} is a metric query, not a log query`);
  return result as LokiStream[];
}

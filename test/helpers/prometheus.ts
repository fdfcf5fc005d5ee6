/** One series of an instant-vector result. */
export interface Sample {
  metric: Record<string, string>;
  value: number;
}

interface ApiResponse<T> {
  status: 'success' | 'error';
  data: T;
  error?: string;
}

async function api<T>(base: string, path: string, params: Record<string, string>): Promise<T> {
  const response = await fetch(`${base}${path}?${new URLSearchParams(params)}`);
  const body = (await response.json()) as ApiResponse<T>;
  if (body.status !== 'success')
    throw new Error(`Prometheus ${path} ${JSON.stringify(params)}: ${body.error}`);
  return body.data;
}

/** Runs an instant PromQL query against a real Prometheus. */
export async function query(base: string, promql: string): Promise<Sample[]> {
  const data = await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
    base,
    '/api/v1/query',
    { query: promql },
  );
  return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

/** The raw values stored for each series `selector` matches over the last `window` (e.g. `30m`). */
export async function storedValues(base: string, selector: string, window: string): Promise<number[][]> {
  const data = await api<{ result: { values: [number, string][] }[] }>(base, '/api/v1/query', {
    query: `${selector}[${window}]`,
  });
  return data.result.map((r) => r.values.map(([, value]) => Number(value)));
}

/** Exemplars of the series a selector matches, over the last `windowSeconds`. */
export async function queryExemplars(
  base: string,
  selector: string,
  windowSeconds = 3600,
): Promise<
  { seriesLabels: Record<string, string>; exemplars: { labels: Record<string, string>; value: string }[] }[]
> {
  const end = Date.now() / 1000;
  return api(base, '/api/v1/query_exemplars', {
    query: selector,
    start: String(end - windowSeconds),
    end: String(end + 60),
  });
}

/** An alert as Prometheus' /api/v1/alerts lists it. */
export interface ActiveAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing' | 'inactive';
}

/** The alerts Prometheus holds now, pending or firing. */
export async function activeAlerts(base: string): Promise<ActiveAlert[]> {
  const data = await api<{ alerts: ActiveAlert[] }>(base, '/api/v1/alerts', {});
  return data.alerts;
}

/**
 * Probe paths of the Kubernetes convention (`/healthz`, `/livez`, `/readyz`), which existing
 * services serve themselves. With otelkit's own health endpoints they count as health probes:
 * every pod's kubelet calls them every few seconds, and a span each would bury the real traffic.
 */
export const CONVENTIONAL_PROBE_PATHS: readonly string[] = ['/healthz', '/livez', '/readyz'];

/**
 * A test for request paths (without the query) against `patterns`: a pattern matches its path
 * exactly, and one ending in `/*` also matches everything below it (`/internal/*` matches
 * `/internal` and `/internal/stats`). Matching is case-sensitive, as routing is.
 */
export function pathMatcher(patterns: readonly string[]): (path: string) => boolean {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const pattern of patterns) {
    if (pattern.endsWith('/*')) {
      const base = pattern.slice(0, -2);
      exact.add(base === '' ? '/' : base);
      prefixes.push(`${base}/`);
    } else {
      exact.add(pattern);
    }
  }
  if (prefixes.length === 0) return (path) => exact.has(path);
  return (path) => exact.has(path) || prefixes.some((prefix) => path.startsWith(prefix));
}

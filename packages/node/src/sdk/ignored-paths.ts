/**
 * Probe paths of the Kubernetes convention (`/healthz`, `/livez`, `/readyz`), which existing
 * services serve themselves. With otelkit's own health endpoints they count as health probes:
 * every pod's kubelet calls them every few seconds, and a span each would bury the real traffic.
 */
export const CONVENTIONAL_PROBE_PATHS: readonly string[] = ['/healthz', '/livez', '/readyz'];

/**
 * A test for request paths (without the query) against `patterns`: a pattern matches its path
 * exactly, and one ending in `/*` also matches everything below it (`/internal/*` matches
 * `/internal` and `/internal/stats`). Trailing slashes do not count, and an absolute-form target
 * (`GET http://host/healthz`) is compared by its path.
 *
 * Nothing else is normalised: case, percent-escapes and dot segments route differently in
 * different routers (Fastify is case-sensitive and decodes, Express is neither), and a variant
 * that one of them sends to another handler must keep its span. A probe sent in an odd form
 * costs one extra span; an ignored request of another route would be lost.
 */
export function pathMatcher(patterns: readonly string[]): (path: string) => boolean {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const pattern of patterns) {
    if (pattern.endsWith('/*')) {
      const base = routedPath(pattern.slice(0, -2) || '/');
      exact.add(base);
      prefixes.push(base === '/' ? '/' : `${base}/`);
    } else {
      exact.add(routedPath(pattern));
    }
  }
  if (prefixes.length === 0) return (path) => exact.has(routedPath(path));
  return (path) => {
    const routed = routedPath(path);
    return exact.has(routed) || prefixes.some((prefix) => routed.startsWith(prefix));
  };
}

/** `path` without trailing slashes, and an absolute-form target by its path, cut as sent. */
function routedPath(path: string): string {
  let routed = path;
  if (routed.charCodeAt(0) !== SLASH) {
    // `scheme://authority/path`; `*` (OPTIONS) and authority-form targets (CONNECT) have no path.
    const authority = routed.indexOf('://');
    if (authority <= 0) return routed;
    const start = routed.indexOf('/', authority + 3);
    routed = start === -1 ? '/' : routed.slice(start);
  }
  let end = routed.length;
  while (end > 1 && routed.charCodeAt(end - 1) === SLASH) end--;
  return end < routed.length ? routed.slice(0, end) : routed;
}

const SLASH = 0x2f;

/**
 * Probe paths of the Kubernetes convention (`/healthz`, `/livez`, `/readyz`), which existing
 * services serve themselves. With otelkit's own health endpoints they count as health probes:
 * every pod's kubelet calls them every few seconds, and a span each would bury the real traffic.
 */
export const CONVENTIONAL_PROBE_PATHS: readonly string[] = ['/healthz', '/livez', '/readyz'];

/**
 * A test for request paths (without the query) against `patterns`: a pattern matches its path
 * exactly, and one ending in `/*` also matches everything below it (`/internal/*` matches
 * `/internal` and `/internal/stats`). One trailing slash does not count, as in Express's default
 * routing. That is the one leniency, and a trade-off: probes configured with a slash are common,
 * while Fastify answers such a path 404 by default and sends it to another route only when it has
 * a wildcard one (`/*`, a single-page app's fallback).
 *
 * Nothing else is normalised: case, percent-escapes, dot segments and the host of an
 * absolute-form target (`GET http://host/healthz`) are read differently by different routers
 * (Fastify is case-sensitive and decodes, Express is neither), and a request that one of them
 * sends to another route must keep its span. A probe sent in an odd form costs one extra span;
 * an ignored request of another route would be lost.
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

/** `path` without one trailing slash; `//` stays, as Express 4 routes it elsewhere than `/`. */
function routedPath(path: string): string {
  const last = path.length - 1;
  return last > 0 && path.charCodeAt(last) === SLASH && path.charCodeAt(last - 1) !== SLASH
    ? path.slice(0, -1)
    : path;
}

const SLASH = 0x2f;

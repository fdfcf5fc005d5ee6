/**
 * Probe paths of the Kubernetes convention (`/healthz`, `/livez`, `/readyz`), which existing
 * services serve themselves. With otelkit's own health endpoints they count as health probes:
 * every pod's kubelet calls them every few seconds, and a span each would bury the real traffic.
 */
export const CONVENTIONAL_PROBE_PATHS: readonly string[] = ['/healthz', '/livez', '/readyz'];

/**
 * A test for request paths (without the query) against `patterns`: a pattern matches its path
 * exactly, and one ending in `/*` also matches everything below it (`/internal/*` matches
 * `/internal` and `/internal/stats`). Both sides are compared as routers would reach one handler:
 * in any case and without trailing slashes (Express's defaults), percent-decoded (Fastify's), and
 * an absolute-form target (`GET http://host/healthz`) by its path.
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

/** `path` as a router compares it; the common case, a plain lower-case path, costs two scans. */
function routedPath(path: string): string {
  let routed = path;
  if (routed.charCodeAt(0) !== SLASH) {
    try {
      routed = new URL(routed).pathname;
    } catch {
      return routed;
    }
  }
  if (routed.includes('%')) {
    try {
      routed = decodeURIComponent(routed);
    } catch {
      // Malformed escapes: routers answer 400 and match nothing, so neither does this.
    }
  }
  let end = routed.length;
  while (end > 1 && routed.charCodeAt(end - 1) === SLASH) end--;
  if (end < routed.length) routed = routed.slice(0, end);
  return routed.toLowerCase();
}

const SLASH = 0x2f;

import type { IncomingMessage, ServerResponse } from 'node:http';
import { maskSecrets } from '../security/sanitize-attributes.js';
import { defaultHealthRegistry, type HealthRegistry } from './health-registry.js';

/** The three health endpoints. */
export const HEALTH_PATHS = {
  /** Liveness: the process answers. Never runs checks, so a slow dependency can't get it killed. */
  live: '/health/live',
  /** Readiness: 503 when a critical check is unhealthy, so the load balancer stops sending traffic. */
  ready: '/health/ready',
  /** Deep report: every check's status, duration and detail, version and uptime. */
  deep: '/health',
} as const;

/** Which of the {@link HEALTH_PATHS} a request is for. */
export type HealthEndpoint = keyof typeof HEALTH_PATHS;

/** A response ready to send: what {@link handleHealthRequest} writes, for other frameworks to reuse. */
export interface HealthResponse {
  /** 200, or 503 when the service is unhealthy. */
  statusCode: number;
  /** `Content-Type` and `Cache-Control` (probes must never see a cached answer). */
  headers: Record<string, string>;
  /** JSON body. */
  body: string;
}

const ENDPOINT_BY_PATH: ReadonlyMap<string, HealthEndpoint> = new Map(
  Object.entries(HEALTH_PATHS).map(([endpoint, path]) => [path, endpoint as HealthEndpoint]),
);

/**
 * Normalises a request target to a path: drops the query and fragment, takes the path of an
 * absolute-form target (`http://host/health`, sent through proxies) and drops trailing slashes.
 */
function pathOf(target: string): string {
  const end = target.search(/[?#]/);
  let path = end === -1 ? target : target.slice(0, end);
  if (!path.startsWith('/')) {
    try {
      path = new URL(path).pathname;
    } catch {
      return path;
    }
  }
  while (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return path;
}

/** Which health endpoint a path (query string allowed) is, if any. */
export function healthEndpointOf(path: string): HealthEndpoint | undefined {
  return ENDPOINT_BY_PATH.get(pathOf(path));
}

// Where the adapters have served the endpoints from, besides the root: `app.use('/internal',
// expressHealth())` serves /internal/health. Shared through the global object by every copy of
// this package in the process (ESM and CommonJS), and bounded, as paths come from requests.
const MOUNTS_KEY = Symbol.for('otelkit.health.mounts');
const MAX_MOUNTS = 16;
const globalMounts = globalThis as typeof globalThis & { [MOUNTS_KEY]?: Set<string> };
globalMounts[MOUNTS_KEY] ??= new Set<string>();
const mounts = globalMounts[MOUNTS_KEY];

/**
 * Notes the prefix under which an adapter served `endpoint`, from the request's full path, so
 * that {@link isHealthPath} knows later probes of a mounted adapter too.
 */
export function noteHealthMount(endpoint: HealthEndpoint, fullPath: string | undefined): void {
  if (fullPath === undefined) return;
  // Lower case: Express matches mount paths in any case, so /INTERNAL and /internal are one.
  const path = pathOf(fullPath).toLowerCase();
  const suffix = HEALTH_PATHS[endpoint];
  if (path.length <= suffix.length || !path.endsWith(suffix)) return;
  const mount = path.slice(0, -suffix.length);
  // Most recent last; when full, the one noted longest ago goes, so no flood of others can keep
  // a mount that serves probes from being noted.
  mounts.delete(mount);
  mounts.add(mount);
  if (mounts.size > MAX_MOUNTS) mounts.delete(mounts.values().next().value as string);
}

/**
 * Whether a request path (query string allowed) is one of the health endpoints, whatever the
 * method: at the root, or under a prefix an adapter has served them from (known from its first
 * request there). The SDK uses it to keep probes, which arrive every few seconds, out of traces.
 */
export function isHealthPath(path: string): boolean {
  const normalised = pathOf(path);
  if (ENDPOINT_BY_PATH.has(normalised)) return true;
  if (mounts.size === 0) return false;
  const lower = normalised.toLowerCase();
  for (const mount of mounts) {
    if (lower.startsWith(mount) && ENDPOINT_BY_PATH.has(normalised.slice(mount.length))) return true;
  }
  return false;
}

/**
 * The health endpoint a request asks for, or `undefined` when the request is not ours: another
 * path, or a method other than GET and HEAD (left to the application, which may have its own).
 * Synchronous, so adapters hand other requests on without delay.
 */
export function matchHealthRequest(req: {
  method?: string | undefined;
  url?: string | undefined;
}): HealthEndpoint | undefined {
  if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
  return req.url === undefined ? undefined : healthEndpointOf(req.url);
}

/**
 * Computes the response for an endpoint. Never rejects: if the registry itself fails, the answer
 * is a 503 saying why (a readiness probe must fail closed, not hang).
 *
 * - `live`: 200 `{"status":"alive"}`, always: answering at all is the proof of life.
 * - `ready`: 200 `{"status":...}` unless overall `unhealthy` (503).
 * - `deep`: the full {@link HealthReport}, 200 for `healthy` and `degraded`, 503 for `unhealthy`.
 */
export async function healthResponse(
  endpoint: HealthEndpoint,
  registry: HealthRegistry = defaultHealthRegistry(),
): Promise<HealthResponse> {
  const headers = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
  if (endpoint === 'live') return { statusCode: 200, headers, body: JSON.stringify({ status: 'alive' }) };
  try {
    const report = await registry.run();
    const statusCode = report.status === 'unhealthy' ? 503 : 200;
    const body = endpoint === 'ready' ? { status: report.status } : report;
    return { statusCode, headers, body: JSON.stringify(body) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const detail = `health report failed: ${maskSecrets(reason)}`;
    return { statusCode: 503, headers, body: JSON.stringify({ status: 'unhealthy', detail }) };
  }
}

/**
 * Answers a node:http request if it is a GET or HEAD for one of the {@link HEALTH_PATHS}.
 *
 * @param registry defaults to the process-wide {@link defaultHealthRegistry}.
 * @returns `true` if it answered, `false` if the request is someone else's. Never rejects.
 */
export async function handleHealthRequest(
  req: IncomingMessage,
  res: ServerResponse,
  registry?: HealthRegistry,
): Promise<boolean> {
  const endpoint = matchHealthRequest(req);
  if (endpoint === undefined) return false;
  await sendHealthResponse(endpoint, req, res, registry);
  return true;
}

/**
 * Writes the response for an endpoint already matched by {@link matchHealthRequest}. Never rejects.
 *
 * @internal shared by the handler and the adapters.
 */
export async function sendHealthResponse(
  endpoint: HealthEndpoint,
  req: IncomingMessage,
  res: ServerResponse,
  registry?: HealthRegistry,
): Promise<void> {
  // Express hands a mounted middleware the path below its mount point, and keeps the whole one.
  noteHealthMount(endpoint, (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url);
  const response = await healthResponse(endpoint, registry);
  try {
    // Something else (a timeout middleware, a closed socket) may have answered in the meantime.
    if (res.headersSent || res.writableEnded || res.destroyed) return;
    res.writeHead(response.statusCode, {
      ...response.headers,
      'content-length': String(Buffer.byteLength(response.body)),
    });
    res.end(req.method === 'HEAD' ? undefined : response.body);
  } catch {
    // Writing to a response the client has abandoned must not become the app's problem.
  }
}

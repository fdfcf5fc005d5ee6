import type { Attributes } from '@opentelemetry/api';

// sdk-metrics' default cardinality limit per instrument and collection; past it, the interning
// is not worth the memory.
const MAX_SERIES = 2000;

/**
 * The attributes of `http.server.request.duration`, one frozen object per series.
 *
 * A server records the same few combinations of method, route and status over and over; with the
 * same frozen object each time, sdk-metrics hashes it once (see `hashFrozenAttributesOnce`)
 * instead of sorting and encoding its keys on every request. Beyond {@link MAX_SERIES}
 * combinations each request gets a fresh object, so a route-less flood cannot grow this.
 */
export class RequestDurationAttributes {
  private readonly series = new Map<string, Attributes>();

  /** The attributes of one request's duration; `status`, `route` and `error` when known. */
  get(
    method: string,
    scheme: string,
    protocolVersion: string,
    status: number | undefined,
    route: string | undefined,
    error: string | undefined,
  ): Attributes {
    // NUL, which neither an error type nor a route holds, so that no two combinations meet.
    const key = `${method}\0${scheme}\0${protocolVersion}\0${status ?? ''}\0${error ?? ''}\0${route ?? ''}`;
    let attributes = this.series.get(key);
    if (attributes !== undefined) return attributes;
    attributes = {
      'http.request.method': method,
      'url.scheme': scheme,
      'network.protocol.version': protocolVersion,
    };
    if (status !== undefined) attributes['http.response.status_code'] = status;
    if (route) attributes['http.route'] = route;
    if (error) attributes['error.type'] = error;
    if (this.series.size >= MAX_SERIES) return attributes;
    this.series.set(key, Object.freeze(attributes));
    return attributes;
  }
}

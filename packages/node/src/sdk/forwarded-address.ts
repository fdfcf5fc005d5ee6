import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import type { Attributes } from '@opentelemetry/api';
import parseForwarded from 'forwarded-parse';

/** The parts of an incoming request that {@link setAddressAttributes} reads. */
export interface AddressedRequest {
  headers: IncomingHttpHeaders;
  socket: { remoteAddress?: string | undefined; remotePort?: number | undefined };
}

/**
 * Sets `url.scheme`, `server.address`, `server.port`, `client.address`, `network.peer.address`
 * and `network.peer.port` of an incoming request as the stable HTTP semantic conventions define
 * them for a server behind proxies: the scheme is the one the original client used (`Forwarded`
 * `proto=`, else the first `X-Forwarded-Proto` entry, else the local server's), the server is the
 * host that client asked for (`Forwarded` `host=`, else `X-Forwarded-Host`, else `Host`), the
 * client is the original client (`Forwarded` `for=`, else the first `X-Forwarded-For` entry, else
 * the socket peer), and the peer is always the socket's.
 *
 * `url.scheme` is also an attribute of `http.server.request.duration`, so only `http` and `https`
 * are taken from the headers, which any client can forge: anything else would add series.
 *
 * A header that does not parse, or names no usable address (`for=unknown`, an obfuscated node, a
 * host with stray characters), is skipped for the next source; nothing here throws. Without
 * proxy headers this costs a lookup per header and the `Host` parse it always did.
 *
 * @param attributes - The span's attributes, set in place so no intermediate object is made.
 * @param scheme - The local server's scheme, for a request that came without a forwarded one.
 */
export function setAddressAttributes(
  attributes: Attributes,
  request: AddressedRequest,
  scheme: 'http' | 'https',
): void {
  const { headers, socket } = request;
  const forwarded = forwardedElements(first(headers.forwarded));
  const clientScheme = originalScheme(headers, forwarded) ?? scheme;
  attributes['url.scheme'] = clientScheme;
  setServerAddress(attributes, headers, forwarded, clientScheme);
  const peer = socket.remoteAddress;
  const client = originalClient(headers, forwarded) ?? peer;
  if (client !== undefined) attributes['client.address'] = client;
  if (peer !== undefined) attributes['network.peer.address'] = peer;
  if (socket.remotePort !== undefined) attributes['network.peer.port'] = socket.remotePort;
}

type ForwardedElement = Record<string, string>;
const NO_ELEMENTS: readonly ForwardedElement[] = [];

/** The elements of a `Forwarded` header (RFC 7239), parsed as upstream instrumentation-http does. */
function forwardedElements(header: string | undefined): readonly ForwardedElement[] {
  if (!header) return NO_ELEMENTS;
  try {
    return parseForwarded(header);
  } catch {
    // A malformed header cannot be read reliably in part: the next source is used instead.
    return NO_ELEMENTS;
  }
}

function setServerAddress(
  attributes: Attributes,
  headers: IncomingHttpHeaders,
  forwarded: readonly ForwardedElement[],
  scheme: string,
): void {
  // The proto= of host='s own element says which default port that host has.
  const element = forwarded.find((e) => e.host !== undefined);
  if (element?.host !== undefined && setHost(attributes, element.host, element.proto?.toLowerCase())) return;
  const forwardedHost = firstEntry(first(headers['x-forwarded-host']));
  if (forwardedHost) {
    const proto = firstEntry(first(headers['x-forwarded-proto']))?.toLowerCase();
    if (setHost(attributes, forwardedHost, proto)) return;
  }
  // Proxies pass Host on as the client sent it, so its default port is that of the client's scheme.
  const host = headers.host;
  if (host) setHost(attributes, host, scheme);
}

function originalScheme(
  headers: IncomingHttpHeaders,
  forwarded: readonly ForwardedElement[],
): 'http' | 'https' | undefined {
  const fromForwarded = forwarded.find((e) => e.proto !== undefined)?.proto;
  if (fromForwarded !== undefined) return httpScheme(fromForwarded);
  const fromHeader = firstEntry(first(headers['x-forwarded-proto']));
  return fromHeader === undefined ? undefined : httpScheme(fromHeader);
}

function httpScheme(value: string): 'http' | 'https' | undefined {
  const scheme = value.toLowerCase();
  return scheme === 'http' || scheme === 'https' ? scheme : undefined;
}

function originalClient(
  headers: IncomingHttpHeaders,
  forwarded: readonly ForwardedElement[],
): string | undefined {
  const forwardedFor = forwarded.find((e) => e.for !== undefined)?.for;
  const fromForwarded = forwardedFor === undefined ? undefined : ipAddress(forwardedFor);
  if (fromForwarded !== undefined) return fromForwarded;
  // The left-most entry is the one the first proxy added: the client it saw.
  const entry = firstEntry(first(headers['x-forwarded-for']));
  return entry ? ipAddress(entry) : undefined;
}

// A reg-name or IPv4 literal as hosts use them. RFC 3986 also allows sub-delims, which no real
// host uses and garbage does.
const HOST_NAME = /^[\w.~%-]+$/;

/**
 * Sets `server.address` and `server.port` from `host[:port]` and returns true, or returns false
 * and sets nothing when the value is not one. IPv6 keeps its brackets, as `Host` carries it.
 * Without a port, the port is the default of the scheme the client used, when that is known:
 * it is the port the client connected to (RFC 9110 section 4.2), as upstream instrumentation-http
 * also reports.
 */
function setHost(attributes: Attributes, value: string, scheme: string | undefined): boolean {
  const bracketed = value.startsWith('[');
  const hostEnd = bracketed ? value.indexOf(']') + 1 : value.indexOf(':') >>> 0;
  const host = value.slice(0, hostEnd);
  if (bracketed ? isIP(host.slice(1, -1)) !== 6 : !HOST_NAME.test(host)) return false;
  const rest = value.slice(host.length);
  let port: number | undefined;
  if (rest.length > 1) {
    if (!/^:\d{1,5}$/.test(rest)) return false;
    port = Number(rest.slice(1));
    if (port > 65535) return false;
  } else if (rest === '' || rest === ':') {
    port = scheme === 'https' ? 443 : scheme === 'http' ? 80 : undefined;
  } else {
    return false;
  }
  attributes['server.address'] = host;
  if (port !== undefined) attributes['server.port'] = port;
  return true;
}

/**
 * The IP address in a `Forwarded` node or an `X-Forwarded-For` entry: `192.0.2.1`,
 * `192.0.2.1:4711`, `[2001:db8::1]`, `[2001:db8::1]:4711` or a bare `2001:db8::1`. Undefined for
 * anything else, such as `unknown` or an obfuscated `_node`: the semconv asks for an IP there.
 */
function ipAddress(value: string): string | undefined {
  if (value.startsWith('[')) {
    const close = value.indexOf(']');
    if (close < 0 || (close + 1 < value.length && value[close + 1] !== ':')) return undefined;
    const address = value.slice(1, close);
    return isIP(address) === 6 ? address : undefined;
  }
  const colon = value.indexOf(':');
  // One colon is IPv4 with a port; more is a bare IPv6 address, which has no room for a port.
  const address = colon >= 0 && value.indexOf(':', colon + 1) < 0 ? value.slice(0, colon) : value;
  return isIP(address) !== 0 ? address : undefined;
}

function first(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.[0];
}

/** The first entry of a comma-separated header value, trimmed; undefined when there is none. */
function firstEntry(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const comma = value.indexOf(',');
  return (comma < 0 ? value : value.slice(0, comma)).trim() || undefined;
}

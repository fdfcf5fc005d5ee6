import type { ResolvedConfig } from '../config/options.js';
import type { OutgoingTarget } from './instrumentations.js';

const defaultPort = (protocol: string | null | undefined) => (protocol === 'https:' ? '443' : '80');

// IPv6 hosts: a URL's hostname keeps the brackets, request options drop them.
const bare = (hostname: string) => hostname.replace(/^\[(.*)\]$/, '$1');

function targetKey(target: OutgoingTarget): string {
  const [hostOnly, hostPort] = (target.host ?? '').split(/:(?=\d+$)/);
  const hostname = bare(target.hostname || hostOnly || 'localhost');
  const port = String(target.port || hostPort || defaultPort(target.protocol));
  return `${hostname}:${port}${(target.path ?? '/').split('?')[0]}`;
}

/**
 * Whether an outgoing node:http request is one of the SDK's own OTLP/HTTP exports: those must not
 * count as the application's traffic in `http.client.request.duration`. `target` is the request
 * as instrumentation-http parses it, where a default port (443 for https) is absent.
 */
export function isOwnExport(config: ResolvedConfig): (target: OutgoingTarget) => boolean {
  const targets = new Set<string>();
  for (const signal of [config.traces, config.metrics, config.logs]) {
    if (!signal.exporters.includes('otlp') || signal.protocol === 'grpc') continue;
    const url = new URL(signal.endpoint);
    targets.add(`${bare(url.hostname)}:${url.port || defaultPort(url.protocol)}${url.pathname}`);
  }
  return (target) => targets.size > 0 && targets.has(targetKey(target));
}

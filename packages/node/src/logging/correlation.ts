import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const storage = new AsyncLocalStorage<string>();

/** Headers a request correlation id is taken from, in order; otherwise one is generated. */
export const CORRELATION_HEADERS = ['x-request-id', 'x-correlation-id'] as const;

/** Runs `fn` with `id` as the correlation id of everything it logs, across awaits. */
export function runWithCorrelationId<T>(id: string, fn: () => T): T {
  return storage.run(id, fn);
}

/** The correlation id of the current request, if one is set. */
export function currentCorrelationId(): string | undefined {
  return storage.getStore();
}

/** The correlation id a request carries (first of {@link CORRELATION_HEADERS}), or a new UUID. */
export function correlationIdOf(request: Pick<IncomingMessage, 'headers'>): string {
  for (const header of CORRELATION_HEADERS) {
    const value = request.headers[header];
    const id = Array.isArray(value) ? value[0] : value;
    // Bounded and printable: the id is echoed into every log line of the request.
    if (id && /^[\w.:-]{1,128}$/.test(id)) return id;
  }
  return randomUUID();
}

/**
 * Express/Connect-style middleware (also usable in a node:http listener) that gives each
 * request a correlation id, echoes it as `x-request-id` and scopes the rest of the request to it.
 */
export function correlationMiddleware() {
  return (
    request: Pick<IncomingMessage, 'headers'>,
    response: { setHeader(name: string, value: string): unknown },
    next: () => void,
  ): void => {
    const id = correlationIdOf(request);
    response.setHeader('x-request-id', id);
    runWithCorrelationId(id, next);
  };
}

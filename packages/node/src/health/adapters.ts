import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  HEALTH_PATHS,
  type HealthEndpoint,
  healthResponse,
  matchHealthRequest,
  noteHealthMount,
  sendHealthResponse,
} from './handlers.js';
import type { HealthRegistry } from './health-registry.js';

/**
 * Wraps a node:http request listener so that GET/HEAD on the {@link HEALTH_PATHS} are answered
 * before it; every other request goes to `handler` unchanged and synchronously.
 *
 * Typed on plain node:http types rather than generically: an Express app (whose overloads accept
 * `IncomingMessage`) then fits, and the result always fits `http.createServer`.
 *
 * @param registry defaults to the process-wide registry.
 * @example http.createServer(withHealth((req, res) => { ... })).listen(3000);
 */
export function withHealth(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  registry?: HealthRegistry,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const endpoint = matchHealthRequest(req);
    if (endpoint === undefined) {
      handler(req, res);
      return;
    }
    void sendHealthResponse(endpoint, req, res, registry);
  };
}

/**
 * An Express middleware serving the {@link HEALTH_PATHS}. Typed on node:http's request and
 * response, which Express's extend, so otelkit needs no Express dependency. Mount it before
 * authentication so that probes are not asked for credentials.
 *
 * @param registry defaults to the process-wide registry.
 * @example app.use(expressHealth());
 */
export function expressHealth(
  registry?: HealthRegistry,
): (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void {
  return (req, res, next) => {
    // req.url is relative to the mount point, so `app.use('/internal', expressHealth())` serves
    // /internal/health as Express users expect.
    const endpoint = matchHealthRequest(req);
    if (endpoint === undefined) {
      next();
      return;
    }
    void sendHealthResponse(endpoint, req, res, registry);
  };
}

/** The part of a Fastify reply the plugin uses (structural, so no Fastify dependency). */
export interface FastifyReplyLike {
  /** Sets the status code. */
  code(statusCode: number): FastifyReplyLike;
  /** Sets a header. */
  header(key: string, value: string): FastifyReplyLike;
  /** Sends the body. */
  send(payload: string): FastifyReplyLike;
}

/** The part of a Fastify instance the plugin uses (structural, so no Fastify dependency). */
export interface FastifyInstanceLike {
  /** Registers a GET route; Fastify adds the matching HEAD route itself. */
  get(
    path: string,
    handler: (request: unknown, reply: FastifyReplyLike) => Promise<FastifyReplyLike>,
  ): unknown;
}

/** Options of {@link fastifyHealth}, passed as `fastify.register(fastifyHealth, options)`. */
export type FastifyHealthOptions = {
  /** Registry to report on. Defaults to the process-wide registry. */
  registry?: HealthRegistry;
};

/** The type of {@link fastifyHealth}: a callback-style Fastify plugin. */
export type FastifyHealthPlugin = (
  instance: FastifyInstanceLike,
  options: FastifyHealthOptions,
  done: (error?: Error) => void,
) => void;

/**
 * A Fastify plugin registering GET (and so HEAD) routes for the {@link HEALTH_PATHS}.
 *
 * It carries `Symbol.for('skip-override')`, as `fastify-plugin` would set, so the routes land on
 * the instance it is registered on rather than in a new encapsulated child: registered on the root
 * they are at the root, and a `prefix` given to this `register` call does not apply (the prefix of
 * an enclosing plugin does).
 *
 * @example await fastify.register(fastifyHealth, { registry });
 */
export const fastifyHealth: FastifyHealthPlugin = Object.assign(
  (instance: FastifyInstanceLike, options: FastifyHealthOptions, done: (error?: Error) => void): void => {
    try {
      for (const [endpoint, path] of Object.entries(HEALTH_PATHS)) {
        instance.get(path, async (request, reply) => {
          // Under an enclosing plugin's prefix, the request's URL is the whole path.
          noteHealthMount(endpoint as HealthEndpoint, (request as { url?: string }).url);
          const response = await healthResponse(endpoint as HealthEndpoint, options.registry);
          reply.code(response.statusCode);
          for (const [name, value] of Object.entries(response.headers)) reply.header(name, value);
          // A string with a JSON content type is sent as is, skipping Fastify's serializer.
          return reply.send(response.body);
        });
      }
      done();
    } catch (error) {
      // e.g. a route already declared by the app: Fastify reports it at ready() like any plugin error.
      done(error instanceof Error ? error : new Error(String(error)));
    }
  },
  {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: 'otelkit-health',
  },
);

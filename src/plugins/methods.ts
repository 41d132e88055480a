import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import FindMyWay from 'find-my-way';
import { HttpProblem } from '../lib/problem.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The methods `path` answers to (with HEAD for GET, and OPTIONS), [] for an unknown path. */
    allowedMethods(path: string): string[];
  }
}

const ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const noop = () => undefined;

/**
 * The methods each path answers to, for what Fastify's router does not say (RFC 9110 §15.5.6,
 * §9.3.7): a known path asked with another method is a 405 with `Allow`, not a 404; a plain
 * `OPTIONS` (no CORS preflight headers) is a 204 with `Allow`. A second find-my-way router (Fastify's
 * own, with the same options) mirrors every route as it is added, so a concrete path finds its
 * route's methods the way the real router would.
 */
export default fp(
  async function methods(app: FastifyInstance, options: { maxParamLength: number }) {
    const mirror = FindMyWay({ ignoreTrailingSlash: true, maxParamLength: options.maxParamLength });
    const methodsOf = new Map<string, Set<string>>();
    app.addHook('onRoute', (route) => {
      // @fastify/cors's catch-all OPTIONS route says nothing about a path.
      if (route.url === '*' || route.url === '/*') return;
      for (const method of [route.method].flat()) {
        if (method === 'OPTIONS') continue;
        let known = methodsOf.get(route.url);
        if (!known) {
          known = new Set();
          methodsOf.set(route.url, known);
          // One method is enough: the mirror only maps a concrete path to its pattern.
          mirror.on('GET', route.url, noop, { pattern: route.url });
        }
        known.add(method);
        if (method === 'GET') known.add('HEAD');
      }
    });

    app.decorate('allowedMethods', (path: string) => {
      const found = mirror.find('GET', path.split('?')[0] ?? path);
      const pattern = (found?.store as { pattern?: string } | undefined)?.pattern;
      const known = pattern === undefined ? undefined : methodsOf.get(pattern);
      return known ? ORDER.filter((m) => m === 'OPTIONS' || known.has(m)) : [];
    });

    // Before @fastify/cors (registered later), which answers preflights itself: an OPTIONS with no
    // Origin or no Access-Control-Request-Method is a question about the resource, not a preflight.
    app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done) => {
      if (request.method !== 'OPTIONS') return done();
      if (request.headers.origin && request.headers['access-control-request-method']) return done();
      const allowed = app.allowedMethods(request.url);
      if (allowed.length === 0) return done(new HttpProblem(404, `No route ${request.url.split('?')[0]}.`));
      void reply.code(204).header('allow', allowed.join(', ')).send();
    });
  },
  { name: 'methods' },
);

/**
 * The answer to a request no route took: a 405 with `Allow` when the path exists under other
 * methods, else a 404. Called by the not-found handler.
 */
export function routeMissing(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply): HttpProblem {
  const path = request.url.split('?')[0] ?? request.url;
  const allowed = app.allowedMethods(path);
  if (allowed.length === 0) return new HttpProblem(404, `No route ${request.method} ${path}.`);
  reply.header('allow', allowed.join(', '));
  return new HttpProblem(405, `${path} does not answer ${request.method}; it answers ${allowed.join(', ')}.`);
}

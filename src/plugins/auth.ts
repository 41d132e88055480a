import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { allows, type ApiKey, checkToken, type Scope } from '../db/api-keys.js';
import { HttpProblem } from '../lib/problem.js';
import { hooksOf } from '../lib/route-hooks.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiKey?: ApiKey;
  }
}

class Unauthorized extends HttpProblem {
  constructor(detail: string) {
    super(401, detail);
  }
}

/** The token of an `Authorization: Bearer <token>` header; undefined when the header is another shape. */
function bearerToken(header: string): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
}

/** Throws the 401 or 403 for a request whose key may not do what `scope` allows. */
export function requireScope(key: ApiKey | undefined, scope: Scope): asserts key is ApiKey {
  if (!key) throw new Unauthorized('This operation needs an API key: send Authorization: Bearer <token>.');
  if (!allows(key, scope))
    throw new HttpProblem(403, `This API key has the '${key.scope}' scope; this operation needs '${scope}'.`);
}

const isRead = (method: string) => method === 'GET' || method === 'HEAD';

/**
 * Writes need `Authorization: Bearer <token>`; reads stay public. A key sent with any request is
 * checked (a wrong one is a 401, not silently ignored); a request with a valid key reads the
 * primary (`request.db`, src/plugins/db.ts). Tokens are never logged.
 *
 * Every operation whose schema declares `security` (what the OpenAPI document marks as secured) gets
 * its scope checked here, before the body is read: `read` for a GET, `write` for anything else. A
 * /v1 route that writes without declaring it is refused at start-up.
 */
export default fp(
  async function auth(app: FastifyInstance) {
    app.decorateRequest('apiKey', undefined);
    // Refused keys count against the client's address (a 429 once over the limit): src/plugins/rate-limit.ts.
    const refused = (request: FastifyRequest, reply: FastifyReply) => app.rateLimit.countRefused(request, reply);
    // Callback style: most requests carry no key, and pay for no promise here.
    app.addHook('onRequest', (request, reply, done) => {
      // Keys belong to the API under /v1; probes, the document and /docs ignore them.
      if (request.headers.authorization === undefined || !request.url.startsWith('/v1/')) return done();
      const token = bearerToken(request.headers.authorization);
      if (!token)
        return done(refused(request, reply) ?? new Unauthorized('The Authorization header must be "Bearer <token>".'));
      // An address that has sent its limit of refused keys gets its 429 without a look-up: a flood
      // of made-up tokens costs at most that many queries a window. Valid keys keep their budget.
      if (app.rateLimit.refusedSpent(request)) return done(refused(request, reply));
      // On the primary: a key revoked a moment ago must not pass on a lagging replica.
      checkToken(app.database.primary, token).then((check) => {
        if (!check.ok)
          return done(
            refused(request, reply) ??
              new Unauthorized(
                check.reason === 'revoked' ? 'This API key has been revoked.' : 'This API key is not valid.',
              ),
          );
        request.apiKey = check.key;
        done();
      }, done);
    });

    app.addHook('onRoute', (route) => {
      const methods = [route.method].flat();
      const secured = ((route.schema as { security?: unknown[] } | undefined)?.security ?? []).length > 0;
      if (!secured) {
        if (route.url.startsWith('/v1/') && !methods.every(isRead))
          throw new Error(`${methods.join(',')} ${route.url} writes, so its schema must declare security`);
        return;
      }
      const scope: Scope = methods.every(isRead) ? 'read' : 'write';
      const checkScope: onRequestHookHandler = (request, _reply, done) => {
        try {
          requireScope(request.apiKey, scope);
          done();
        } catch (err) {
          done(err as HttpProblem);
        }
      };
      route.onRequest = [...hooksOf(route.onRequest), checkScope];
    });
  },
  { name: 'auth', dependencies: ['db', 'rate-limit'] },
);

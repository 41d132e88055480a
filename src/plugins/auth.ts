import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { type ApiKey, checkToken, type Scope } from '../db/api-keys.js';
import { HttpProblem } from '../lib/problem.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiKey?: ApiKey;
  }
  interface FastifyInstance {
    /** A preHandler that admits only a valid, unrevoked key holding `scope`. */
    requireScope(scope: Scope): preHandlerAsyncHookHandler;
  }
}

const grants: Record<Scope, Scope[]> = { read: ['read'], write: ['read', 'write'] };

class Unauthorized extends HttpProblem {
  constructor(detail: string) {
    super(401, detail);
  }
}

/** The token of an `Authorization: Bearer <token>` header; undefined when the header is another shape. */
function bearerToken(header: string): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
}

/**
 * Writes need `Authorization: Bearer <token>`; reads stay public. A key sent with any request is
 * checked (a wrong one is a 401, not silently ignored); a request with a valid key reads the
 * primary (`request.db`, src/plugins/db.ts). Tokens are never logged.
 */
export default fp(
  async function auth(app: FastifyInstance) {
    app.decorateRequest('apiKey', undefined);
    // Refused keys count against the client's address (a 429 once over the limit): src/plugins/rate-limit.ts.
    const refused = (request: FastifyRequest, reply: FastifyReply) => app.countRefused(request, reply);
    // Callback style: most requests carry no key, and pay for no promise here.
    app.addHook('onRequest', (request, reply, done) => {
      // Keys belong to the API under /v1; probes, the document and /docs ignore them.
      if (request.headers.authorization === undefined || !request.url.startsWith('/v1/')) return done();
      const token = bearerToken(request.headers.authorization);
      if (!token)
        return done(refused(request, reply) ?? new Unauthorized('The Authorization header must be "Bearer <token>".'));
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
    app.decorate('requireScope', (scope: Scope): preHandlerAsyncHookHandler => {
      return async function requireScope(request) {
        const key = request.apiKey;
        if (!key) throw new Unauthorized('This operation needs an API key: send Authorization: Bearer <token>.');
        if (!grants[key.scope].includes(scope))
          throw new HttpProblem(403, `This API key has the '${key.scope}' scope; this operation needs '${scope}'.`);
      };
    });
  },
  { name: 'auth', dependencies: ['db'] },
);

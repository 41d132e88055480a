import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { type ApiKey, checkToken, type Scope } from '../lib/api-keys.js';
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

export class Unauthorized extends HttpProblem {
  constructor(detail: string) {
    super(401, detail);
  }
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

/** Writes need `Authorization: Bearer <token>`; reads stay public. Tokens are never logged. */
export default fp(
  async function auth(app: FastifyInstance) {
    app.decorateRequest('apiKey', undefined);
    app.decorate('requireScope', (scope: Scope): preHandlerAsyncHookHandler => {
      return async function requireScope(request) {
        const token = bearer(request);
        if (!token) throw new Unauthorized('This operation needs an API key: send Authorization: Bearer <token>.');
        const check = await checkToken(app.db, token);
        if (!check.ok)
          throw new Unauthorized(check.reason === 'revoked' ? 'This API key has been revoked.' : 'This API key is not valid.');
        if (!grants[check.key.scope].includes(scope))
          throw new HttpProblem(403, `This API key has the '${check.key.scope}' scope; this operation needs '${scope}'.`);
        request.apiKey = check.key;
      };
    });
  },
  { name: 'auth', dependencies: ['db'] },
);

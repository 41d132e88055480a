import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
} from 'fastify-type-provider-zod';
import {
  HttpProblem,
  PROBLEM_CONTENT_TYPE,
  type Problem,
  type ProblemFieldError,
  statusTitle,
} from '../lib/problem.js';

const locations: Record<string, ProblemFieldError['in']> = {
  querystring: 'query',
  params: 'path',
  headers: 'header',
  body: 'body',
};

// SQLSTATE classes and socket errors that mean "the database is not there", not "the query is wrong".
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE']);
const UNAVAILABLE_SQLSTATE = /^(08|57P0[1-3]|53300)/;

/** The SQLSTATE of a database error anywhere in the cause chain (Drizzle wraps the driver's). */
function sqlState(error: unknown): string | undefined {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e)
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  return undefined;
}

function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown; message?: unknown } | undefined; e; ) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (UNAVAILABLE_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code)) return true;
    if (typeof e.message === 'string' && /Connection terminated|timeout exceeded when trying to connect/i.test(e.message))
      return true;
    e = e.cause as typeof e;
  }
  return false;
}

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  detail: string,
  errors?: ProblemFieldError[],
) {
  const body: Problem = {
    type: 'about:blank',
    title: statusTitle(status),
    status,
    detail,
    instance: request.url.split('?')[0] ?? request.url,
    ...(errors ? { errors } : {}),
  };
  if (status === 503) reply.header('retry-after', '5');
  if (status === 401) reply.header('www-authenticate', 'Bearer realm="election-results"');
  return reply.code(status).type(PROBLEM_CONTENT_TYPE).send(body);
}

function validationErrors(error: FastifyError): ProblemFieldError[] {
  const where = locations[error.validationContext ?? ''] ?? 'query';
  return (error.validation ?? []).map((v) => {
    const params = v.params as { keys?: unknown } | undefined;
    const keys = Array.isArray(params?.keys) ? params.keys.join(', ') : undefined;
    const path = (v.instancePath ?? '').split('/').filter(Boolean).join('.');
    if (keys && v.keyword === 'unrecognized_keys')
      return { in: where, name: keys, message: 'is not a parameter of this operation' };
    return { in: where, name: path || '(root)', message: v.message ?? 'is invalid' };
  });
}

/** Maps every error to an RFC 9457 problem document in one place; 5xx bodies never carry internals. */
export default fp(
  async function errors(app: FastifyInstance) {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (error instanceof HttpProblem) {
        return sendProblem(request, reply, error.status, error.message, error.errors);
      }
      if (hasZodFastifySchemaValidationErrors(error)) {
        const errors = validationErrors(error);
        const detail = errors.map((e) => `${e.in} parameter '${e.name}': ${e.message}`).join('; ');
        return sendProblem(request, reply, 400, detail, errors);
      }
      // A race the explicit checks could not see: two writers creating the same id at once.
      if (sqlState(error) === '23505')
        return sendProblem(request, reply, 409, 'A resource with this id was created concurrently; read it and retry.');
      if (isDatabaseUnavailable(error)) {
        request.log.warn({ err: error }, 'database unavailable');
        return sendProblem(request, reply, 503, 'The database is unavailable; retry later.');
      }
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500 && !isResponseSerializationError(error)) {
        return sendProblem(request, reply, status, error.message);
      }
      request.log.error({ err: error }, 'unhandled error');
      return sendProblem(request, reply, 500, 'An unexpected error occurred; it has been logged.');
    });

    app.setNotFoundHandler((request, reply) =>
      sendProblem(request, reply, 404, `No route ${request.method} ${request.url.split('?')[0]}.`),
    );
  },
  { name: 'errors' },
);

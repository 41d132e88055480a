import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifyServerOptions,
  preValidationHookHandler,
} from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import {
  badParameter,
  HttpProblem,
  PROBLEM_CONTENT_TYPE,
  type Problem,
  type ProblemFieldError,
  statusTitle,
} from '../lib/problem.js';
import { hooksOf } from '../lib/route-hooks.js';
import { setSecurityHeaders } from '../lib/security-headers.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import { routeMissing } from './methods.js';

const locations: Record<string, ProblemFieldError['in']> = {
  querystring: 'query',
  params: 'path',
  headers: 'header',
  body: 'body',
};

/** The SQLSTATE of a database error anywhere in the cause chain (Drizzle wraps the driver's). */
function sqlState(error: unknown): string | undefined {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e)
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  return undefined;
}

function sendProblem(
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

/**
 * Errors the router meets before any hook runs: a path that is not valid percent-encoded UTF-8
 * (`%C0%AF`, `%FF`, a lone `%`) is a 400, a path parameter longer than maxParamLength a 414. Without
 * this (the `frameworkErrors` option of Fastify()), Fastify answers them with its own JSON shape.
 */
export const frameworkErrors: NonNullable<FastifyServerOptions['frameworkErrors']> = (error, request, reply) => {
  let status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
  let detail = status === 500 ? 'An unexpected error occurred; it has been logged.' : error.message;
  if (error.code === 'FST_ERR_BAD_URL') [status, detail] = [400, 'The path is not valid percent-encoded UTF-8.'];
  else if (error.code === 'FST_ERR_MAX_PARAM_LENGTH')
    [status, detail] = [414, 'A path segment is longer than any id this API issues.'];
  else if (status === 500) request.log.error({ err: error }, 'framework error');
  // Fastify runs no hooks for these: the headers every other answer gets from onSend.
  setSecurityHeaders(request, reply);
  void sendProblem(request, reply, status, detail);
};

/** The detail of an error answer some plugin sent in its own format: its message, if short and readable. */
function foreignDetail(payload: unknown, status: number): string {
  const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '';
  let detail = text;
  try {
    const parsed = JSON.parse(text) as { message?: unknown; detail?: unknown };
    detail =
      typeof parsed.detail === 'string' ? parsed.detail : typeof parsed.message === 'string' ? parsed.message : '';
  } catch {
    // Plain text: used as it is.
  }
  detail = detail.trim();
  return detail && detail.length <= 500 ? detail : statusTitle(status);
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
      // Text the database cannot store (NUL, an unpaired surrogate) in a field no schema checked.
      if (sqlState(error) === '22021' || sqlState(error) === '22P05') {
        request.log.warn({ err: error }, 'unstorable text reached the database');
        return sendProblem(
          request,
          reply,
          400,
          'A text value contains a character that cannot be stored (NUL or an unpaired surrogate).',
        );
      }
      // A race the explicit checks could not see: two writers creating the same id at once.
      if (sqlState(error) === '23505')
        return sendProblem(request, reply, 409, 'A resource with this id was created concurrently; read it and retry.');
      if (isDatabaseUnavailable(error)) {
        request.log.warn({ err: error }, 'database unavailable');
        return sendProblem(request, reply, 503, 'The database is unavailable; retry later.');
      }
      if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
        const given = (request.headers['content-type'] ?? '').split(';')[0]?.trim();
        return sendProblem(
          request,
          reply,
          415,
          `The body must be JSON: send Content-Type: application/json (not ${given}).`,
        );
      }
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500 && !isResponseSerializationError(error)) {
        return sendProblem(request, reply, status, error.message);
      }
      request.log.error({ err: error }, 'unhandled error');
      return sendProblem(request, reply, 500, 'An unexpected error occurred; it has been logged.');
    });

    // A known path asked with another method is a 405 with Allow (the methods plugin knows them).
    app.setNotFoundHandler((request, reply) => {
      const problem = routeMissing(app, request, reply);
      return sendProblem(request, reply, problem.status, problem.message);
    });

    // A query parameter given twice (?limit=1&limit=2) arrives as an array, which no parameter of
    // this API takes: say so, rather than let the schema say "expected number, received array".
    // Routes with no query parameters (the probes, the document) ignore the query altogether: the
    // hook is on the routes that have them, first of their preValidation hooks.
    const onceEach: preValidationHookHandler = (request, _reply, done) => {
      const query = request.query as Record<string, unknown> | undefined;
      if (query && typeof query === 'object')
        for (const name in query) {
          const value = query[name];
          if (Array.isArray(value))
            return done(badParameter('query', name, `was given ${value.length} times; give it once`));
        }
      done();
    };
    app.addHook('onRoute', (route) => {
      if (route.schema?.querystring) route.preValidation = [onceEach, ...hooksOf(route.preValidation)];
    });

    // A plugin that answers an error itself instead of throwing (e.g. @fastify/cors's plain-text
    // "Invalid Preflight Request" to an OPTIONS without Origin) still answers a problem document.
    app.addHook('onSend', (request, reply, payload, done) => {
      if (reply.statusCode < 400 || String(reply.getHeader('content-type') ?? '').startsWith(PROBLEM_CONTENT_TYPE))
        return done(null, payload);
      const body: Problem = {
        type: 'about:blank',
        title: statusTitle(reply.statusCode),
        status: reply.statusCode,
        detail: foreignDetail(payload, reply.statusCode),
        instance: request.url.split('?')[0] ?? request.url,
      };
      reply.type(PROBLEM_CONTENT_TYPE).removeHeader('content-length');
      done(null, JSON.stringify(body));
    });
  },
  { name: 'errors' },
);

import { z } from 'zod';
import { PROBLEM_CONTENT_TYPE, problemSchema } from './problem.js';

export const problemText = {
  400: 'A parameter or body field is malformed; `errors` names it.',
  401: 'No API key where one is needed, or a key that is unknown or revoked (send Authorization: Bearer <token>; reads need none, but a key sent is checked).',
  403: "The API key's scope does not allow this operation.",
  404: 'No such resource, or a referenced one does not exist (`detail` says which).',
  406: 'Accept admits none of the media types this operation answers with (`detail` lists them); without Accept, or with */*, the first is sent.',
  409: 'A resource with this id already exists.',
  412: 'If-Match no longer matches: someone changed the resource since you read it.',
  413: 'The body is larger than the limit (1 MiB by default); nothing was read or written.',
  414: 'The request target (path and query) is longer than the limit (2,048 characters by default).',
  415: 'The body is not JSON: send Content-Type: application/json.',
  422: 'The request breaks a rule of the data, or reuses an Idempotency-Key for a different request; `errors` names each offending field, and nothing was written.',
  428: 'This write needs If-Match with the ETag you read.',
  429: "Rate limit exceeded (per valid API key, else per client address; see the RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset headers of the API's responses), or this client already runs as many CSV exports as it may; retry after the Retry-After seconds.",
  500: 'An unexpected error (a bug): the problem says no more, and the server logged it with the request id.',
  503: 'The database is unreachable, the server is overloaded or runs as many CSV exports as it may, or it is shutting down; retry after the Retry-After seconds.',
} as const;

export type ProblemStatus = keyof typeof problemText;

/**
 * The response map of a read: 200 with `schema`, 304 on a matching If-None-Match, and the problem
 * documents it can answer with. Every route lists every status it returns, for generated clients.
 */
export function readResponses<T extends z.ZodType>(description: string, schema: T, ...problems: ProblemStatus[]) {
  return {
    200: { description, content: { 'application/json': { schema } } },
    304: z.undefined().describe('Not Modified: the If-None-Match ETag still matches.'),
    // Any read: an unknown parameter (400), a wrong key (401), an Accept it cannot meet (406), limits
    // (414, 429), unavailability (503).
    ...problemResponses(...new Set([400, ...problems, 401, 406, 414, 429, 503] as const)),
  };
}

export function problemResponses(...statuses: ProblemStatus[]) {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      { description: problemText[s], content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } } },
    ]),
  );
}

/** The response map of a write: its success status with `schema`, and its problem documents. */
export function writeResponses<T extends z.ZodType>(
  status: 200 | 201,
  description: string,
  schema: T,
  ...problems: ProblemStatus[]
) {
  return {
    [status]: { description, content: { 'application/json': { schema } } },
    ...problemResponses(...new Set([400, 401, 403, ...problems, 413, 414, 415, 422, 429, 503] as const)),
  };
}

/** The security requirement of a write: an API key sent as a bearer token. */
export const bearerAuth = [{ bearerAuth: [] }];

/** Headers a POST accepts besides the key. */
export const postHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7e]+$/)
    .optional()
    .describe(
      'Any unique string of 1 to 255 visible ASCII characters (e.g. a UUID): a retry with the same key returns the first response and writes nothing new.',
    ),
});

/** The precondition of a write to an existing resource. */
export const ifMatchHeaders = z.object({
  'if-match': z
    .string()
    // Node refuses a request whose headers together pass 16 KiB (a 431): no If-Match is longer.
    .max(16_384)
    .optional()
    .describe('The ETag from your last read of the resource. Required: a stale one is a 412.'),
});

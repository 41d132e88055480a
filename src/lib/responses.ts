import { z } from 'zod';
import { PROBLEM_CONTENT_TYPE, problemSchema } from './problem.js';

const problemText = {
  400: 'A parameter is invalid; `errors` names it.',
  404: 'No such resource.',
  503: 'The database is unreachable; retry after the Retry-After seconds.',
} as const;

type ProblemStatus = keyof typeof problemText;

/**
 * The response map of a read: 200 with `schema`, 304 on a matching If-None-Match, and the problem
 * documents it can answer with. Every route lists every status it returns, for generated clients.
 */
export function readResponses<T extends z.ZodType>(
  description: string,
  schema: T,
  ...problems: ProblemStatus[]
) {
  return {
    200: { description, content: { 'application/json': { schema } } },
    304: z.undefined().describe('Not Modified: the If-None-Match ETag still matches.'),
    ...problemResponses(...problems),
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

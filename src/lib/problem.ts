import { z } from 'zod';

/** RFC 9457 problem details, the body of every 4xx and 5xx response. */
export const problemSchema = z
  .object({
    type: z.string().describe('A URI reference naming the problem type; "about:blank" when only the status applies.'),
    title: z.string().describe('Short summary of the problem type.'),
    status: z.number().int().min(100).max(599).describe('The HTTP status code.'),
    detail: z.string().describe('What went wrong with this request, in words.'),
    instance: z.string().describe('The request path that met the problem.'),
    errors: z
      .array(
        z.object({
          in: z.enum(['query', 'path', 'header', 'body']),
          name: z.string().describe('The offending parameter or field, e.g. "limit" or "lines.0.votes".'),
          message: z.string(),
        }),
      )
      .optional()
      .describe('For validation problems: each offending parameter.'),
  })
  .meta({ id: 'Problem' });

export type Problem = z.infer<typeof problemSchema>;
export type ProblemFieldError = NonNullable<Problem['errors']>[number];

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function statusTitle(status: number): string {
  return titles[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

/** A typed error the error handler turns into a problem document; thrown by routes and helpers. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    detail: string,
    readonly errors?: ProblemFieldError[],
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
}

export const notFound = (detail: string) => new HttpProblem(404, detail);

export const conflict = (detail: string) => new HttpProblem(409, detail);

/** A request that is well-formed but breaks a rule of the data; `errors` names each offending field. */
export const unprocessable = (errors: ProblemFieldError[]) =>
  new HttpProblem(422, errors.map((e) => `${e.name}: ${e.message}`).join('; '), errors);

export const badParameter = (where: ProblemFieldError['in'], name: string, message: string) =>
  new HttpProblem(400, `${where} parameter '${name}': ${message}`, [{ in: where, name, message }]);

import type { FastifyInstance, FastifyRequest, preHandlerHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import Negotiator from 'negotiator';
import { HttpProblem } from '../lib/problem.js';
import { hooksOf } from '../lib/route-hooks.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The media type this read answers with: ?format=, else Accept negotiated, else the first. */
    representation: string | undefined;
  }
}

const FORMATS: Record<string, string> = { json: 'application/json', csv: 'text/csv' };

/** Whether `accept` gives `type` (type/subtype) a q of 0, by name or by a wildcard. */
function refuses(accept: string, type: string): boolean {
  const [major] = type.split('/');
  return accept.split(',').some((entry) => {
    const [range = '', ...params] = entry.split(';').map((part) => part.trim().toLowerCase());
    const zero = params.some((p) => /^q=0(\.0{0,3})?$/.test(p));
    return zero && (range === type || range === `${major}/*` || range === '*/*');
  });
}

/** The media types a route's schema says its 200 answers with; JSON when it names none. */
function producesOf(schema: unknown): string[] {
  const ok = (schema as { response?: Record<string, unknown> } | undefined)?.response?.[200] as
    { content?: Record<string, unknown> } | undefined;
  const content = ok && typeof ok === 'object' && 'content' in ok ? ok.content : undefined;
  return content ? Object.keys(content) : ['application/json'];
}

/**
 * Content negotiation for reads (RFC 9110 §12.5.1), with jshttp's negotiator: `Accept` weights
 * count (`text/csv;q=0` is a refusal, `application/json;q=0.9, text/csv;q=0.1` is JSON), `*` and
 * `type/*` match, and a read whose every type the client refused is a 406 naming what it could have
 * had. No Accept (or an empty one) means anything. `?format=` is the client saying it outright: it
 * wins over Accept (a link in a browser cannot set headers).
 */
export default fp(
  async function negotiation(app: FastifyInstance) {
    app.decorateRequest('representation', undefined);
    // A hook on each route under /v1 with the media types of its 200 answer, in the document's
    // order (JSON first): found once, not asked of each request. First of the route's preHandlers,
    // as a hook of the whole app would be.
    app.addHook('onRoute', (route) => {
      if (!route.url.startsWith('/v1/')) return;
      const produces = producesOf(route.schema);
      const negotiate: preHandlerHookHandler = (request, _reply, done) => choose(request, produces, done);
      route.preHandler = [negotiate, ...hooksOf(route.preHandler)];
    });
    function choose(request: FastifyRequest, produces: string[], done: (err?: HttpProblem) => void) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return done();
      const format = (request.query as { format?: string } | undefined)?.format;
      if (format !== undefined && FORMATS[format]) {
        request.representation = FORMATS[format];
        return done();
      }
      if (!request.headers.accept?.trim()) {
        request.representation = produces[0];
        return done();
      }
      const negotiator = new Negotiator(request);
      request.representation = negotiator.mediaType(produces);
      if (request.representation !== undefined) return done();
      // An Accept of refusals only (`text/csv;q=0`) asks for anything but those: the first type not
      // refused. A 406 is for a client that named what it wants, and none of it is here.
      if (negotiator.mediaTypes().length === 0) {
        request.representation = produces.find((type) => !refuses(request.headers.accept ?? '', type));
        if (request.representation !== undefined) return done();
      }
      done(
        new HttpProblem(
          406,
          `Accept admits none of the types this operation answers with: ${produces.join(', ')}` +
            (produces.includes('text/csv') ? ' (or ask with ?format=json or ?format=csv).' : '.'),
        ),
      );
    }
  },
  { name: 'negotiation' },
);

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { readResponses } from '../../lib/responses.js';
import { type Change, changesAfter } from './changes.repository.js';
import { changeFeedQuery, changeFeedSchema } from './changes.schemas.js';

export const changesRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/changes',
    {
      schema: {
        operationId: 'listChanges',
        tags: ['changes'],
        summary: 'Every change to public data, oldest first, from a cursor',
        description:
          'The change feed: each new result version, each new or edited election, person, party, source ' +
          'or area, and each merge, in the order they were committed, with what to read (`url`). Start with ' +
          '`since=0` (or no `since`), then ask again with the `next` of each answer: a loader that follows it ' +
          'sees every change once, in order, across restarts and on any instance; a write rolled back never ' +
          'appears. `election`, `country` and `kind` narrow it; `next` still moves past what they leave out. ' +
          'Revalidate rather than cache: the answer is `no-cache`, with an ETag.',
        querystring: changeFeedQuery,
        response: readResponses('Changes after `since`, oldest first.', changeFeedSchema, 400, 503),
      },
    },
    async (request, reply) => {
      const { since, limit, election, country, kind } = request.query;
      const rows = await changesAfter(request.db, { since, limit: limit + 1, election, country, kind });
      const found = rows.filter((r): r is Change => r.id !== null);
      const shown = found.slice(0, limit);
      const more = found.length > limit;
      // With more to come, past the last change shown; otherwise past every change this read saw
      // (ids up to the head are settled), so a filtered reader does not scan the rest again.
      const head = rows[0]?.head ?? null;
      const last = more ? shown.at(-1)!.id : head;
      const next = last !== null && Number(last) > since ? last : String(since);
      reply.header('cache-control', 'no-cache');
      return {
        data: shown.map((r) => ({
          id: r.id,
          at: r.at,
          kind: r.kind,
          action: r.action,
          resourceId: r.resource_id,
          electionId: r.election_id,
          countryCode: r.country_code,
          contest: r.contest,
          version: r.version,
          url: r.url,
        })),
        next,
        more,
      };
    },
  );
};

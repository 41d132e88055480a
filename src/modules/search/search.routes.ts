import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { listResponses, sendList } from '../../formats/list.js';
import { type SearchHit, searchNames, type SubjectKind } from './search.repository.js';
import { searchColumns, searchList, searchQuery } from './search.schemas.js';
import { searchKeyOf } from './search.view.js';
import { electionTitle } from '../elections/elections.view.js';

const PATHS: Record<SubjectKind, string> = {
  person: '/v1/candidates/',
  party: '/v1/organisations/',
  area: '/v1/areas/',
  election: '/v1/elections/',
};

const toHit = (h: SearchHit) => ({
  kind: h.kind,
  id: h.id,
  name: h.name ?? (h.election ? electionTitle(h.election) : h.matchedName),
  url: PATHS[h.kind] + encodeURIComponent(h.id),
  match: { name: h.matchedName, lang: h.matchedLang },
  score: h.score,
});

export const searchRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/search',
    {
      schema: {
        operationId: 'search',
        tags: ['search'],
        summary: 'Find people, parties, areas and elections by any of their names',
        description:
          'Every stored name (English, Kazakh, Russian, other spellings, former names) is folded to one Latin ' +
          'spelling, as the query is, and compared by trigram similarity: any script, surname first, part of a ' +
          'word, a typo. Best match first; each record once, with the name that matched.',
        querystring: searchQuery,
        response: listResponses('One page of matches, best first.', searchList, searchColumns, 400, 503),
      },
    },
    async (request, reply) => {
      const { q, kind } = request.query;
      const key = searchKeyOf(q);
      return sendList(request, reply, request.query, {
        fetch: (after, limit) =>
          searchNames(request.db, { key, query: q, kinds: kind ? [kind] : undefined, after, limit }),
        key: (h) => [h.score, h.kind, h.id],
        item: toHit,
        csv: {
          filename: 'search.csv',
          columns: searchColumns,
          row: (h) => ({ ...toHit(h), matchedName: h.matchedName, matchedLang: h.matchedLang }),
        },
      });
    },
  );
};

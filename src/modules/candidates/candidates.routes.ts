import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { page } from '../../lib/pagination.js';
import { badParameter, notFound } from '../../lib/problem.js';
import { readResponses } from '../../lib/responses.js';
import { searchKey } from '../../lib/slug.js';
import { candidateTimeSeries } from '../vote-shares/vote-shares.repository.js';
import { toVoteShare } from '../vote-shares/vote-shares.routes.js';
import { findCandidate, listCandidates } from './candidates.repository.js';
import {
  candidateDetailSchema,
  candidateList,
  candidateListQuery,
  candidateParams,
} from './candidates.schemas.js';

export const candidatesRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/candidates',
    {
      schema: {
        operationId: 'listCandidates',
        tags: ['candidates'],
        summary: 'List or search candidates',
        description: 'Ordered by id. `q` matches any part of the name, ignoring case and accents.',
        querystring: candidateListQuery,
        response: readResponses('One page of candidates.', candidateList, 400, 503),
      },
    },
    async (request) => {
      const { q, limit, cursor } = request.query;
      const key = q === undefined ? undefined : searchKey(q);
      if (key === '') throw badParameter('query', 'q', 'must contain at least one letter or digit');
      const rows = await listCandidates(app.db, { key, after: cursor?.[0], limit: limit + 1 });
      return page(rows, limit, (r) => [r.id], (r) => r);
    },
  );

  app.get(
    '/candidates/:id',
    {
      schema: {
        operationId: 'getCandidate',
        tags: ['candidates'],
        summary: 'A candidate with their vote shares across elections',
        params: candidateParams,
        response: readResponses('The candidate and their vote shares.', candidateDetailSchema, 400, 404, 503),
      },
    },
    async (request) => {
      const { id } = request.params;
      const [candidate, series] = await Promise.all([
        findCandidate(app.db, id),
        candidateTimeSeries(app.db, id),
      ]);
      if (!candidate) throw notFound(`Candidate ${id} not found.`);
      return { ...candidate, voteShares: series.map(toVoteShare) };
    },
  );
};

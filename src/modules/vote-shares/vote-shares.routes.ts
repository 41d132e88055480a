import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { page } from '../../lib/pagination.js';
import { badParameter } from '../../lib/problem.js';
import { readResponses } from '../../lib/responses.js';
import { candidateExists } from '../candidates/candidates.repository.js';
import { electionExists } from '../elections/elections.repository.js';
import { isPreliminary } from '../elections/elections.routes.js';
import { listVoteShares, type VoteShareRow } from './vote-shares.repository.js';
import { voteShareList, voteShareListQuery } from './vote-shares.schemas.js';

export const toVoteShare = ({ candidateName, label, ...row }: VoteShareRow) => ({
  ...row,
  preliminary: isPreliminary(row.status),
  name: candidateName ?? label ?? '',
});

export const voteSharesRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/vote-shares',
    {
      schema: {
        operationId: 'listVoteShares',
        tags: ['vote-shares'],
        summary: 'The flat table of result lines',
        description:
          'One row per line of each election\'s current version (or of every version with versions=all), ' +
          'ordered by election id, version and line. Unknown election or candidate ids are a 400.',
        querystring: voteShareListQuery,
        response: readResponses('One page of result lines.', voteShareList, 400, 503),
      },
    },
    async (request) => {
      const { limit, cursor, ...filter } = request.query;
      if (filter.election && !(await electionExists(app.db, filter.election)))
        throw badParameter('query', 'election', `no election has the id '${filter.election}'`);
      if (filter.candidate && !(await candidateExists(app.db, filter.candidate)))
        throw badParameter('query', 'candidate', `no candidate has the id '${filter.candidate}'`);
      const rows = await listVoteShares(app.db, { ...filter, after: cursor, limit: limit + 1 });
      return page(rows, limit, (r) => [r.electionId, r.version, r.id], toVoteShare);
    },
  );
};

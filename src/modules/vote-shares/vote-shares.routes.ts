import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { listResponses, sendList } from '../../formats/list.js';
import { badParameter } from '../../lib/problem.js';

import { findArea } from '../areas/areas.repository.js';
import { findOrganisation } from '../organisations/organisations.repository.js';
import { candidateExists } from '../candidates/candidates.repository.js';
import { electionExists } from '../elections/elections.repository.js';
import { voteShareColumns } from './vote-shares.columns.js';
import { voteShareList, voteShareListQuery } from './vote-shares.schemas.js';
import { voteShareListing } from './vote-shares.view.js';

export const voteSharesRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/vote-shares',
    {
      schema: {
        operationId: 'listVoteShares',
        tags: ['vote-shares'],
        summary: 'The flat table of result lines',
        description:
          "One row per line of each election's current version (or of every version with versions=all), " +
          'in the order the lines were recorded (line id), each with its contest and area. Filter by party ' +
          '(a party across elections: votes, share, seats), area, contest or contest kind. Unknown election, ' +
          'candidate, party or area ids are a 400.',
        querystring: voteShareListQuery,
        response: listResponses('One page of result lines.', voteShareList, voteShareColumns, 400, 503),
      },
    },
    async (request, reply) => {
      const { limit, cursor, format: _format, ...filter } = request.query;
      const check = async () => {
        if (filter.election && !(await electionExists(request.db, filter.election)))
          throw badParameter('query', 'election', `no election has the id '${filter.election}'`);
        if (filter.candidate && !(await candidateExists(request.db, filter.candidate)))
          throw badParameter('query', 'candidate', `no candidate has the id '${filter.candidate}'`);
        if (filter.party && !(await findOrganisation(request.db, filter.party)))
          throw badParameter('query', 'party', `no organisation has the id '${filter.party}'`);
        if (filter.area && !(await findArea(request.db, filter.area)))
          throw badParameter('query', 'area', `no area has the id '${filter.area}'`);
      };
      const listing = voteShareListing(request.db, filter, 'vote-shares.csv');
      return sendList(request, reply, { limit, cursor }, { ...listing, check });
    },
  );
};

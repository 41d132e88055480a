import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { page } from '../../lib/pagination.js';
import { notFound } from '../../lib/problem.js';
import { readResponses } from '../../lib/responses.js';
import { electionParams } from './elections.schemas.js';
import { electionExists } from './elections.repository.js';
import { listVersions } from './results.repository.js';
import { resultsSchema, versionList, versionListQuery, versionParams } from './results.schemas.js';
import { requireResults, versionHeader } from './results.service.js';

export const resultsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/elections/:id/results',
    {
      schema: {
        operationId: 'getElectionResults',
        tags: ['elections'],
        summary: 'Current results of an election',
        description:
          'The newest result version: status (preliminary or certified), turnout, every line with ' +
          'votes and the published percentage, and the sources. Older versions stay readable under /versions.',
        params: electionParams,
        response: readResponses('The current result version.', resultsSchema, 400, 404, 503),
      },
    },
    (request) => requireResults(app.db, request.params.id),
  );

  app.get(
    '/elections/:id/results/versions',
    {
      schema: {
        operationId: 'listResultVersions',
        tags: ['elections'],
        summary: 'Every result version of an election, oldest first',
        params: electionParams,
        querystring: versionListQuery,
        response: readResponses('One page of versions, oldest first.', versionList, 400, 404, 503),
      },
    },
    async (request) => {
      const { id } = request.params;
      const { limit, cursor } = request.query;
      const rows = await listVersions(app.db, id, { after: cursor?.[0], limit: limit + 1 });
      if (rows.length === 0 && !(await electionExists(app.db, id))) throw notFound(`Election ${id} not found.`);
      return page(rows, limit, (r) => [r.version.number], ({ version: v, latest, lineCount, source }) => ({
        ...versionHeader(v, latest),
        lineCount,
        source,
      }));
    },
  );

  app.get(
    '/elections/:id/results/versions/:n',
    {
      schema: {
        operationId: 'getResultVersion',
        tags: ['elections'],
        summary: 'One result version of an election',
        params: versionParams,
        response: readResponses('The result version.', resultsSchema, 400, 404, 503),
      },
    },
    (request) => requireResults(app.db, request.params.id, request.params.n),
  );
};

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { page } from '../../lib/pagination.js';
import { notFound } from '../../lib/problem.js';
import { readResponses } from '../../lib/responses.js';
import { findSource, listSources } from './sources.repository.js';
import { sourceList, sourceListQuery, sourceParams, sourceSchema } from './sources.schemas.js';

export const sourcesRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/sources',
    {
      schema: {
        operationId: 'listSources',
        tags: ['sources'],
        summary: 'List sources',
        description: 'Every publication a figure is taken from, ordered by id.',
        querystring: sourceListQuery,
        response: readResponses('One page of sources.', sourceList, 400, 503),
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const rows = await listSources(app.db, { after: cursor?.[0], limit: limit + 1 });
      return page(rows, limit, (r) => [r.id], (r) => r);
    },
  );

  app.get(
    '/sources/:id',
    {
      schema: {
        operationId: 'getSource',
        tags: ['sources'],
        summary: 'Get a source',
        params: sourceParams,
        response: readResponses('The source.', sourceSchema, 400, 404, 503),
      },
    },
    async (request) => {
      const row = await findSource(app.db, request.params.id);
      if (!row) throw notFound(`Source ${request.params.id} not found.`);
      return row;
    },
  );
};

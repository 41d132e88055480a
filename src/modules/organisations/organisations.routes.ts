import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Db } from '../../db/client.js';
import { type Listing, listResponses, sendList } from '../../formats/list.js';
import { conflict, notFound } from '../../lib/problem.js';
import { bearerAuth, postHeaders, readResponses, writeResponses } from '../../lib/responses.js';
import { derivedId } from '../../lib/slug.js';
import { requireSource } from '../sources/sources.repository.js';
import { withSourceColumns } from '../sources/sources.view.js';
import { findOrganisation, insertOrganisation, listOrganisations } from './organisations.repository.js';
import {
  organisationCreateBody,
  organisationList,
  organisationListQuery,
  organisationParams,
  organisationSchema,
} from './organisations.schemas.js';

const organisationColumns = ['id', 'name', 'sourceId', 'sourcePublisher'] as const;

/** Every organisation, in keyset order. */
const organisationListing = (db: Db): Listing<Awaited<ReturnType<typeof listOrganisations>>[number], [string]> => ({
  fetch: (after, limit) => listOrganisations(db, { after: after?.[0], limit }),
  key: (r) => [r.id],
  csv: { filename: 'organisations.csv', columns: organisationColumns, row: withSourceColumns },
});

export const organisationsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/organisations',
    {
      schema: {
        operationId: 'listOrganisations',
        tags: ['organisations'],
        summary: 'List parties and nominating bodies',
        querystring: organisationListQuery,
        response: listResponses('One page of organisations.', organisationList, organisationColumns, 400, 503),
      },
    },
    (request, reply) => sendList(request, reply, request.query, organisationListing(request.db)),
  );

  app.get(
    '/organisations/:id',
    {
      schema: {
        operationId: 'getOrganisation',
        tags: ['organisations'],
        summary: 'Get an organisation',
        params: organisationParams,
        response: readResponses('The organisation.', organisationSchema, 400, 404, 503),
      },
    },
    async (request) => {
      const row = await findOrganisation(request.db, request.params.id);
      if (!row) throw notFound(`Organisation ${request.params.id} not found.`);
      return row;
    },
  );

  app.post(
    '/organisations',
    {
      schema: {
        operationId: 'createOrganisation',
        tags: ['organisations'],
        summary: 'Add a party or nominating body',
        security: bearerAuth,
        headers: postHeaders,
        body: organisationCreateBody,
        response: writeResponses(201, 'The organisation, at the URL in Location.', organisationSchema, 404, 409),
      },
    },
    async (request, reply) => {
      const { id: givenId, name, sourceId } = request.body;
      const id = givenId ?? derivedId(name);
      return app.write(request, reply, { action: 'create', resourceType: 'organisation' }, async (tx) => {
        await requireSource(tx, sourceId, 'sourceId');
        if (await findOrganisation(tx, id)) throw conflict(`An organisation with id '${id}' exists; pass another id.`);
        await insertOrganisation(tx, { id, name, sourceId });
        const body = (await findOrganisation(tx, id))!;
        return { status: 201, body, location: `/v1/organisations/${id}`, resourceId: id };
      });
    },
  );
};

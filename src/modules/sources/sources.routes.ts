import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Db } from '../../db/client.js';
import { type Listing, listResponses, sendList } from '../../formats/list.js';
import { conflict, notFound } from '../../lib/problem.js';
import { bearerAuth, ifMatchHeaders, postHeaders, readResponses, writeResponses } from '../../lib/responses.js';
import { applyEdit, lockForEdit, revisionTag } from '../edits/edits.service.js';
import { derivedId } from '../../lib/slug.js';
import { findSource, insertSource, listSources, type SourceRow } from './sources.repository.js';
import {
  sourceCreateBody,
  sourceList,
  sourceListQuery,
  sourceParams,
  sourcePatchBody,
  sourceSchema,
} from './sources.schemas.js';

const sourceColumns = [
  'id',
  'publisher',
  'title',
  'url',
  'published',
  'kind',
  'language',
  'note',
  'terms',
  'termsUrl',
  'attribution',
] as const;

/** Every source (or those changed `since`), in keyset order. */
const sourceListing = (db: Db, since?: string): Listing<SourceRow, [string]> => ({
  fetch: (after, limit) => listSources(db, { after: after?.[0], limit, since }),
  key: (r) => [r.id],
  csv: { filename: 'sources.csv', columns: sourceColumns },
});

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
        response: listResponses('One page of sources.', sourceList, sourceColumns, 400, 503),
      },
    },
    (request, reply) => sendList(request, reply, request.query, sourceListing(request.db, request.query.updatedSince)),
  );

  app.get(
    '/sources/:id',
    {
      schema: {
        operationId: 'getSource',
        tags: ['sources'],
        summary: 'Get a source',
        description:
          'Where figures come from: publisher, title, URL, publication time, kind (official, news, ...) and ' +
          'language. Every result version, election and candidate names the source it was taken from.',
        params: sourceParams,
        response: readResponses('The source.', sourceSchema, 400, 404, 503),
      },
    },
    async (request, reply) => {
      const row = await findSource(request.db, request.params.id);
      if (!row) throw notFound(`Source ${request.params.id} not found.`);
      reply.revisionTag(revisionTag(row.revision));
      return row;
    },
  );

  app.post(
    '/sources',
    {
      schema: {
        operationId: 'createSource',
        tags: ['sources'],
        summary: 'Add a source',
        description: 'Every figure must cite a source: add it first. 409 when the id is taken.',
        security: bearerAuth,
        headers: postHeaders,
        body: sourceCreateBody,
        response: writeResponses(201, 'The source, at the URL in Location.', sourceSchema, 409),
      },
    },
    async (request, reply) => {
      const { id: givenId, ...fields } = request.body;
      const id = givenId ?? derivedId(`${fields.publisher} ${fields.title ?? fields.published ?? ''}`);
      return app.write(request, reply, { action: 'create', resourceType: 'source' }, async (tx) => {
        if (await findSource(tx, id)) throw conflict(`A source with id '${id}' exists; pass another id.`);
        const row = await insertSource(tx, { id, ...fields });
        return { status: 201, body: row, location: `/v1/sources/${id}`, resourceId: id };
      });
    },
  );

  app.patch(
    '/sources/:id',
    {
      schema: {
        operationId: 'updateSource',
        tags: ['sources'],
        summary: "Change a source's details",
        description:
          'Needs If-Match with the ETag of your last GET of the source: if anyone changed it since, the answer ' +
          'is 412 and nothing is written. Every figure citing the source shows the change (their ETags change too).',
        security: bearerAuth,
        params: sourceParams,
        headers: ifMatchHeaders,
        body: sourcePatchBody,
        response: writeResponses(200, 'The source as changed, with its new ETag.', sourceSchema, 404, 412, 428),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      return app.write(request, reply, { action: 'update', resourceType: 'source' }, async (tx) => {
        await lockForEdit(tx, 'source', id, request.headers['if-match']);
        const revision = await applyEdit(tx, 'source', id, request.body);
        const row = (await findSource(tx, id))!;
        return { status: 200, body: row, etag: revisionTag(revision), resourceId: id };
      });
    },
  );
};

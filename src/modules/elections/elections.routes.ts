import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Db } from '../../db/client.js';
import { listResponses, sendList } from '../../formats/list.js';
import { ifMatchAdmits } from '../../lib/etag.js';
import { conflict, HttpProblem, notFound, unprocessable } from '../../lib/problem.js';
import { bearerAuth, ifMatchHeaders, postHeaders, readResponses, writeResponses } from '../../lib/responses.js';
import { requireSource } from '../sources/sources.repository.js';
import {
  electionEtag,
  electionExists,
  findElection,
  insertElection,
  lockElection,
  updateElection,
} from './elections.repository.js';
import {
  electionCreateBody,
  electionList,
  electionListQuery,
  electionParams,
  electionPatchBody,
  electionSchema,
} from './elections.schemas.js';
import { electionColumns, electionListing, toElection } from './elections.view.js';

export const electionsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/elections',
    {
      schema: {
        operationId: 'listElections',
        tags: ['elections'],
        summary: 'List elections',
        description: 'Newest polling day first. Filters combine with AND.',
        querystring: electionListQuery,
        response: listResponses('One page of elections.', electionList, electionColumns, 400, 503),
      },
    },
    (request, reply) => sendList(request, reply, request.query, electionListing(request.db, request.query)),
  );

  app.get(
    '/elections/:id',
    {
      schema: {
        operationId: 'getElection',
        tags: ['elections'],
        summary: 'Get an election',
        params: electionParams,
        response: readResponses('The election.', electionSchema, 400, 404, 503),
      },
    },
    async (request, reply) => {
      const row = await findElection(request.db, request.params.id);
      if (!row) throw notFound(`Election ${request.params.id} not found.`);
      reply.header('etag', electionEtag(row));
      return toElection(row);
    },
  );

  app.post(
    '/elections',
    {
      schema: {
        operationId: 'createElection',
        tags: ['elections'],
        summary: 'Add an election',
        description: 'Its id is {iso2}.{type}.{YYYY-MM-DD}; publish results with POST /v1/elections/{id}/results.',
        security: bearerAuth,
        headers: postHeaders,
        body: electionCreateBody,
        response: writeResponses(201, 'The election, at the URL in Location.', electionSchema, 404, 409),
      },
    },
    async (request, reply) => {
      const { country, ...fields } = request.body;
      const id = `${country.toLowerCase()}.${fields.type}.${fields.date}`;
      return app.write(request, reply, { action: 'create', resourceType: 'election' }, async (tx) => {
        await requireSource(tx, fields.sourceId, 'sourceId');
        if (fields.previousRoundId) await requireElectionRef(tx, fields.previousRoundId);
        if (await electionExists(tx, id)) throw conflict(`Election ${id} exists; change it with PATCH.`);
        await insertElection(tx, { id, countryCode: country, ...fields });
        const row = (await findElection(tx, id))!;
        return {
          status: 201,
          body: toElection(row),
          location: `/v1/elections/${id}`,
          etag: electionEtag(row),
          resourceId: id,
        };
      });
    },
  );

  app.patch(
    '/elections/:id',
    {
      schema: {
        operationId: 'updateElection',
        tags: ['elections'],
        summary: "Change an election's details",
        description:
          'Needs If-Match with the ETag of your last GET of the election: if anyone changed it (or ' +
          'published results) since, the answer is 412 and nothing is written, so no edit is lost.',
        security: bearerAuth,
        params: electionParams,
        headers: ifMatchHeaders,
        body: electionPatchBody,
        response: writeResponses(200, 'The election as changed, with its new ETag.', electionSchema, 404, 412, 428),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const ifMatch = request.headers['if-match'];
      if (!ifMatch) throw new HttpProblem(428, `Send If-Match with the ETag of GET /v1/elections/${id}.`);
      return app.write(request, reply, { action: 'update', resourceType: 'election' }, async (tx) => {
        if (!(await lockElection(tx, id))) throw notFound(`Election ${id} not found.`);
        const before = (await findElection(tx, id))!;
        const etag = electionEtag(before);
        if (!ifMatchAdmits(ifMatch, etag))
          throw new HttpProblem(412, `The election changed since you read it: its ETag is now ${etag}. Read it again.`);
        const changes = request.body;
        if (changes.sourceId) await requireSource(tx, changes.sourceId, 'sourceId');
        if (changes.previousRoundId) {
          if (changes.previousRoundId === id)
            throw unprocessable([{ in: 'body', name: 'previousRoundId', message: 'cannot be the election itself' }]);
          await requireElectionRef(tx, changes.previousRoundId);
        }
        await updateElection(tx, id, changes);
        const row = (await findElection(tx, id))!;
        return { status: 200, body: toElection(row), etag: electionEtag(row), resourceId: id };
      });
    },
  );
};

async function requireElectionRef(db: Db, id: string) {
  if (!(await electionExists(db, id)))
    throw new HttpProblem(404, `previousRoundId: no election has the id '${id}'.`, [
      { in: 'body', name: 'previousRoundId', message: `no election has the id '${id}'` },
    ]);
}

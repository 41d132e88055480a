import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { Db } from '../../db/client.js';
import { listResponses, sendList } from '../../formats/list.js';
import { conflict, notFound, type ProblemFieldError, unprocessable } from '../../lib/problem.js';
import { bearerAuth, postHeaders, readResponses, writeResponses } from '../../lib/responses.js';
import { derivedId } from '../../lib/slug.js';
import { lookUp } from '../identifiers/identifiers.repository.js';
import { localise } from '../names/names.view.js';
import { requireSource } from '../sources/sources.repository.js';
import {
  existingSourceIds,
  findOrganisation,
  insertOrganisation,
  organisationKinds,
} from './organisations.repository.js';
import {
  organisationCreateBody,
  organisationDetailQuery,
  organisationList,
  organisationListQuery,
  organisationParams,
  organisationResultList,
  organisationResultsQuery,
  organisationSchema,
} from './organisations.schemas.js';
import {
  organisationColumns,
  organisationListing,
  organisationResultColumns,
  organisationResultListing,
} from './organisations.view.js';

export const organisationsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/organisations',
    {
      schema: {
        operationId: 'listOrganisations',
        tags: ['organisations'],
        summary: 'List parties and nominating bodies',
        description:
          'In id order. In CSV, members and memberOf hold the ids of the members and of the alliances, ' +
          'separated by spaces.',
        querystring: organisationListQuery,
        response: listResponses('One page of organisations.', organisationList, organisationColumns, 400, 503),
      },
    },
    async (request, reply) =>
      sendList(
        request,
        reply,
        request.query,
        organisationListing(request.db, await lookUp(request.db, 'party', request.query), (rows) =>
          localise(request, reply, 'party', rows, (r) => r.id, request.query),
        ),
      ),
  );

  app.get(
    '/organisations/:id',
    {
      schema: {
        operationId: 'getOrganisation',
        tags: ['organisations'],
        summary: 'Get an organisation',
        description:
          'A party or nominating body with its names, abbreviation, colour and kind; for an alliance its ' +
          'members, and for any organisation the alliances it belongs to, each with its source.',
        params: organisationParams,
        querystring: organisationDetailQuery,
        response: readResponses('The organisation.', organisationSchema, 400, 404, 503),
      },
    },
    async (request, reply) => {
      const row = await findOrganisation(request.db, request.params.id);
      if (!row) throw notFound(`Organisation ${request.params.id} not found.`);
      return (await localise(request, reply, 'party', [row], (r) => r.id, request.query))[0];
    },
  );

  app.get(
    '/organisations/:id/results',
    {
      schema: {
        operationId: 'listOrganisationResults',
        tags: ['organisations'],
        summary: "A party's results across elections",
        description:
          "One row per line of the organisation in each contest's current version (every version with " +
          "versions=all), at the contest's own area: its party lists (votes, share, seats) and the " +
          'candidates it nominated. Oldest polling day first. The lines of the areas within a contest ' +
          'are at /v1/vote-shares?party={id}&area=...',
        params: organisationParams,
        querystring: organisationResultsQuery,
        response: listResponses(
          "One page of the organisation's result lines.",
          organisationResultList,
          organisationResultColumns,
          400,
          404,
          503,
        ),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if ((await organisationKinds(request.db, [id])).size === 0) throw notFound(`Organisation ${id} not found.`);
      const { limit, cursor, versions, contestKind } = request.query;
      return sendList(
        request,
        reply,
        { limit, cursor },
        organisationResultListing(request.db, id, { versions, contestKind }),
      );
    },
  );

  app.post(
    '/organisations',
    {
      schema: {
        operationId: 'createOrganisation',
        tags: ['organisations'],
        summary: 'Add a party or nominating body',
        description: 'Or an alliance with its members. A colour comes with the source that gives it.',
        security: bearerAuth,
        headers: postHeaders,
        body: organisationCreateBody,
        response: writeResponses(201, 'The organisation, at the URL in Location.', organisationSchema, 404, 409, 422),
      },
    },
    async (request, reply) => {
      const { id: givenId, members, sourceId, ...fields } = request.body;
      const id = givenId ?? derivedId(fields.name);
      return app.write(request, reply, { action: 'create', resourceType: 'organisation' }, async (tx) => {
        await requireSource(tx, sourceId, 'sourceId');
        if (await findOrganisation(tx, id)) throw conflict(`An organisation with id '${id}' exists; pass another id.`);
        const errors = await checkOrganisation(tx, id, request.body);
        if (errors.length) throw unprocessable(errors);
        await insertOrganisation(tx, { id, ...fields, sourceId }, members);
        const body = (await findOrganisation(tx, id))!;
        return { status: 201, body, location: `/v1/organisations/${id}`, resourceId: id };
      });
    },
  );
};

/** The rules of the colour and of an alliance's members, each broken one named. */
async function checkOrganisation(
  db: Db,
  id: string,
  body: z.output<typeof organisationCreateBody>,
): Promise<ProblemFieldError[]> {
  const errors: ProblemFieldError[] = [];
  const fail = (name: string, message: string) => errors.push({ in: 'body', name, message });
  const memberIds = body.members.map((m) => m.memberId);
  const known = await organisationKinds(db, memberIds);
  const sourceIds = await existingSourceIds(db, [
    ...(body.colourSourceId ? [body.colourSourceId] : []),
    ...body.members.map((m) => m.sourceId),
  ]);

  if (body.colour !== null && body.colourSourceId === null) fail('colourSourceId', 'is required with a colour');
  if (body.colour === null && body.colourSourceId !== null)
    fail('colourSourceId', 'is only for a colour: pass colour too');
  if (body.colourSourceId !== null && !sourceIds.has(body.colourSourceId))
    fail('colourSourceId', `no source has the id '${body.colourSourceId}'`);

  if (body.members.length && body.kind !== 'alliance')
    fail('members', `only an alliance has members; this organisation's kind is ${body.kind ?? 'not given'}`);
  body.members.forEach((m, i) => {
    if (m.memberId === id) fail(`members.${i}.memberId`, 'an alliance cannot be its own member');
    else if (!known.has(m.memberId)) fail(`members.${i}.memberId`, `no organisation has the id '${m.memberId}'`);
    if (memberIds.indexOf(m.memberId) !== i) fail(`members.${i}.memberId`, `'${m.memberId}' is named twice`);
    if (!sourceIds.has(m.sourceId)) fail(`members.${i}.sourceId`, `no source has the id '${m.sourceId}'`);
  });
  return errors;
}

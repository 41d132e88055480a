import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { Db } from '../../db/client.js';
import { listResponses, sendList } from '../../formats/list.js';
import { conflict, type ProblemFieldError, unprocessable } from '../../lib/problem.js';
import { bearerAuth, ifMatchHeaders, postHeaders, readResponses, writeResponses } from '../../lib/responses.js';
import { ownNameRows, syncOwnNames } from '../../db/names.js';
import {
  applyEdit,
  keepOldName,
  lockForEdit,
  mergeRoute,
  redirectOrNotFound,
  revisionTag,
} from '../edits/edits.service.js';
import { mergeBody, mergeResult, movedResponse } from '../edits/edits.schemas.js';
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
  organisationPatchBody,
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
        organisationListing(
          request.db,
          await lookUp(request.db, 'party', request.query),
          (rows) => localise(request, reply, 'party', rows, (r) => r.id, request.query),
          request.query.updatedSince,
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
        response: { ...readResponses('The organisation.', organisationSchema, 400, 404, 503), ...movedResponse },
      },
    },
    async (request, reply) => {
      const row = await findOrganisation(request.db, request.params.id);
      if (!row) return redirectOrNotFound(request, reply, 'party', request.params.id);
      reply.revisionTag(revisionTag(row.revision));
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
        response: {
          ...listResponses(
            "One page of the organisation's result lines.",
            organisationResultList,
            organisationResultColumns,
            400,
            404,
            503,
          ),
          ...movedResponse,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if ((await organisationKinds(request.db, [id])).size === 0)
        return redirectOrNotFound(request, reply, 'party', id);
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

  app.patch(
    '/organisations/:id',
    {
      schema: {
        operationId: 'updateOrganisation',
        tags: ['organisations'],
        summary: "Change a party's or nominating body's details",
        description:
          'Needs If-Match with the ETag of your last GET of the organisation: if anyone changed it since, ' +
          'the answer is 412 and nothing is written. A new name keeps the old one searchable.',
        security: bearerAuth,
        params: organisationParams,
        headers: ifMatchHeaders,
        body: organisationPatchBody,
        response: writeResponses(
          200,
          'The organisation as changed, with its new ETag.',
          organisationSchema,
          404,
          412,
          428,
        ),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const changes = request.body;
      return app.write(request, reply, { action: 'update', resourceType: 'organisation' }, async (tx) => {
        await lockForEdit(tx, 'party', id, request.headers['if-match']);
        const before = (await findOrganisation(tx, id))!;
        if (changes.sourceId) await requireSource(tx, changes.sourceId, 'sourceId');
        const after = {
          name: before.name,
          kind: before.kind,
          shortName: before.shortName,
          abbreviation: before.abbreviation,
          colour: before.colour,
          colourSourceId: before.colourSourceId,
          sourceId: before.source.id,
          ...changes,
        };
        const errors = await checkOrganisation(tx, id, { ...after, members: [] });
        if (before.members.length && after.kind !== 'alliance')
          errors.push({ in: 'body', name: 'kind', message: `stays alliance: it has ${before.members.length} members` });
        if (errors.length) throw unprocessable(errors);
        const revision = await applyEdit(tx, 'party', id, changes);
        if (['name', 'shortName', 'abbreviation', 'sourceId'].some((k) => k in changes))
          await syncOwnNames(tx, 'party', id, ownNameRows('party', id, after, after.sourceId));
        if (after.name !== before.name) await keepOldName(tx, 'party', id, before.name, before.source.id);
        const body = (await findOrganisation(tx, id))!;
        return { status: 200, body, etag: revisionTag(revision), resourceId: id };
      });
    },
  );

  app.post(
    '/organisations/:id/merge',
    {
      schema: {
        operationId: 'mergeOrganisations',
        tags: ['organisations'],
        summary: 'Merge a party recorded twice into the other record',
        description:
          'Its lines (as nominator or party list), names, identifiers and alliance memberships move to ' +
          "`into`; this id then answers 301 with `into`'s URL, and no list or search shows it again. 409 " +
          'when they cannot be one party: both have a party list in one result version, one is an ' +
          'alliance the other belongs to, or another dataset gives them different ids.',
        security: bearerAuth,
        headers: postHeaders,
        params: organisationParams,
        body: mergeBody('OrganisationMerge', 'amanat'),
        response: writeResponses(200, 'Merged: the record kept is at Location.', mergeResult, 404, 409),
      },
    },
    async (request, reply) => mergeRoute(app, request, reply, 'party', request.params.id, request.body.into),
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

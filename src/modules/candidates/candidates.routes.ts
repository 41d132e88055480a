import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { listResponses, sendList } from '../../formats/list.js';
import { page } from '../../lib/pagination.js';
import { badParameter, conflict } from '../../lib/problem.js';
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
import { requireSource } from '../sources/sources.repository.js';
import { withSourceColumns } from '../sources/sources.view.js';
import { candidateTimeSeries } from '../vote-shares/vote-shares.repository.js';
import { toVoteShare } from '../vote-shares/vote-shares.view.js';
import {
  candidateExists,
  findCandidate,
  findCandidates,
  insertCandidate,
  listCandidates,
} from './candidates.repository.js';
import { searchNames } from '../search/search.repository.js';
import { localise } from '../names/names.view.js';
import type { Db } from '../../db/client.js';
import { identifierCell, lookUp, narrowedTo } from '../identifiers/identifiers.repository.js';
import { searchKeyOf } from '../search/search.view.js';
import {
  candidateCreateBody,
  candidateDetailQuery,
  candidateDetailSchema,
  candidateList,
  candidateListQuery,
  candidateParams,
  candidatePatchBody,
} from './candidates.schemas.js';

const candidateColumns = ['id', 'name', 'note', 'sourceId', 'sourcePublisher', 'identifiers'] as const;

/** A candidate's row: its identifiers are a column of its statement (identifiersColumn). */
type CandidateRow = NonNullable<Awaited<ReturnType<typeof findCandidate>>>;

/** The candidate with a page of their vote shares, or undefined. */
async function candidateDetail(
  db: Db,
  id: string,
  opts: { limit: number; cursor?: [string, string, number, number] | undefined },
) {
  const [candidate, series] = await Promise.all([
    findCandidate(db, id),
    candidateTimeSeries(db, id, { after: opts.cursor, limit: opts.limit + 1 }),
  ]);
  if (!candidate) return undefined;
  const shares = page(series, opts.limit, (r) => [r.date, r.electionId, r.version, r.id], toVoteShare);
  return { candidate, shares: { voteShares: shares.data, voteSharesNext: shares.next } };
}

export const candidatesRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/candidates',
    {
      schema: {
        operationId: 'listCandidates',
        tags: ['candidates'],
        summary: 'List or search candidates',
        description:
          'Ordered by id; with `q`, best match first: any of their names in any script or spelling, ' +
          'as `GET /v1/search?kind=person` finds them.',
        querystring: candidateListQuery,
        response: listResponses('One page of candidates.', candidateList, candidateColumns, 400, 503),
      },
    },
    async (request, reply) => {
      const { q, cursor } = request.query;
      const db = request.db;
      const csv = {
        filename: 'candidates.csv',
        columns: candidateColumns,
        row: ({ identifiers, ...c }: CandidateRow) => ({
          ...withSourceColumns(c),
          identifiers: identifierCell(identifiers),
        }),
      };
      if (q !== undefined && request.query.updatedSince !== undefined)
        throw badParameter('query', 'updatedSince', 'cannot be combined with q: a search ranks every match');
      if (q !== undefined && (request.query.wikidata ?? request.query.identifier) !== undefined)
        throw badParameter('query', 'q', 'cannot be combined with wikidata or identifier: a look-up finds one record');
      const only = await lookUp(db, 'person', request.query);
      if (only !== undefined || q === undefined) {
        if (cursor && cursor.length !== 1) throw badParameter('query', 'cursor', 'is a search cursor: pass the same q');
        return sendList(
          request,
          reply,
          { ...request.query, cursor },
          {
            fetch: async (after, limit) => {
              const rows = await narrowedTo(
                only,
                (after: [string] | undefined, limit) =>
                  listCandidates(db, { after: after?.[0], limit, since: request.query.updatedSince }),
                (id) => findCandidate(db, id),
              )(after, limit);
              return localise(request, reply, 'person', rows, (r) => r.id, request.query);
            },
            key: (r) => [r.id],
            csv,
          },
        );
      }
      const key = searchKeyOf(q);
      if (cursor && cursor.length !== 2) throw badParameter('query', 'cursor', 'is not a search cursor: drop it or q');
      return sendList(
        request,
        reply,
        { ...request.query, cursor },
        {
          fetch: async (after, limit) => {
            const hits = await searchNames(db, {
              key,
              query: q,
              kinds: ['person'],
              after: after && [after[0], 'person', after[1]],
              limit,
            });
            const rows = await findCandidates(
              db,
              hits.map((h) => h.id),
            );
            const found = hits.flatMap((h) => {
              const row = rows.get(h.id);
              return row ? [{ ...row, score: h.score }] : [];
            });
            return localise(request, reply, 'person', found, (r) => r.id, request.query);
          },
          key: (r) => [r.score, r.id],
          item: ({ score: _score, ...candidate }) => candidate,
          csv: {
            ...csv,
            row: ({ score: _score, ...candidate }: CandidateRow & { score: number }) => csv.row(candidate),
          },
        },
      );
    },
  );

  app.get(
    '/candidates/:id',
    {
      schema: {
        operationId: 'getCandidate',
        tags: ['candidates'],
        summary: 'A candidate with their vote shares across elections',
        description:
          'Their lines in every result version of every election, oldest polling day first, a page ' +
          'at a time: follow `voteSharesNext`.',
        params: candidateParams,
        querystring: candidateDetailQuery,
        response: {
          ...readResponses('The candidate and a page of their vote shares.', candidateDetailSchema, 400, 404, 503),
          ...movedResponse,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { limit, cursor } = request.query;
      const found = await candidateDetail(request.db, id, { limit, cursor });
      if (!found) return redirectOrNotFound(request, reply, 'person', id);
      reply.revisionTag(revisionTag(found.candidate.revision));
      const [shown] = await localise(request, reply, 'person', [found.candidate], (r) => r.id, request.query);
      return { ...shown!, ...found.shares };
    },
  );

  app.patch(
    '/candidates/:id',
    {
      schema: {
        operationId: 'updateCandidate',
        tags: ['candidates'],
        summary: "Change a candidate's details",
        description:
          'Needs If-Match with the ETag of your last GET of the candidate: if anyone changed them since, ' +
          'the answer is 412 and nothing is written. A new name keeps the old one searchable.',
        security: bearerAuth,
        params: candidateParams,
        headers: ifMatchHeaders,
        body: candidatePatchBody,
        response: writeResponses(
          200,
          'The candidate as changed, with the first page of their vote shares and the new ETag.',
          candidateDetailSchema,
          404,
          412,
          428,
        ),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const changes = request.body;
      return app.write(request, reply, { action: 'update', resourceType: 'candidate' }, async (tx) => {
        await lockForEdit(tx, 'person', id, request.headers['if-match']);
        const before = (await findCandidate(tx, id))!;
        if (changes.sourceId) await requireSource(tx, changes.sourceId, 'sourceId');
        const revision = await applyEdit(tx, 'person', id, changes);
        const name = changes.name ?? before.name;
        const sourceId = changes.sourceId ?? before.source.id;
        if (name !== before.name || sourceId !== before.source.id)
          await syncOwnNames(tx, 'person', id, ownNameRows('person', id, { name }, sourceId));
        if (name !== before.name) await keepOldName(tx, 'person', id, before.name, before.source.id);
        const { candidate, shares } = (await candidateDetail(tx, id, { limit: 50 }))!;
        return { status: 200, body: { ...candidate, ...shares }, etag: revisionTag(revision), resourceId: id };
      });
    },
  );

  app.post(
    '/candidates/:id/merge',
    {
      schema: {
        operationId: 'mergeCandidates',
        tags: ['candidates'],
        summary: 'Merge a person recorded twice into the other record',
        description:
          'Their vote-share lines, names and identifiers move to `into`; this id then answers 301 with ' +
          "`into`'s URL, and no list or search shows it again. 409 when they cannot be one person: both " +
          'stand in one result version, or another dataset (e.g. Wikidata) gives them different ids.',
        security: bearerAuth,
        headers: postHeaders,
        params: candidateParams,
        body: mergeBody('CandidateMerge', 'kassym-jomart-tokayev'),
        response: writeResponses(200, 'Merged: the record kept is at Location.', mergeResult, 404, 409),
      },
    },
    async (request, reply) => mergeRoute(app, request, reply, 'person', request.params.id, request.body.into),
  );

  app.post(
    '/candidates',
    {
      schema: {
        operationId: 'createCandidate',
        tags: ['candidates'],
        summary: 'Add a candidate (a person)',
        description:
          'The id is the slug of the name (`Zhiguli Dairabayev` is `zhiguli-dairabayev`) unless the body ' +
          'gives one; a taken id is a 409 (pass another id for a namesake). The sourceId must exist (else 404).',
        security: bearerAuth,
        headers: postHeaders,
        body: candidateCreateBody,
        response: writeResponses(201, 'The candidate, at the URL in Location.', candidateDetailSchema, 404, 409),
      },
    },
    async (request, reply) => {
      const { id: givenId, ...fields } = request.body;
      const id = givenId ?? derivedId(fields.name);
      return app.write(request, reply, { action: 'create', resourceType: 'candidate' }, async (tx) => {
        await requireSource(tx, fields.sourceId, 'sourceId');
        if (await candidateExists(tx, id)) throw conflict(`A candidate with id '${id}' exists; pass another id.`);
        await insertCandidate(tx, { id, ...fields });
        const body = { ...(await findCandidate(tx, id))!, voteShares: [], voteSharesNext: null };
        return { status: 201, body, location: `/v1/candidates/${id}`, resourceId: id };
      });
    },
  );
};

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { listResponses, sendList } from '../../formats/list.js';
import { page } from '../../lib/pagination.js';
import { badParameter, conflict, notFound } from '../../lib/problem.js';
import { bearerAuth, postHeaders, readResponses, writeResponses } from '../../lib/responses.js';
import { derivedId, searchKey } from '../../lib/slug.js';
import { requireSource } from '../sources/sources.repository.js';
import { withSourceColumns } from '../sources/sources.view.js';
import { candidateTimeSeries } from '../vote-shares/vote-shares.repository.js';
import { toVoteShare } from '../vote-shares/vote-shares.view.js';
import { candidateExists, findCandidate, insertCandidate, listCandidates } from './candidates.repository.js';
import {
  candidateCreateBody,
  candidateDetailQuery,
  candidateDetailSchema,
  candidateList,
  candidateListQuery,
  candidateParams,
} from './candidates.schemas.js';

const candidateColumns = ['id', 'name', 'note', 'sourceId', 'sourcePublisher'] as const;

export const candidatesRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/candidates',
    {
      schema: {
        operationId: 'listCandidates',
        tags: ['candidates'],
        summary: 'List or search candidates',
        description: 'Ordered by id. `q` matches any part of the name, ignoring case and accents.',
        querystring: candidateListQuery,
        response: listResponses('One page of candidates.', candidateList, candidateColumns, 400, 503),
      },
    },
    async (request, reply) => {
      const { q } = request.query;
      const key = q === undefined ? undefined : searchKey(q);
      if (key === '') throw badParameter('query', 'q', 'must contain at least one letter or digit');
      return sendList(request, reply, request.query, {
        fetch: (after, limit) => listCandidates(request.db, { key, after: after?.[0], limit }),
        key: (r) => [r.id],
        csv: { filename: 'candidates.csv', columns: candidateColumns, row: withSourceColumns },
      });
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
        response: readResponses('The candidate and a page of their vote shares.', candidateDetailSchema, 400, 404, 503),
      },
    },
    async (request) => {
      const { id } = request.params;
      const { limit, cursor } = request.query;
      const [candidate, series] = await Promise.all([
        findCandidate(request.db, id),
        candidateTimeSeries(request.db, id, { after: cursor, limit: limit + 1 }),
      ]);
      if (!candidate) throw notFound(`Candidate ${id} not found.`);
      const shares = page(series, limit, (r) => [r.date, r.electionId, r.version, r.id], toVoteShare);
      return { ...candidate, voteShares: shares.data, voteSharesNext: shares.next };
    },
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

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { allRows, csvNotModified, sendCsv, wantsCsv, withCsv } from '../../lib/csv.js';
import { page } from '../../lib/pagination.js';
import { badParameter, conflict, notFound } from '../../lib/problem.js';
import { bearerAuth, postHeaders, readResponses, writeResponses } from '../../lib/responses.js';
import { derivedId, searchKey } from '../../lib/slug.js';
import { requireSource } from '../sources/sources.repository.js';
import { candidateTimeSeries } from '../vote-shares/vote-shares.repository.js';
import { toVoteShare } from '../vote-shares/vote-shares.routes.js';
import { candidateExists, findCandidate, insertCandidate, listCandidates } from './candidates.repository.js';
import {
  candidateCreateBody,
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
        response: withCsv(readResponses('One page of candidates.', candidateList, 400, 503), candidateColumns),
      },
    },
    async (request, reply) => {
      const { q, limit, cursor } = request.query;
      const key = q === undefined ? undefined : searchKey(q);
      if (key === '') throw badParameter('query', 'q', 'must contain at least one letter or digit');
      if (wantsCsv(request)) {
        if (await csvNotModified(app.db, request, reply)) return reply;
        const rows = allRows(
          (after: string | undefined, limit) => listCandidates(app.db, { key, after, limit }),
          (r) => r.id,
          ({ source, ...c }) => ({ ...c, sourceId: source.id, sourcePublisher: source.publisher }),
        );
        return sendCsv(reply, 'candidates.csv', candidateColumns, rows);
      }
      const rows = await listCandidates(app.db, { key, after: cursor?.[0], limit: limit + 1 });
      return page(
        rows,
        limit,
        (r) => [r.id],
        (r) => r,
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
        params: candidateParams,
        response: readResponses('The candidate and their vote shares.', candidateDetailSchema, 400, 404, 503),
      },
    },
    async (request) => {
      const { id } = request.params;
      const [candidate, series] = await Promise.all([findCandidate(app.db, id), candidateTimeSeries(app.db, id)]);
      if (!candidate) throw notFound(`Candidate ${id} not found.`);
      return { ...candidate, voteShares: series.map(toVoteShare) };
    },
  );

  app.post(
    '/candidates',
    {
      preHandler: app.requireScope('write'),
      schema: {
        operationId: 'createCandidate',
        tags: ['candidates'],
        summary: 'Add a candidate (a person)',
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
        const body = { ...(await findCandidate(tx, id))!, voteShares: [] };
        return { status: 201, body, location: `/v1/candidates/${id}`, resourceId: id };
      });
    },
  );
};

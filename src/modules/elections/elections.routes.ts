import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { allRows, csvNotModified, sendCsv, wantsCsv, withCsv } from '../../lib/csv.js';
import { page } from '../../lib/pagination.js';
import type { Db } from '../../db/client.js';
import { conflict, HttpProblem, notFound, unprocessable } from '../../lib/problem.js';
import { bearerAuth, postHeaders, readResponses, writeResponses } from '../../lib/responses.js';
import { requireSource } from '../sources/sources.repository.js';
import type { z } from 'zod';
import {
  electionEtag,
  electionExists,
  type ElectionRow,
  findElection,
  insertElection,
  listElections,
  lockElection,
  updateElection,
} from './elections.repository.js';
import {
  electionCreateBody,
  electionList,
  electionListQuery,
  electionParams,
  electionSchema,
  type ElectionListQuery,
  electionPatchBody,
  ifMatchHeaders,
} from './elections.schemas.js';

const longDate = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

export const isPreliminary = (status: string) => status.startsWith('unofficial');

export function toElection({
  election: e,
  countryName,
  source,
  current,
}: ElectionRow): z.output<typeof electionSchema> {
  const round = e.round > 1 ? `, round ${e.round}` : '';
  return {
    id: e.id,
    title: `${countryName} ${e.type} election${round}, ${longDate.format(new Date(e.date))}`,
    country: { code: e.countryCode, name: countryName },
    type: e.type,
    date: e.date,
    snap: e.snap,
    round: e.round,
    previousRoundId: e.previousRoundId,
    termEndYear: e.termEndYear,
    candidateCount: e.candidateCount,
    note: e.note,
    source,
    currentResults: current
      ? {
          version: current.number,
          status: current.status,
          preliminary: isPreliminary(current.status),
          asOf: current.asOf,
          complete: current.complete,
        }
      : null,
  };
}

export const electionColumns = [
  'id',
  'title',
  'countryCode',
  'countryName',
  'type',
  'date',
  'snap',
  'round',
  'previousRoundId',
  'termEndYear',
  'candidateCount',
  'note',
  'sourceId',
  'sourcePublisher',
  'sourceUrl',
  'currentVersion',
  'currentStatus',
  'preliminary',
  'currentAsOf',
  'currentComplete',
] as const;

function toElectionCsvRow(row: ElectionRow) {
  const { country, source, currentResults: c, ...e } = toElection(row);
  return {
    ...e,
    countryCode: country.code,
    countryName: country.name,
    sourceId: source.id,
    sourcePublisher: source.publisher,
    sourceUrl: source.url,
    currentVersion: c?.version,
    currentStatus: c?.status,
    preliminary: c?.preliminary,
    currentAsOf: c?.asOf,
    currentComplete: c?.complete,
  };
}

/** A page of elections, or all of them as CSV; shared with /countries/{code}/elections. */
export async function electionsResponse(
  app: Parameters<FastifyPluginAsyncZod>[0],
  request: FastifyRequest,
  reply: FastifyReply,
  q: ElectionListQuery,
) {
  if (wantsCsv(request)) {
    if (await csvNotModified(app.db, request, reply)) return reply;
    const rows = allRows(
      (after: [string, string] | undefined, limit) => listElections(app.db, { ...q, after, limit }),
      (r) => [r.election.date, r.election.id] as [string, string],
      toElectionCsvRow,
    );
    return sendCsv(reply, 'elections.csv', electionColumns, rows);
  }
  const rows = await listElections(app.db, { ...q, after: q.cursor, limit: q.limit + 1 });
  return page(rows, q.limit, (r) => [r.election.date, r.election.id], toElection);
}

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
        response: withCsv(readResponses('One page of elections.', electionList, 400, 503), electionColumns),
      },
    },
    (request, reply) => electionsResponse(app, request, reply, request.query),
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
      const row = await findElection(app.db, request.params.id);
      if (!row) throw notFound(`Election ${request.params.id} not found.`);
      reply.header('etag', electionEtag(row));
      return toElection(row);
    },
  );

  app.post(
    '/elections',
    {
      preHandler: app.requireScope('write'),
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
      preHandler: app.requireScope('write'),
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
        if (ifMatch !== '*' && !ifMatch.split(',').some((tag) => tag.trim() === etag))
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

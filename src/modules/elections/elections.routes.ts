import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { page } from '../../lib/pagination.js';
import { notFound } from '../../lib/problem.js';
import { readResponses } from '../../lib/responses.js';
import type { z } from 'zod';
import { type ElectionRow, findElection, listElections } from './elections.repository.js';
import {
  electionList,
  electionListQuery,
  electionParams,
  electionSchema,
  type ElectionListQuery,
} from './elections.schemas.js';

const longDate = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

export const isPreliminary = (status: string) => status.startsWith('unofficial');

export function toElection({ election: e, countryName, source, current }: ElectionRow): z.output<typeof electionSchema> {
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

/** One page of elections for a validated query; shared with /countries/{code}/elections. */
export async function electionPage(app: Parameters<FastifyPluginAsyncZod>[0], q: ElectionListQuery) {
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
        response: readResponses('One page of elections.', electionList, 400, 503),
      },
    },
    (request) => electionPage(app, request.query),
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
    async (request) => {
      const row = await findElection(app.db, request.params.id);
      if (!row) throw notFound(`Election ${request.params.id} not found.`);
      return toElection(row);
    },
  );
};

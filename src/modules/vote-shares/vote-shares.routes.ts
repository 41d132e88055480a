import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Db } from '../../db/client.js';
import { allRows, csvNotModified, sendCsv, wantsCsv, withCsv } from '../../lib/csv.js';
import { page } from '../../lib/pagination.js';
import { badParameter } from '../../lib/problem.js';
import { readResponses } from '../../lib/responses.js';
import { candidateExists } from '../candidates/candidates.repository.js';
import { electionExists } from '../elections/elections.repository.js';
import { isPreliminary } from '../elections/elections.routes.js';
import { listVoteShares, type VoteShareFilter, type VoteShareRow } from './vote-shares.repository.js';
import { lineColumns } from './vote-shares.columns.js';
import { voteShareList, voteShareListQuery } from './vote-shares.schemas.js';

export const toVoteShare = ({ candidateName, label, ...row }: VoteShareRow) => ({
  ...row,
  preliminary: isPreliminary(row.status),
  name: candidateName ?? label ?? '',
});

/** The columns of docs/import.md, so an export can be edited and imported back. */
export const voteShareColumns = ['id', ...lineColumns, 'current', 'preliminary'] as const;

/** Every line matching `filter`, streamed as CSV in keyset order; shared with /results. */
export function sendVoteSharesCsv(db: Db, reply: FastifyReply, filename: string, filter: VoteShareFilter) {
  const rows = allRows(
    (after: number | undefined, limit) => listVoteShares(db, { ...filter, after, limit }),
    (r) => r.id,
    toVoteShare,
  );
  return sendCsv(reply, filename, voteShareColumns, rows);
}

export const voteSharesRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/vote-shares',
    {
      schema: {
        operationId: 'listVoteShares',
        tags: ['vote-shares'],
        summary: 'The flat table of result lines',
        description:
          "One row per line of each election's current version (or of every version with versions=all), " +
          'in the order the lines were recorded (line id). Unknown election or candidate ids are a 400.',
        querystring: voteShareListQuery,
        response: withCsv(readResponses('One page of result lines.', voteShareList, 400, 503), voteShareColumns),
      },
    },
    async (request, reply) => {
      const { limit, cursor, format: _format, ...filter } = request.query;
      if (filter.election && !(await electionExists(app.db, filter.election)))
        throw badParameter('query', 'election', `no election has the id '${filter.election}'`);
      if (filter.candidate && !(await candidateExists(app.db, filter.candidate)))
        throw badParameter('query', 'candidate', `no candidate has the id '${filter.candidate}'`);
      if (wantsCsv(request)) {
        if (await csvNotModified(app.db, request, reply)) return reply;
        return sendVoteSharesCsv(app.db, reply, 'vote-shares.csv', filter);
      }
      const rows = await listVoteShares(app.db, { ...filter, after: cursor?.[0], limit: limit + 1 });
      return page(rows, limit, (r) => [r.id], toVoteShare);
    },
  );
};

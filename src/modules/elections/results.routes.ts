import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { Db } from '../../db/client.js';
import type { resultVersions } from '../../db/schema/index.js';
import { page } from '../../lib/pagination.js';
import { notFound } from '../../lib/problem.js';
import { readResponses } from '../../lib/responses.js';
import { electionParams } from './elections.schemas.js';
import { electionExists } from './elections.repository.js';
import { isPreliminary } from './elections.routes.js';
import { findAdditionalSources, findLines, findVersion, listVersions } from './results.repository.js';
import { resultsSchema, versionList, versionListQuery, versionParams } from './results.schemas.js';

type Results = z.output<typeof resultsSchema>;

const round2 = (x: number) => Math.round(x * 100) / 100;

/** The fields every view of a version starts with; `latest` is the election's newest number. */
function versionHeader(v: typeof resultVersions.$inferSelect, latest: number) {
  return {
    electionId: v.electionId,
    version: v.number,
    status: v.status,
    preliminary: isPreliminary(v.status),
    current: v.number === latest,
    asOf: v.asOf,
    complete: v.complete,
    recordedAt: v.createdAt.toISOString(),
  };
}

/** The full version, or undefined when the election has no such version. */
async function loadResults(db: Db, electionId: string, number?: number): Promise<Results | undefined> {
  const found = await findVersion(db, electionId, number);
  if (!found) return undefined;
  const { version: v, source, latest } = found;
  const [lines, extra] = await Promise.all([findLines(db, v.id), findAdditionalSources(db, v.id)]);

  const votes = lines.map((l) => l.line.votes);
  const linesTotal =
    v.complete && lines.length > 0 && votes.every((n) => n !== null)
      ? votes.reduce<number>((sum, n) => sum + (n ?? 0), 0)
      : null;

  return {
    ...versionHeader(v, latest),
    publishedBy: v.publishedBy,
    note: v.note,
    turnout: {
      registeredVoters: v.registeredVoters,
      ballotsCast: v.ballotsCast,
      validVotes: v.validVotes,
      invalidVotes: v.invalidVotes,
      turnoutPercent: v.turnoutPercent,
    },
    derived: {
      linesTotal,
      ballotsCastMinusLinesTotal:
        linesTotal !== null && v.ballotsCast !== null ? v.ballotsCast - linesTotal : null,
      turnoutPercent:
        v.ballotsCast !== null && v.registeredVoters
          ? round2((v.ballotsCast / v.registeredVoters) * 100)
          : null,
    },
    percentBase: v.percentBase,
    lines: lines.map(({ line, candidate, nominator }) => ({
      kind: line.kind,
      name: candidate?.name ?? line.label ?? '',
      candidate,
      nominator,
      votes: line.votes,
      percent: line.percent,
      rank: line.rank,
      outcome: line.outcome,
    })),
    sources: [
      { ...pickSource(source), covers: 'the figures of this version' },
      ...extra.map((e) => ({ ...pickSource(e.source), covers: e.covers })),
    ],
  };
}

const pickSource = (s: {
  id: string;
  publisher: string;
  title: string | null;
  url: string | null;
  kind: 'official' | 'news';
  published: string | null;
}) => ({ id: s.id, publisher: s.publisher, title: s.title, url: s.url, kind: s.kind, published: s.published });

export const resultsRoutes: FastifyPluginAsyncZod = async (app) => {
  async function resultsOr404(electionId: string, number?: number) {
    const results = await loadResults(app.db, electionId, number);
    if (results) return results;
    if (!(await electionExists(app.db, electionId))) throw notFound(`Election ${electionId} not found.`);
    throw notFound(
      number === undefined
        ? `No results have been published for ${electionId} yet.`
        : `Election ${electionId} has no result version ${number}.`,
    );
  }

  app.get(
    '/elections/:id/results',
    {
      schema: {
        operationId: 'getElectionResults',
        tags: ['elections'],
        summary: 'Current results of an election',
        description:
          'The newest result version: status (preliminary or certified), turnout, every line with ' +
          'votes and the published percentage, and the sources. Older versions stay readable under /versions.',
        params: electionParams,
        response: readResponses('The current result version.', resultsSchema, 400, 404, 503),
      },
    },
    (request) => resultsOr404(request.params.id),
  );

  app.get(
    '/elections/:id/results/versions',
    {
      schema: {
        operationId: 'listResultVersions',
        tags: ['elections'],
        summary: 'Every result version of an election, oldest first',
        params: electionParams,
        querystring: versionListQuery,
        response: readResponses('One page of versions, oldest first.', versionList, 400, 404, 503),
      },
    },
    async (request) => {
      const { id } = request.params;
      const { limit, cursor } = request.query;
      const rows = await listVersions(app.db, id, { after: cursor?.[0], limit: limit + 1 });
      if (rows.length === 0 && !(await electionExists(app.db, id))) throw notFound(`Election ${id} not found.`);
      return page(rows, limit, (r) => [r.version.number], ({ version: v, latest, lineCount, source }) => ({
        ...versionHeader(v, latest),
        lineCount,
        source,
      }));
    },
  );

  app.get(
    '/elections/:id/results/versions/:n',
    {
      schema: {
        operationId: 'getResultVersion',
        tags: ['elections'],
        summary: 'One result version of an election',
        params: versionParams,
        response: readResponses('The result version.', resultsSchema, 400, 404, 503),
      },
    },
    (request) => resultsOr404(request.params.id, request.params.n),
  );
};

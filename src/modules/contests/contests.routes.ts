import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Db } from '../../db/client.js';
import { isPreliminary } from '../../db/schema/index.js';
import { type Listing, listResponses, sendList } from '../../formats/list.js';
import { conflict, HttpProblem, notFound, unprocessable } from '../../lib/problem.js';
import { bearerAuth, postHeaders, readResponses, writeResponses } from '../../lib/responses.js';
import { findArea } from '../areas/areas.repository.js';
import { electionExists, findElection, lockElection } from '../elections/elections.repository.js';
import { electionParams } from '../elections/elections.schemas.js';
import { requireSource } from '../sources/sources.repository.js';
import { type ContestRow, findContest, insertContest, listContests } from './contests.repository.js';
import { contestCreateBody, contestList, contestListQuery, contestParams, contestSchema } from './contests.schemas.js';

const toContest = ({ contest: c, area, current }: ContestRow) => ({
  id: c.slug,
  electionId: c.electionId,
  name: c.name,
  kind: c.kind,
  seats: c.seats,
  thresholdPercent: c.thresholdPercent,
  main: c.main,
  area,
  note: c.note,
  currentResults: current
    ? {
        version: current.number,
        status: current.status,
        preliminary: isPreliminary(current.status),
        asOf: current.asOf,
        complete: current.complete,
      }
    : null,
  resultsUrl: c.main
    ? `/v1/elections/${c.electionId}/results`
    : `/v1/elections/${c.electionId}/contests/${c.slug}/results`,
});

const contestColumns = [
  'electionId',
  'id',
  'name',
  'kind',
  'seats',
  'thresholdPercent',
  'main',
  'areaId',
  'areaName',
  'currentVersion',
  'currentStatus',
] as const;

const contestListing = (
  db: Db,
  electionId: string,
): Listing<ContestRow, [boolean, string], ReturnType<typeof toContest>> => ({
  fetch: (after, limit) => listContests(db, electionId, { after, limit }),
  key: (r) => [r.contest.main, r.contest.slug],
  item: toContest,
  csv: {
    filename: `${electionId}-contests.csv`,
    columns: contestColumns,
    row: (r) => ({
      ...toContest(r),
      areaId: r.area.id,
      areaName: r.area.name,
      currentVersion: r.current?.number,
      currentStatus: r.current?.status,
    }),
  },
});

export const contestsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/elections/:id/contests',
    {
      schema: {
        operationId: 'listContests',
        tags: ['contests'],
        summary: "An election's contests",
        description:
          'What is decided within the election: the presidency, the party lists, each district, each question. ' +
          'The main contest (the one /results serves) first, then by id.',
        params: electionParams,
        querystring: contestListQuery,
        response: listResponses('One page of contests.', contestList, contestColumns, 400, 404, 503),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (!(await electionExists(request.db, id))) throw notFound(`Election ${id} not found.`);
      return sendList(request, reply, request.query, contestListing(request.db, id));
    },
  );

  app.get(
    '/elections/:id/contests/:contest',
    {
      schema: {
        operationId: 'getContest',
        tags: ['contests'],
        summary: 'Get a contest',
        description:
          'One contest of the election by its id within it (e.g. `president`, `party-list`, `district-1`): ' +
          'its kind, seats, threshold, area and a summary of its current results. 404 names what is missing, ' +
          'the election or the contest.',
        params: contestParams,
        response: readResponses('The contest.', contestSchema, 400, 404, 503),
      },
    },
    async (request) => {
      const { id, contest } = request.params;
      const row = await findContest(request.db, id, contest);
      if (row) return toContest(row);
      if (!(await electionExists(request.db, id))) throw notFound(`Election ${id} not found.`);
      throw notFound(`Election ${id} has no contest '${contest}'.`);
    },
  );

  app.post(
    '/elections/:id/contests',
    {
      schema: {
        operationId: 'createContest',
        tags: ['contests'],
        summary: 'Add a contest to an election',
        description: 'Its id is readable and stable under the election; 409 when it is taken.',
        security: bearerAuth,
        params: electionParams,
        headers: postHeaders,
        body: contestCreateBody,
        response: writeResponses(201, 'The contest, at the URL in Location.', contestSchema, 404, 409),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { id: slug, ...fields } = request.body;
      return app.write(request, reply, { action: 'create', resourceType: 'contest' }, async (tx) => {
        if (!(await lockElection(tx, id))) throw notFound(`Election ${id} not found.`);
        await requireSource(tx, fields.sourceId, 'sourceId');
        const election = (await findElection(tx, id))!;
        const area = await findArea(tx, fields.areaId);
        if (!area)
          throw new HttpProblem(404, `areaId: no area has the id '${fields.areaId}'.`, [
            { in: 'body', name: 'areaId', message: `no area has the id '${fields.areaId}'` },
          ]);
        if (area.area.countryCode !== election.election.countryCode)
          throw unprocessable([
            {
              in: 'body',
              name: 'areaId',
              message: `is not an area of ${election.election.countryCode}, the election's country`,
            },
          ]);
        if (await findContest(tx, id, slug)) throw conflict(`Election ${id} has a contest '${slug}' already.`);
        await insertContest(tx, { ...fields, slug, electionId: id, main: false });
        const row = (await findContest(tx, id, slug))!;
        return {
          status: 201,
          body: toContest(row),
          location: `/v1/elections/${id}/contests/${slug}`,
          resourceId: `${id}/${slug}`,
        };
      });
    },
  );
};

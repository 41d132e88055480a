import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Db } from '../../db/client.js';
import { listResponses, sendList } from '../../formats/list.js';
import { ifMatchAdmits } from '../../lib/etag.js';
import { conflict, HttpProblem, notFound, type ProblemFieldError, unprocessable } from '../../lib/problem.js';
import { bearerAuth, ifMatchHeaders, postHeaders, readResponses, writeResponses } from '../../lib/responses.js';
import { requireSource } from '../sources/sources.repository.js';
import {
  electionEtag,
  electionExists,
  findElection,
  insertElection,
  lockElection,
  updateElection,
} from './elections.repository.js';
import {
  electionCreateBody,
  electionList,
  electionListQuery,
  electionParams,
  electionPatchBody,
  electionSchema,
} from './elections.schemas.js';
import { electionColumns, electionListing, toElection } from './elections.view.js';
import { lookUp } from '../identifiers/identifiers.repository.js';

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
        response: listResponses('One page of elections.', electionList, electionColumns, 400, 503),
      },
    },
    async (request, reply) => {
      const { wikidata, identifier, ...filter } = request.query;
      const only = await lookUp(request.db, 'election', { wikidata, identifier, updatedSince: filter.updatedSince });
      return sendList(request, reply, request.query, electionListing(request.db, filter, only));
    },
  );

  app.get(
    '/elections/:id',
    {
      schema: {
        operationId: 'getElection',
        tags: ['elections'],
        summary: 'Get an election',
        description:
          'The election with its source, its rounds (previousRoundId, nextRoundId) and a summary of its ' +
          'current results. Its ETag is the one PATCH /v1/elections/{id} needs as If-Match.',
        params: electionParams,
        response: readResponses('The election.', electionSchema, 400, 404, 503),
      },
    },
    async (request, reply) => {
      const row = await findElection(request.db, request.params.id);
      if (!row) throw notFound(`Election ${request.params.id} not found.`);
      reply.revisionTag(electionEtag(row));
      return toElection(row);
    },
  );

  app.post(
    '/elections',
    {
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
        if (fields.previousRoundId) await lockElectionRef(tx, fields.previousRoundId);
        if (await electionExists(tx, id)) throw conflict(`Election ${id} exists; change it with PATCH.`);
        const round = await checkRounds(tx, id, { countryCode: country, ...fields });
        await insertElection(tx, { id, countryCode: country, ...fields, round });
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
      const changes = { ...request.body };
      return app.write(request, reply, { action: 'update', resourceType: 'election' }, async (tx) => {
        // The election and the round it names, locked in id order so that two edits never wait on each other.
        const named = changes.previousRoundId && changes.previousRoundId !== id ? [changes.previousRoundId] : [];
        for (const locked of [id, ...named].sort())
          if (locked !== id) await lockElectionRef(tx, locked);
          else if (!(await lockElection(tx, id))) throw notFound(`Election ${id} not found.`);
        const before = (await findElection(tx, id))!;
        const etag = electionEtag(before);
        if (!ifMatchAdmits(ifMatch, etag))
          throw new HttpProblem(412, `The election changed since you read it: its ETag is now ${etag}. Read it again.`);
        if (changes.sourceId) await requireSource(tx, changes.sourceId, 'sourceId');
        if (changes.round !== undefined || changes.previousRoundId !== undefined) {
          const { countryCode, date, round, previousRoundId } = before.election;
          const linked = changes.previousRoundId === undefined ? previousRoundId : changes.previousRoundId;
          // Naming a previous round without a round number: the round after it.
          const given = changes.round ?? (changes.previousRoundId ? undefined : round);
          changes.round = await checkRounds(tx, id, { countryCode, date, round: given, previousRoundId: linked });
          await checkNextRound(tx, before.nextRoundId, changes.round);
        }
        await updateElection(tx, id, changes);
        const row = (await findElection(tx, id))!;
        return {
          status: 200,
          body: toElection(row),
          etag: electionEtag(row),
          resourceId: id,
        };
      });
    },
  );
};

/** Locks the election a body names as previousRoundId: a 404 naming the field when there is none. */
async function lockElectionRef(db: Db, previousRoundId: string) {
  if (await lockElection(db, previousRoundId)) return;
  throw new HttpProblem(404, `previousRoundId: no election has the id '${previousRoundId}'.`, [
    { in: 'body', name: 'previousRoundId', message: `no election has the id '${previousRoundId}'` },
  ]);
}

interface Rounds {
  countryCode: string;
  date: string;
  /** Undefined: the round after previousRoundId, or 1. */
  round?: number | undefined;
  previousRoundId: string | null;
}

/**
 * The election's round, by the rules of the links between rounds: the previous round is another,
 * earlier election of the same country, with no other next round, and this round is one more than
 * its round. A round with no previous one recorded may have any number (a runoff whose first round
 * is not in the database).
 */
async function checkRounds(db: Db, id: string, e: Rounds): Promise<number> {
  if (!e.previousRoundId) return e.round ?? 1;
  if (e.previousRoundId === id)
    throw unprocessable([{ in: 'body', name: 'previousRoundId', message: 'cannot be the election itself' }]);
  const previous = (await findElection(db, e.previousRoundId))!;
  const { countryCode, date, round } = previous.election;
  const errors: ProblemFieldError[] = [];
  const push = (name: string, message: string) => errors.push({ in: 'body', name, message });
  if (countryCode !== e.countryCode.toUpperCase())
    push('previousRoundId', `is an election in ${countryCode}: a runoff is held in the country of its first round`);
  if (date >= e.date) push('previousRoundId', `was held on ${date}: the previous round is held before ${e.date}`);
  if (previous.nextRoundId && previous.nextRoundId !== id)
    push('previousRoundId', `already has a next round, ${previous.nextRoundId}`);
  if (e.round !== undefined && e.round !== round + 1)
    push('round', `must be ${round + 1}, the round after ${e.previousRoundId} (round ${round})`);
  if (errors.length) throw unprocessable(errors);
  return round + 1;
}

/** A round that has a next round keeps its number one less than the next one's. */
async function checkNextRound(db: Db, nextRoundId: string | null, round: number) {
  if (!nextRoundId) return;
  const next = (await findElection(db, nextRoundId))!;
  if (next.election.round !== round + 1)
    throw unprocessable([
      {
        in: 'body',
        name: 'round',
        message: `must be ${next.election.round - 1}: ${nextRoundId} is the next round (round ${next.election.round})`,
      },
    ]);
}

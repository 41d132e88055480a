// Race calls: who says a contest is decided, apart from the figures, versioned as they are.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Db } from '../../db/client.js';
import { listResponses, sendList } from '../../formats/list.js';
import { notFound, type ProblemFieldError, unprocessable } from '../../lib/problem.js';
import { bearerAuth, postHeaders, readResponses, writeResponses } from '../../lib/responses.js';
import { type ContestRow, findContest } from '../contests/contests.repository.js';
import { contestParams } from '../contests/contests.schemas.js';
import { electionExists, lockElection } from '../elections/elections.repository.js';
import { requireSource } from '../sources/sources.repository.js';
import {
  type CallRow,
  currentLines,
  existingIds,
  findCall,
  insertCall,
  listCalls,
  nextCallNumber,
} from './calls.repository.js';
import {
  type CallInput,
  callInputSchema,
  callList,
  callListQuery,
  callParams,
  raceCallSchema,
} from './calls.schemas.js';
import { callUrl, toCall } from './calls.view.js';

const callColumns = [
  'electionId',
  'contest',
  'version',
  'status',
  'current',
  'winnerIds',
  'winnerNames',
  'calledById',
  'calledByPublisher',
  'calledAt',
  'recordedAt',
  'note',
  'url',
] as const;

const csvRow = (row: CallRow) => {
  const { winners, calledBy, ...rest } = toCall(row);
  return {
    ...rest,
    // Several winners (a runoff's two) in one cell each, separated by "; ".
    winnerIds: winners.map((w) => w.id ?? '').join('; '),
    winnerNames: winners.map((w) => w.name).join('; '),
    calledById: calledBy.id,
    calledByPublisher: calledBy.publisher,
  };
};

/** The contest a request names, or the 404 saying whether the election or the contest is missing. */
async function requireContest(db: Db, id: string, slug: string): Promise<ContestRow> {
  const row = await findContest(db, id, slug);
  if (row) return row;
  if (!(await electionExists(db, id))) throw notFound(`Election ${id} not found.`);
  throw notFound(`Election ${id} has no contest '${slug}'.`);
}

const winnerKey = (w: CallInput['winners'][number]) =>
  'candidateId' in w ? `c:${w.candidateId}` : 'organisationId' in w ? `o:${w.organisationId}` : `x:${w.option}`;

/**
 * What is wrong with a call, field by field: its winners against its status, the contest's kind and
 * seats, the records that exist, and the lines of the contest's current results (when it has any).
 */
async function callErrors(tx: Db, contest: ContestRow['contest'], input: CallInput): Promise<ProblemFieldError[]> {
  const errors: ProblemFieldError[] = [];
  const at = (i: number, key: string) => `winners[${i}].${key}`;
  const { status, winners } = input;
  if (status === 'called' || status === 'runoff') {
    const min = status === 'runoff' ? 2 : 1;
    const max = status === 'runoff' ? Number.POSITIVE_INFINITY : (contest.seats ?? 1);
    if (winners.length < min)
      errors.push({
        in: 'body',
        name: 'winners',
        message: status === 'runoff' ? 'must name the two or more candidates advancing' : 'must name who won',
      });
    if (winners.length > max)
      errors.push({
        in: 'body',
        name: 'winners',
        message: `names ${winners.length} winners; the contest fills ${max} seat${max === 1 ? '' : 's'}`,
      });
    if (status === 'runoff' && contest.kind !== 'candidate')
      errors.push({ in: 'body', name: 'status', message: `a ${contest.kind} contest has no runoff` });
  } else if (winners.length > 0) {
    errors.push({ in: 'body', name: 'winners', message: `must be empty for a call that is ${status}` });
  }
  const wanted = { candidate: 'candidateId', 'party-list': 'organisationId', 'ballot-question': 'option' }[
    contest.kind
  ];
  const seen = new Set<string>();
  winners.forEach((w, i) => {
    const key = Object.keys(w)[0]!;
    if (key !== wanted)
      errors.push({
        in: 'body',
        name: at(i, key),
        message: `a ${contest.kind} contest's winner is named by ${wanted}`,
      });
    if (seen.has(winnerKey(w))) errors.push({ in: 'body', name: `winners[${i}]`, message: 'is named twice' });
    seen.add(winnerKey(w));
  });
  if (errors.length) return errors;

  const candidateIds = await existingIds(
    tx,
    'candidates',
    winners.flatMap((w) => ('candidateId' in w ? [w.candidateId] : [])),
  );
  const organisationIds = await existingIds(
    tx,
    'organisations',
    winners.flatMap((w) => ('organisationId' in w ? [w.organisationId] : [])),
  );
  const current = winners.length ? await currentLines(tx, contest.id) : undefined;
  winners.forEach((w, i) => {
    if ('candidateId' in w && !candidateIds.has(w.candidateId))
      errors.push({ in: 'body', name: at(i, 'candidateId'), message: `no candidate has the id '${w.candidateId}'` });
    else if ('organisationId' in w && !organisationIds.has(w.organisationId))
      errors.push({
        in: 'body',
        name: at(i, 'organisationId'),
        message: `no organisation has the id '${w.organisationId}'`,
      });
    else if (current) {
      const stands = current.lines.some((l) =>
        'candidateId' in w
          ? l.candidateId === w.candidateId
          : 'organisationId' in w
            ? l.kind === 'party' && l.nominatorId === w.organisationId
            : l.kind === 'option' && l.label === w.option,
      );
      if (!stands)
        errors.push({
          in: 'body',
          name: at(i, Object.keys(w)[0]!),
          message: `is not a line of the contest's current results (version ${current.number})`,
        });
    }
  });
  return errors;
}

export const callsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/elections/:id/contests/:contest/calls',
    {
      schema: {
        operationId: 'listRaceCalls',
        tags: ['contests'],
        summary: "A contest's race calls, oldest first",
        description:
          'Every call made on the contest: too early, too close, called (with the winners), runoff (with the ' +
          'candidates advancing), uncalled (a retraction), each with who made it and when. The newest one ' +
          'stands (`current`) and /results shows it; older ones stay readable. JSON pages, or the whole list as CSV.',
        params: contestParams,
        querystring: callListQuery,
        response: listResponses('One page of calls, oldest first.', callList, callColumns, 400, 404, 503),
      },
    },
    async (request, reply) => {
      const { id, contest } = request.params;
      const row = await requireContest(request.db, id, contest);
      return sendList(request, reply, request.query, {
        fetch: (after, limit) => listCalls(request.db, row.contest.id, { after: after?.[0], limit }),
        key: (r) => [r.call.number],
        item: toCall,
        csv: { filename: `${id}-${contest}-calls.csv`, columns: callColumns, row: csvRow },
      });
    },
  );

  app.get(
    '/elections/:id/contests/:contest/calls/:n',
    {
      schema: {
        operationId: 'getRaceCall',
        tags: ['contests'],
        summary: 'One race call',
        description: 'A call by its number within the contest; it stays readable when a newer call replaces it.',
        params: callParams,
        response: readResponses('The call.', raceCallSchema, 400, 404, 503),
      },
    },
    async (request) => {
      const { id, contest, n } = request.params;
      const row = await requireContest(request.db, id, contest);
      const call = await findCall(request.db, row.contest.id, n);
      if (!call) throw notFound(`Contest ${contest} of ${id} has no call ${n}.`);
      return toCall(call);
    },
  );

  app.post(
    '/elections/:id/contests/:contest/calls',
    {
      schema: {
        operationId: 'createRaceCall',
        tags: ['contests'],
        summary: 'Make a race call',
        description:
          "Appends the contest's next call; it becomes the one that stands, and /results shows it beside the " +
          'figures. A retraction is a call with status uncalled. Checked before anything is written (422 naming ' +
          "each field): winners for called (at most the contest's seats) and runoff (two or more, candidate " +
          "contests only), none otherwise; each winner of the contest's kind (candidateId, organisationId, " +
          "option), existing, named once, and a line of the contest's current results when it has any; the " +
          'source exists (404).',
        security: bearerAuth,
        params: contestParams,
        headers: postHeaders,
        body: callInputSchema,
        response: writeResponses(201, 'The call, at the URL in Location.', raceCallSchema, 404),
      },
    },
    async (request, reply) => {
      const { id, contest: slug } = request.params;
      return app.write(request, reply, { action: 'create', resourceType: 'call' }, async (tx) => {
        // Calls of one election are numbered one after another: the election's lock, as for versions.
        if (!(await lockElection(tx, id))) throw notFound(`Election ${id} not found.`);
        const contest = await findContest(tx, id, slug);
        if (!contest) throw notFound(`Election ${id} has no contest '${slug}'.`);
        const input = request.body;
        await requireSource(tx, input.sourceId, 'sourceId');
        const errors = await callErrors(tx, contest.contest, input);
        if (errors.length) throw unprocessable(errors);
        const number = await nextCallNumber(tx, contest.contest.id);
        await insertCall(tx, id, contest.contest.id, number, input);
        const call = (await findCall(tx, contest.contest.id, number))!;
        return {
          status: 201,
          body: toCall(call),
          location: callUrl(id, slug, number),
          resourceId: `${id}/${slug}/calls/${number}`,
        };
      });
    },
  );
};

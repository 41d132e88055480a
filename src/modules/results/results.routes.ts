import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { csvParams, sendCsv, wantsCsv, withCsv } from '../../formats/csv.js';
import { listResponses, sendList } from '../../formats/list.js';
import { acceptedEncoding, COMPRESSION } from '../../lib/content-encoding.js';
import { ifMatchAdmits, notModified } from '../../lib/etag.js';
import { HttpProblem, notFound, unprocessable } from '../../lib/problem.js';
import { bearerAuth, ifMatchHeaders, postHeaders, readResponses, writeResponses } from '../../lib/responses.js';
import { addVary } from '../../lib/vary.js';
import { areaContext } from '../areas/areas.repository.js';
import { areaIdParam, areaLevelParam } from '../areas/areas.schemas.js';
import { findContest } from '../contests/contests.repository.js';
import { contestParams } from '../contests/contests.schemas.js';
import { electionExists, findElection, lockElection } from '../elections/elections.repository.js';
import { electionParams } from '../elections/elections.schemas.js';
import { currentResultsSchema } from '../calls/calls.schemas.js';
import { type CachedResults, createResultsCache, type ResultsCacheOptions } from './results.cache.js';
import { resultsCsvColumns, resultsCsvRows } from './results.csv.js';
import { diffResults } from './results.diff.js';
import { createStoredResponses } from './results.stored.js';
import type { DocumentQuery } from './results.document.js';
import { insertVersion, listVersions, referencedIds, versionStatuses } from './results.repository.js';
import {
  diffParams,
  diffSchema,
  resultsInputSchema,
  resultsSchema,
  versionList,
  versionListQuery,
  versionParams,
} from './results.schemas.js';
import { type Results, requireResults, resultsEtag, versionHeader } from './results.service.js';
import { validateResults } from './results.validation.js';

const areaQuery = {
  area: areaIdParam
    .optional()
    .describe(
      "The area whose figures to give: the contest's own by default (the country), or one within it (kz-abai).",
    ),
  level: areaLevelParam
    .optional()
    .describe(
      'Also give the figures of every area at this level within `area` (level=region: all regions), in `areas`.',
    ),
};
const resultsQuery = z.strictObject({ ...csvParams, ...areaQuery });
const diffQuery = z.strictObject({ area: areaQuery.area });

const versionColumns = [
  'electionId',
  'contest',
  'version',
  'status',
  'preliminary',
  'current',
  'asOf',
  'complete',
  'recordedAt',
  'lineCount',
  'sourceId',
  'sourcePublisher',
  'sourceUrl',
] as const;

type VersionRow = Awaited<ReturnType<typeof listVersions>>[number];

const toSummary =
  (contest: string) =>
  ({ version: v, latest, lineCount, source }: VersionRow) => ({
    ...versionHeader(v, latest),
    contest,
    lineCount,
    source,
  });

/** Where a contest's results live: the main contest's at /elections/{id}/results, the others' under /contests/{contest}. */
interface Scope {
  path: string;
  tag: string;
  /** The operationId of each route of the scope. */
  op: (name: 'get' | 'publish' | 'diff' | 'versions' | 'version') => string;
  params: z.ZodObject;
  what: string;
  /** Which contest the request names (undefined: the main one). */
  contestOf: (params: unknown) => string | undefined;
}

const scopes: Scope[] = [
  {
    path: '/elections/:id/results',
    tag: 'elections',
    op: (name) =>
      ({
        get: 'getElectionResults',
        publish: 'publishResults',
        diff: 'diffResultVersions',
        versions: 'listResultVersions',
        version: 'getResultVersion',
      })[name],
    params: electionParams,
    what: "the election's main contest (the presidency, the party lists, the question)",
    contestOf: () => undefined,
  },
  {
    path: '/elections/:id/contests/:contest/results',
    tag: 'contests',
    op: (name) =>
      ({
        get: 'getContestResults',
        publish: 'publishContestResults',
        diff: 'diffContestResultVersions',
        versions: 'listContestResultVersions',
        version: 'getContestResultVersion',
      })[name],
    params: contestParams,
    what: 'the contest',
    contestOf: (params) => (params as { contest: string }).contest,
  },
];

const idOf = (params: unknown) => (params as { id: string }).id;

export const resultsRoutes: FastifyPluginAsyncZod<Pick<ResultsCacheOptions, 'maxBytes' | 'revalidateMs'>> = async (
  app,
  options,
) => {
  const cache = createResultsCache({
    ...options,
    database: app.database,
    log: app.log,
    probe: () => app.lastModified.probe,
  });
  app.addHook('onReady', cache.start);
  app.addHook('onClose', async () => cache.stop());
  app.onWrite(() => cache.invalidate());
  const stored = createStoredResponses(cache);
  app.decorateReply('storable', null);

  /**
   * A version as JSON, or its figures as CSV (a row per line and area). A fresh cache entry is
   * answered synchronously: no promise between the request and the cached body. A request with an
   * API key reads around the cache, on the primary: an editor sees their write at once.
   */
  function resultsResponse(request: FastifyRequest, reply: FastifyReply, q: DocumentQuery): void | Promise<void> {
    const hit = request.apiKey ? undefined : cache.peek(q);
    if (hit) {
      // Sent synchronously, but for a CSV, which reads the election first. A response sent from
      // the cache may be stored for the same request again (results.stored.ts).
      const sent = answer(request, reply, hit, q, true);
      return sent instanceof Promise ? (sent as Promise<unknown> as Promise<void>) : undefined;
    }
    const read = request.apiKey ? cache.load(request.db, q) : cache.get(request.db, q);
    // The promise resolves to the reply itself (which the route's typed return cannot name, hence the
    // cast): resolved empty while a streamed CSV has not sent its headers yet, Fastify would send
    // the reply again, with an empty body.
    const answered: Promise<unknown> = read.then((results) => answer(request, reply, results, q));
    return answered as Promise<void>;
  }

  function answer(
    request: FastifyRequest,
    reply: FastifyReply,
    results: CachedResults,
    q: DocumentQuery,
    /** Whether `results` came from the cache, at once: its response may then be stored. */
    cached = false,
  ): FastifyReply | Promise<FastifyReply> {
    // Dated by when the body was read, not by when it is sent (it may have been cached since).
    reply.cacheResults(results.preliminary).dateFrom(results.probe);
    if (wantsCsv(request)) {
      if (notModified(request, reply, results.csvEtag)) return reply.send();
      return sendResultsCsv(request, reply, JSON.parse(results.body.toString()) as Results, q);
    }
    const compressible = results.body.length >= COMPRESSION.threshold;
    // On the 304 too: it must say what its 200 would vary by. Lower case: how @fastify/compress
    // looks for it before adding its own.
    if (compressible) addVary(reply, 'accept-encoding');
    if (notModified(request, reply, results.etag)) return reply.send();
    reply.type('application/json; charset=utf-8');
    // Browsers accept br or gzip: a cached body is compressed once per entry, not per response
    // (that would cost @fastify/compress, downstream, about twice the rest of the request).
    const encoding = compressible ? acceptedEncoding(request) : undefined;
    const encoded = encoding && cache.encodedBody(results, encoding);
    if (encoded) reply.header('content-encoding', encoding);
    const body = encoded || results.body;
    if (cached) stored.served(reply, { q, entry: results, body, encoding: encoded ? encoding : undefined });
    // Already the JSON of the route's schema; a Buffer body skips the serializer.
    return reply.send(body);
  }

  async function sendResultsCsv(request: FastifyRequest, reply: FastifyReply, results: Results, q: DocumentQuery) {
    const row = await findElection(request.db, results.electionId);
    if (!row) throw notFound(`Election ${results.electionId} not found.`);
    // 2022-11-20-kz-presidential-v10.csv; a contest, an area and a level add to the name.
    const parts = [results.electionId, q.contest, q.area, q.level && `by-${q.level}`, `v${results.version}`];
    const filename = `${parts.filter(Boolean).join('-')}.csv`;
    return sendCsv(reply, filename, resultsCsvColumns, iterate(resultsCsvRows(row.election, results)));
  }

  for (const scope of scopes) {
    const { path, tag, op, params, what, contestOf } = scope;
    const versionsParams = params.extend({ n: versionParams.shape.n });
    const diffRouteParams = params.extend({ a: diffParams.shape.a, b: diffParams.shape.b });
    const query = (p: unknown, number?: number, q: { area?: string | undefined; level?: string | undefined } = {}) => ({
      electionId: idOf(p),
      contest: contestOf(p),
      number,
      area: q.area,
      level: q.level,
    });

    app.get(
      path,
      {
        schema: {
          operationId: op('get'),
          tags: [tag],
          summary: scope === scopes[0] ? 'Current results of an election' : 'Current results of a contest',
          description:
            `The newest result version of ${what}: status (preliminary or certified), turnout, every line ` +
            'with votes, the published percentage and seats, the sources, and the race call that stands ' +
            '(`call`, null before any; the calls are under /contests/{contest}/calls). Older versions stay readable ' +
            "under /versions. ?area= gives one area's figures (a region's), and ?level= adds those of every " +
            'area at that level within it (e.g. ?level=region: one entry per region, for a map or a table); ' +
            'an area has only the figures its source gives. CSV: one row per line and area, with the area code.',
          params,
          querystring: resultsQuery,
          response: withCsv(
            readResponses(
              'The current result version, with the current race call.',
              currentResultsSchema,
              400,
              404,
              503,
            ),
            resultsCsvColumns,
          ),
        },
        preParsing: stored.sendStored,
        onResponse: stored.store,
      },
      (request, reply) => resultsResponse(request, reply, query(request.params, undefined, request.query)),
    );

    app.post(
      path,
      {
        schema: {
          operationId: op('publish'),
          tags: [tag],
          summary: 'Publish a new result version',
          description:
            `Appends a version of ${what}; it becomes the current results and older versions stay readable. ` +
            'Checked before anything is written (422 naming each offending field): percentages 0–100; ' +
            "a complete version's percentages sum to 100 ± 0.1; votes ≥ 0 and their sum ≤ ballots cast; " +
            'a percentage within 0.01 of votes / denominator unless publishedAsIs; candidates, ' +
            'organisations, areas and sources exist; after a certified version only a recount or correction. ' +
            "Areas (`areas`): each within the contest's area and existing on polling day, once; its figures " +
            "never above its parent's; when every area within a parent is given and complete, they add up " +
            "to the parent's unless publishedAsIs. " +
            'Send If-Match with the ETag of GET /results to be told (412) if someone published first.',
          security: bearerAuth,
          params,
          headers: postHeaders.extend(ifMatchHeaders.shape),
          body: resultsInputSchema,
          response: writeResponses(201, 'The new version, at the URL in Location.', resultsSchema, 404, 412, 422),
        },
      },
      async (request, reply) => {
        const id = idOf(request.params);
        const slug = contestOf(request.params);
        const ifMatch = request.headers['if-match'];
        return app.write(request, reply, { action: 'publish', resourceType: 'results' }, async (tx) => {
          if (!(await lockElection(tx, id))) throw notFound(`Election ${id} not found.`);
          const contest = await findContest(tx, id, slug);
          if (!contest) throw notFound(`Election ${id} has no contest '${slug}'.`);
          const previous = await versionStatuses(tx, contest.contest.id);
          const latest = previous.at(-1)?.number ?? 0;
          if (ifMatch !== undefined) {
            const current = latest > 0 ? resultsEtag(latest) : undefined;
            if (!ifMatchAdmits(ifMatch, current))
              throw new HttpProblem(
                412,
                `Results changed since you read them: the current ETag is ${current ?? '(none: no results yet)'}.`,
              );
          }
          const input = request.body;
          const election = (await findElection(tx, id))!.election;
          const refs = await referencedIds(tx, input);
          const areas = await areaContext(
            tx,
            input.areas.map((a) => a.areaId),
            contest.contest.areaId,
            election.date,
          );
          const errors = validateResults(input, {
            previousStatuses: previous.map((v) => v.status),
            ...refs,
            contestAreaId: contest.contest.areaId,
            pollingDay: election.date,
            ...areas,
          });
          if (errors.length) throw unprocessable(errors);
          const number = latest + 1;
          await insertVersion(tx, id, contest.contest.id, number, input);
          const body = await requireResults(tx, { electionId: id, contest: slug, number });
          const base =
            slug === undefined ? `/v1/elections/${id}/results` : `/v1/elections/${id}/contests/${slug}/results`;
          return {
            status: 201,
            body,
            location: `${base}/versions/${number}`,
            etag: resultsEtag(number),
            resourceId: slug === undefined ? `${id}/${number}` : `${id}/${slug}/${number}`,
          };
        });
      },
    );

    app.get(
      `${path}/versions/:a/diff/:b`,
      {
        schema: {
          operationId: op('diff'),
          tags: [tag],
          summary: 'What changed between two result versions, line by line',
          description: "The contest's own area unless ?area= names one within it.",
          params: diffRouteParams,
          querystring: diffQuery,
          response: readResponses('The differences from version a to version b.', diffSchema, 400, 404, 503),
        },
      },
      async (request) => {
        const { a, b } = request.params as { a: number; b: number };
        const [from, to] = await Promise.all([
          requireResults(request.db, query(request.params, a, request.query)),
          requireResults(request.db, query(request.params, b, request.query)),
        ]);
        return diffResults(from, to);
      },
    );

    app.get(
      `${path}/versions`,
      {
        schema: {
          operationId: op('versions'),
          tags: [tag],
          summary: `Every result version of ${scope === scopes[0] ? 'an election' : 'a contest'}, oldest first`,
          description:
            `The version history of ${what}: each version's number, status, as-of time, source and ` +
            'completeness, oldest first, as JSON pages or the whole list as CSV. Read one with .../versions/{n}, ' +
            'or compare two with .../versions/{a}/diff/{b}.',
          params,
          querystring: versionListQuery,
          response: listResponses('One page of versions, oldest first.', versionList, versionColumns, 400, 404, 503),
        },
      },
      async (request, reply) => {
        const id = idOf(request.params);
        const slug = contestOf(request.params);
        const contest = await findContest(request.db, id, slug);
        if (!contest) {
          if (!(await electionExists(request.db, id))) throw notFound(`Election ${id} not found.`);
          throw notFound(`Election ${id} has no contest '${slug}'.`);
        }
        const summary = toSummary(contest.contest.slug);
        return sendList(request, reply, request.query, {
          fetch: (after, limit) => listVersions(request.db, contest.contest.id, { after: after?.[0], limit }),
          key: (r) => [r.version.number],
          item: summary,
          csv: {
            filename: `${id}-${contest.contest.slug}-versions.csv`,
            columns: versionColumns,
            row: (r: VersionRow) => {
              const { source, ...rest } = summary(r);
              return { ...rest, sourceId: source.id, sourcePublisher: source.publisher, sourceUrl: source.url };
            },
          },
        });
      },
    );

    app.get(
      `${path}/versions/:n`,
      {
        schema: {
          operationId: op('version'),
          tags: [tag],
          summary: `One result version of ${scope === scopes[0] ? 'an election' : 'a contest'}`,
          description: 'As the current results, with ?area= and ?level= the same way.',
          params: versionsParams,
          querystring: resultsQuery,
          response: withCsv(readResponses('The result version.', resultsSchema, 400, 404, 503), resultsCsvColumns),
        },
        preParsing: stored.sendStored,
        onResponse: stored.store,
      },
      (request, reply) =>
        resultsResponse(request, reply, query(request.params, (request.params as { n: number }).n, request.query)),
    );
  }
};

async function* iterate<T>(rows: Iterable<T>): AsyncGenerator<T> {
  yield* rows;
}

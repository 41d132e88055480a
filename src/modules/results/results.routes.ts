import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { formatParam, wantsCsv, withCsv } from '../../formats/csv.js';
import { listResponses, sendCsvExport, sendList } from '../../formats/list.js';
import { acceptedEncoding, COMPRESSION } from '../../lib/content-encoding.js';
import { etagMatches, ifMatchAdmits } from '../../lib/etag.js';
import { HttpProblem, notFound, unprocessable } from '../../lib/problem.js';
import { bearerAuth, ifMatchHeaders, postHeaders, readResponses, writeResponses } from '../../lib/responses.js';
import { addVary } from '../../lib/vary.js';
import { electionExists, lockElection } from '../elections/elections.repository.js';
import { electionParams } from '../elections/elections.schemas.js';
import { voteShareColumns } from '../vote-shares/vote-shares.columns.js';
import { voteShareListing } from '../vote-shares/vote-shares.view.js';
import { type CachedResults, createResultsCache, type ResultsCacheOptions } from './results.cache.js';
import { diffResults } from './results.diff.js';
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
import { requireResults, resultsEtag, versionHeader } from './results.service.js';
import { validateResults } from './results.validation.js';

const resultsQuery = z.strictObject({ format: formatParam });

const versionColumns = [
  'electionId',
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

const toSummary = ({ version: v, latest, lineCount, source }: VersionRow) => ({
  ...versionHeader(v, latest),
  lineCount,
  source,
});

function toSummaryCsvRow(row: VersionRow) {
  const { source, ...summary } = toSummary(row);
  return { ...summary, sourceId: source.id, sourcePublisher: source.publisher, sourceUrl: source.url };
}

export const resultsRoutes: FastifyPluginAsyncZod<Pick<ResultsCacheOptions, 'maxBytes' | 'revalidateMs'>> = async (
  app,
  options,
) => {
  const cache = createResultsCache({ ...options, database: app.database, log: app.log });
  app.addHook('onReady', cache.start);
  app.addHook('onClose', async () => cache.stop());
  app.onWrite(() => cache.invalidate());

  /**
   * A version as JSON, or its lines as CSV (one row each, the vote-shares columns). A fresh cache
   * entry is answered synchronously: no promise between the request and the cached body. A request
   * with an API key reads around the cache, on the primary: an editor sees their write at once.
   */
  function resultsResponse(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    number?: number,
  ): void | Promise<void> {
    const hit = request.apiKey ? undefined : cache.peek(id, number);
    if (hit) {
      answer(request, reply, id, hit);
      return;
    }
    const read = request.apiKey ? cache.load(request.db, id, number) : cache.get(request.db, id, number);
    // The promise resolves to the reply itself (which the route's typed return cannot name, hence the
    // cast): resolved empty while a streamed CSV has not sent its headers yet, Fastify would send
    // the reply again, with an empty body.
    const answered: Promise<unknown> = read.then((results) => answer(request, reply, id, results));
    return answered as Promise<void>;
  }

  function answer(request: FastifyRequest, reply: FastifyReply, id: string, results: CachedResults): FastifyReply {
    reply.cacheResults(results.preliminary);
    if (wantsCsv(request)) {
      reply.header('etag', results.csvEtag);
      if (etagMatches(request.headers['if-none-match'], results.csvEtag)) return reply.code(304).send();
      const filter = { election: id, versionNumber: results.version, versions: 'all' as const };
      return sendCsvExport(request, reply, voteShareListing(request.db, filter, `${id}-v${results.version}.csv`));
    }
    reply.header('etag', results.etag);
    const compressible = results.body.length >= COMPRESSION.threshold;
    // On the 304 too: it must say what its 200 would vary by. Lower case: how @fastify/compress
    // looks for it before adding its own.
    if (compressible) addVary(reply, 'accept-encoding');
    if (etagMatches(request.headers['if-none-match'], results.etag)) return reply.code(304).send();
    reply.type('application/json; charset=utf-8');
    if (!compressible) return reply.send(results.body);
    // Browsers accept br or gzip: a cached body is compressed once per entry, not per response
    // (that would cost @fastify/compress, downstream, about twice the rest of the request).
    const encoding = acceptedEncoding(request);
    const encoded = encoding && cache.encodedBody(results, encoding);
    if (encoded) return reply.header('content-encoding', encoding).send(encoded);
    // Already the JSON of the route's schema; a Buffer body skips the serializer.
    return reply.send(results.body);
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
        querystring: resultsQuery,
        response: withCsv(readResponses('The current result version.', resultsSchema, 400, 404, 503), voteShareColumns),
      },
    },
    (request, reply) => resultsResponse(request, reply, request.params.id),
  );

  app.post(
    '/elections/:id/results',
    {
      schema: {
        operationId: 'publishResults',
        tags: ['elections'],
        summary: 'Publish a new result version',
        description:
          'Appends a version; it becomes the current results and older versions stay readable. ' +
          'Checked before anything is written (422 naming each offending field): percentages 0–100; ' +
          "a complete version's percentages sum to 100 ± 0.1; votes ≥ 0 and their sum ≤ ballots cast; " +
          'a percentage within 0.01 of votes / denominator unless publishedAsIs; candidates, ' +
          'organisations and sources exist; after a certified version only a recount or correction. ' +
          'Send If-Match with the ETag of GET /results to be told (412) if someone published first.',
        security: bearerAuth,
        params: electionParams,
        headers: postHeaders.extend(ifMatchHeaders.shape),
        body: resultsInputSchema,
        response: writeResponses(201, 'The new version, at the URL in Location.', resultsSchema, 404, 412, 422),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const ifMatch = request.headers['if-match'];
      return app.write(request, reply, { action: 'publish', resourceType: 'results' }, async (tx) => {
        if (!(await lockElection(tx, id))) throw notFound(`Election ${id} not found.`);
        const previous = await versionStatuses(tx, id);
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
        const errors = validateResults(input, {
          previousStatuses: previous.map((v) => v.status),
          ...(await referencedIds(tx, input)),
        });
        if (errors.length) throw unprocessable(errors);
        const number = latest + 1;
        await insertVersion(tx, id, number, input);
        const body = await requireResults(tx, id, number);
        return {
          status: 201,
          body,
          location: `/v1/elections/${id}/results/versions/${number}`,
          etag: resultsEtag(number),
          resourceId: `${id}/${number}`,
        };
      });
    },
  );

  app.get(
    '/elections/:id/results/versions/:a/diff/:b',
    {
      schema: {
        operationId: 'diffResultVersions',
        tags: ['elections'],
        summary: 'What changed between two result versions, line by line',
        params: diffParams,
        response: readResponses('The differences from version a to version b.', diffSchema, 400, 404, 503),
      },
    },
    async (request) => {
      const { id, a, b } = request.params;
      const [from, to] = await Promise.all([requireResults(request.db, id, a), requireResults(request.db, id, b)]);
      return diffResults(from, to);
    },
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
        response: listResponses('One page of versions, oldest first.', versionList, versionColumns, 400, 404, 503),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (!(await electionExists(request.db, id))) throw notFound(`Election ${id} not found.`);
      return sendList(request, reply, request.query, {
        fetch: (after, limit) => listVersions(request.db, id, { after: after?.[0], limit }),
        key: (r) => [r.version.number],
        item: toSummary,
        csv: { filename: `${id}-versions.csv`, columns: versionColumns, row: toSummaryCsvRow },
      });
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
        querystring: resultsQuery,
        response: withCsv(readResponses('The result version.', resultsSchema, 400, 404, 503), voteShareColumns),
      },
    },
    (request, reply) => resultsResponse(request, reply, request.params.id, request.params.n),
  );
};

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { page } from '../../lib/pagination.js';
import { HttpProblem, notFound, unprocessable } from '../../lib/problem.js';
import { bearerAuth, postHeaders, readResponses, writeResponses } from '../../lib/responses.js';
import { electionParams, ifMatchHeaders } from './elections.schemas.js';
import { electionExists, lockElection } from './elections.repository.js';
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
import { loadResults, requireResults, resultsEtag, versionHeader } from './results.service.js';
import { validateResults } from './results.validation.js';

export const resultsRoutes: FastifyPluginAsyncZod = async (app) => {
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
    async (request, reply) => {
      const results = await requireResults(app.db, request.params.id);
      reply.header('etag', resultsEtag(results.version));
      return results;
    },
  );

  app.post(
    '/elections/:id/results',
    {
      preHandler: app.requireScope('write'),
      schema: {
        operationId: 'publishResults',
        tags: ['elections'],
        summary: 'Publish a new result version',
        description:
          'Appends a version; it becomes the current results and older versions stay readable. ' +
          'Checked before anything is written (422 naming each offending field): percentages 0–100; ' +
          'a complete version\'s percentages sum to 100 ± 0.1; votes ≥ 0 and their sum ≤ ballots cast; ' +
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
          const matches = ifMatch.split(',').some((tag) => tag.trim() === current || (tag.trim() === '*' && current));
          if (!matches)
            throw new HttpProblem(412, `Results changed since you read them: the current ETag is ${current ?? '(none: no results yet)'}.`);
        }
        const input = request.body;
        const errors = validateResults(input, {
          previousStatuses: previous.map((v) => v.status),
          ...(await referencedIds(tx, input)),
        });
        if (errors.length) throw unprocessable(errors);
        const number = latest + 1;
        await insertVersion(tx, id, number, input);
        const body = (await loadResults(tx, id, number))!;
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
      const [from, to] = await Promise.all([requireResults(app.db, id, a), requireResults(app.db, id, b)]);
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
    async (request, reply) => {
      const results = await requireResults(app.db, request.params.id, request.params.n);
      reply.header('etag', resultsEtag(results.version));
      return results;
    },
  );
};

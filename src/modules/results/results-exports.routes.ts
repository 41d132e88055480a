// Other formats of the current results: the NIST SP 1500-100 v2 CDF and an embeddable chart.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/client.js';
import { electionReportSchema, toElectionReport } from '../../formats/cdf.js';
import { SVG_CONTENT_TYPE, toResultsChart } from '../../formats/chart.js';
import { packageInfo } from '../../lib/package-info.js';
import { notFound } from '../../lib/problem.js';
import { readResponses } from '../../lib/responses.js';
import { findElection } from '../elections/elections.repository.js';
import { electionParams } from '../elections/elections.schemas.js';
import { toElection } from '../elections/elections.view.js';
import { requireResults } from './results.service.js';

const { name, version } = packageInfo;
const issuer = { name: 'Election results API', abbreviation: name, application: `${name} ${version}` };

/** The current version and its election; requireResults answers the 404s. */
async function currentResults(db: Db, id: string) {
  const results = await requireResults(db, id);
  const row = await findElection(db, id);
  // Only reachable if the election is deleted between the two reads.
  if (!row) throw notFound(`Election ${id} not found.`);
  return { results, election: toElection(row) };
}

const svgDocument = z.string().describe('An SVG 1.1 document.');

export const resultExportsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/elections/:id/results/cdf',
    {
      schema: {
        operationId: 'getElectionResultsCdf',
        tags: ['elections'],
        summary: 'Current results as a NIST SP 1500-100 v2 ElectionReport',
        description:
          'The current result version in the Election Results Common Data Format of NIST SP 1500-100 ' +
          "version 2 (JSON), valid against NIST's schema: the status, the country as a ReportingUnit " +
          '(registered voters when published), ballots cast when published, one CandidateContest whose ' +
          'selections carry each line\'s votes as VoteCounts, non-candidate lines such as "Against all" ' +
          'as labelled selections, the candidates, persons and nominating organisations (as Party).\n\n' +
          'Nothing is invented to fill the format. A line published as a percentage only has no ' +
          'VoteCounts; the CDF has no field for percentages, so the published ones, their base, the ' +
          'turnout percentage and the sources are listed in Notes. GeneratedDate is when this API ' +
          'recorded the version, so the report of a version never changes.',
        params: electionParams,
        response: readResponses(
          'The current result version as an ElectionReport.',
          electionReportSchema,
          400,
          404,
          503,
        ),
      },
    },
    async (request, reply) => {
      const { results, election } = await currentResults(request.db, request.params.id);
      reply.cacheResults(results.preliminary);
      return toElectionReport(results, election, issuer);
    },
  );

  app.get(
    '/elections/:id/results/chart.svg',
    {
      schema: {
        operationId: 'getElectionResultsChart',
        tags: ['elections'],
        summary: 'Current results as an embeddable SVG bar chart',
        description:
          "A horizontal bar chart of the current version's vote shares, 600 px wide: the election " +
          '(country, type, polling day), the status in words (preliminary, certified, ...), one bar per ' +
          'line labelled with its name, nominator, published percentage and votes, and the source. ' +
          'Bars use a 0–100% scale; a line without a published percentage has no bar. The SVG has a ' +
          '<title> and <desc> for screen readers and can be used as it is in an <img> or inline.',
        params: electionParams,
        response: {
          ...readResponses('The chart.', svgDocument, 400, 404, 503),
          200: { description: 'The chart.', content: { 'image/svg+xml': { schema: svgDocument } } },
        },
      },
    },
    async (request, reply) => {
      const { results, election } = await currentResults(request.db, request.params.id);
      reply.cacheResults(results.preliminary);
      const svg = toResultsChart(results, election);
      // A string with a non-JSON type is sent as it is, bypassing the JSON serializer. The policy
      // keeps the document inert when opened directly rather than as an image.
      return reply
        .type(SVG_CONTENT_TYPE)
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
        .header('x-content-type-options', 'nosniff')
        .send(svg);
    },
  );
};

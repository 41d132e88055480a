// Other formats of the results: the NIST SP 1500-100 v2 CDF and embeddable SVG charts (results,
// seats, areas), for an election's main contest and for each contest.
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { areaLevel } from '../../db/schema/index.js';
import { electionReportSchema, toElectionReport } from '../../formats/cdf.js';
import { SVG_CONTENT_TYPE, toResultsChart } from '../../formats/chart.js';
import { areaBars, type RegionsMeasure, toRegionsChart } from '../../formats/regions-chart.js';
import { seatsPublished, toSeatsChart } from '../../formats/seats-chart.js';
import { packageInfo } from '../../lib/package-info.js';
import { notFound } from '../../lib/problem.js';
import { readResponses } from '../../lib/responses.js';
import { text } from '../../lib/text.js';
import { areaIdParam } from '../areas/areas.schemas.js';
import { contestParams } from '../contests/contests.schemas.js';
import { electionParams } from '../elections/elections.schemas.js';
import type { Election } from '../elections/elections.view.js';
import {
  contestReportInput,
  electionReportInput,
  electionView,
  lineOrganisations,
  regionsResults,
} from './results-exports.service.js';
import { type Results, requireResults } from './results.service.js';
import { decimalInt } from '../../lib/integer.js';

const { name, version } = packageInfo;
const issuer = { name: 'Election results API', abbreviation: name, application: `${name} ${version}` };

const svgDocument = z.string().describe('An SVG 1.1 document.');
const svgResponses = (description: string, example: string) => {
  const schema = svgDocument.meta({ examples: [example] });
  return {
    ...readResponses(description, schema, 400, 404, 503),
    200: { description, content: { 'image/svg+xml': { schema } } },
  };
};

/** The opening of a chart, for the documentation: what a screen reader announces, then the drawing. */
const svgExample = (id: string, height: number, title: string, desc: string, drawing: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="${height}" viewBox="0 0 600 ${height}" role="img" ` +
  `aria-labelledby="${id}-title ${id}-desc">\n<title id="${id}-title">${title}</title>\n` +
  `<desc id="${id}-desc">${desc}</desc>\n${drawing}\n</svg>\n`;

const EXAMPLES = {
  chart: svgExample(
    'election-chart-kz-presidential-2022-11-20-v10',
    673,
    'Kazakhstan presidential election, 20 November 2022: certified results',
    'Horizontal bar chart of vote shares as of 22 November 2022. Kassym-Jomart Tokayev ' +
      '(People&apos;s Coalition): 81.31%, 6,456,393 votes. …',
    '<rect class="bar" x="24" y="134" width="448.8" height="22" fill="#1d4ed8"/> …',
  ),
  seats: svgExample(
    'seats-chart-kz-parliamentary-2023-03-19-v3',
    629,
    'Kazakhstan parliamentary election, 19 March 2023: seats won, certified results',
    'Parliament arch, one dot per seat: the 69 seats of Party lists (nationwide), from the left: ' +
      'Amanat: 40 seats; Auyl: 8 seats; Respublica: 6 seats; Ak Zhol: 6 seats; People&apos;s Party: 5 seats; ' +
      'National Social Democratic Party: 4 seats. …',
    '<g class="seats" fill="#332288"><title>AMANAT: 40 seats</title><circle cx="185.0" cy="360.0" r="12.6"/> …</g> …',
  ),
  regions: svgExample(
    'regions-chart-turnout-kz-presidential-2022-11-20-v7',
    796,
    'Kazakhstan presidential election, 20 November 2022: turnout by region',
    'Horizontal bar chart of turnout by region, preliminary results, partial count, version 7, highest first. ' +
      'Zhetysu: 81.42%. Kyzylorda: 81.07%. … Almaty: 28.72%. …',
    '<text class="name" x="24" y="148" font-size="13" fill="#111827">Zhetysu</text>' +
      '<rect class="bar" x="202" y="134.0" width="241.0" height="18" fill="#1d4ed8"/> …',
  ),
};

/** A string with a non-JSON type is sent as it is; the policy keeps the document inert when opened directly. */
function sendSvg(reply: FastifyReply, svg: string) {
  return reply
    .type(SVG_CONTENT_TYPE)
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
    .header('x-content-type-options', 'nosniff')
    .send(svg);
}

const versionParam = decimalInt(1, 2_147_483_647, { examples: [3] })
  .optional()
  .describe('A result version number; the current version by default.');
const versionQuery = z.strictObject({ version: versionParam });

type ChartLevel = Exclude<(typeof areaLevel.enumValues)[number], 'country'>;
const chartLevels = areaLevel.enumValues.filter((l): l is ChartLevel => l !== 'country') as [
  ChartLevel,
  ...ChartLevel[],
];
const regionsQuery = z
  .strictObject({
    level: z
      .enum(chartLevels)
      .default('region')
      .meta({
        description:
          'The level of the areas to draw, within `area`: region (the default), city, district or polling-station.',
        examples: ['region'],
      }),
    area: areaIdParam.optional().meta({
      description: "The area whose areas at `level` are drawn: the contest's own (the country) by default.",
      examples: ['kz'],
    }),
    measure: z
      .enum(['turnout', 'percent'])
      .optional()
      .meta({
        description: 'turnout (the default without `line`), or percent: the percentage of the line `line` names.',
        examples: ['turnout'],
      }),
    line: text()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .meta({
        description:
          'The line to draw: a candidate id, a party\'s organisation id, or a label ("Yes"); implies measure=percent.',
        examples: ['Yes'],
      }),
    version: decimalInt(1, 2_147_483_647, { examples: [7] })
      .optional()
      .describe(
        'A result version number; by default the one with the figure for the most areas at `level` (the newest among equals).',
      ),
  })
  .superRefine((q, ctx) => {
    if (q.measure === 'percent' && q.line === undefined)
      ctx.addIssue({ code: 'custom', path: ['line'], message: 'is required with measure=percent' });
    if (q.measure === 'turnout' && q.line !== undefined)
      ctx.addIssue({ code: 'custom', path: ['line'], message: 'applies to measure=percent, not turnout' });
  });

/** The chart's heading: the election, and the contest when it is not the main one. */
const chartTitle = (e: Election, r: Results) => (r.contest.main ? e.title : `${e.title}, ${r.contest.name}`);

/** Where a contest's exports live: the main contest's under /elections/{id}/results, the others' under /contests/{contest}. */
interface Scope {
  path: string;
  tag: string;
  params: z.ZodObject;
  /** Which contest the request names (undefined: the main one). */
  contestOf: (params: unknown) => string | undefined;
  op: (name: 'chart' | 'seats' | 'regions') => string;
  what: string;
}

const scopes: Scope[] = [
  {
    path: '/elections/:id/results',
    tag: 'elections',
    params: electionParams,
    contestOf: () => undefined,
    op: (n) =>
      ({
        chart: 'getElectionResultsChart',
        seats: 'getElectionResultsSeatsChart',
        regions: 'getElectionResultsRegionsChart',
      })[n],
    what: "the election's main contest",
  },
  {
    path: '/elections/:id/contests/:contest/results',
    tag: 'contests',
    params: contestParams,
    contestOf: (params) => (params as { contest: string }).contest,
    op: (n) =>
      ({
        chart: 'getContestResultsChart',
        seats: 'getContestResultsSeatsChart',
        regions: 'getContestResultsRegionsChart',
      })[n],
    what: 'the contest',
  },
];

const idOf = (params: unknown) => (params as { id: string }).id;

const CDF_MAPPING =
  'Each contest by its kind: a CandidateContest (NumberElected = its seats; candidates, persons and their ' +
  'nominating organisations), a PartyContest (a PartySelection per party list; the seats to fill and the ' +
  'threshold in its ExternalIdentifier, as the CDF has no field for them there) or a BallotMeasureContest ' +
  '(a BallotMeasureSelection per option). Ballots with more marks than allowed (e.g. both options marked) ' +
  "are the contest's OtherCounts Overvotes and blank ballots its Undervotes, per area; other published " +
  'counts without a CDF field ("Against all", invalid ballots, independents\' seats) are labelled ' +
  'BallotMeasureSelections whose ExternalIdentifier `selection-kind` names them. VoteCounts per selection ' +
  'and per area: Type total for votes, Type seats for seats won. The ' +
  'areas form the GpUnit hierarchy: the country ReportingUnit lists its regions in ComposingGpUnitIds, and ' +
  'each area carries its ISO 3166-2 code; registered voters are ReportingUnit.VotersRegistered and ballots ' +
  'cast Election.BallotCounts, per area. Organisations are Parties (abbreviation, colour where known); an ' +
  'alliance is a Coalition of its members.\n\n' +
  'Nothing is invented to fill the format. A line published as a percentage only has no VoteCounts; the ' +
  'CDF has no field for percentages, so the published ones and their base, turnout percentages (national ' +
  'and by area), valid and invalid votes and the sources are listed in Notes. GeneratedDate is when this ' +
  'API recorded the newest version in the report, so the report of given versions never changes.';

export const resultExportsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/elections/:id/results/cdf',
    {
      schema: {
        operationId: 'getElectionResultsCdf',
        tags: ['elections'],
        summary: 'Current results of every contest as a NIST SP 1500-100 v2 ElectionReport',
        description:
          "The election's results in the Election Results Common Data Format of NIST SP 1500-100 version 2 " +
          "(JSON), valid against NIST's schema: every contest that has results, each at its current version " +
          "with its figures for every area that version has them for (the main contest first). The report's " +
          "Status is the least settled of the contests' (each names its own, and its version, in its " +
          'ExternalIdentifier). ' +
          CDF_MAPPING,
        params: electionParams,
        response: readResponses(
          'Every contest at its current version as an ElectionReport.',
          electionReportSchema,
          400,
          404,
          503,
        ),
      },
    },
    async (request, reply) => {
      const input = await electionReportInput(request.db, request.params.id);
      reply.cacheResults(input.contests.some((c) => c.results.preliminary));
      return toElectionReport(input, issuer);
    },
  );

  app.get(
    '/elections/:id/contests/:contest/results/cdf',
    {
      schema: {
        operationId: 'getContestResultsCdf',
        tags: ['contests'],
        summary: "A contest's results as a NIST SP 1500-100 v2 ElectionReport",
        description:
          "One contest's current version (or ?version=) in the Election Results Common Data Format of NIST " +
          "SP 1500-100 version 2 (JSON), valid against NIST's schema, with its figures for every area the " +
          'version has them for. ' +
          CDF_MAPPING,
        params: contestParams,
        querystring: versionQuery,
        response: readResponses('The version as an ElectionReport.', electionReportSchema, 400, 404, 503),
      },
    },
    async (request, reply) => {
      const { id, contest } = request.params;
      const input = await contestReportInput(request.db, {
        electionId: id,
        contest,
        number: request.query.version,
      });
      reply.cacheResults(input.contests.some((c) => c.results.preliminary));
      return toElectionReport(input, issuer);
    },
  );

  for (const scope of scopes) {
    const { path, tag, params, contestOf, op, what } = scope;
    const main = scope === scopes[0];

    app.get(
      `${path}/chart.svg`,
      {
        schema: {
          operationId: op('chart'),
          tags: [tag],
          summary: main
            ? 'Current results as an embeddable SVG bar chart'
            : "A contest's results as an embeddable SVG bar chart",
          description:
            `A horizontal bar chart of the vote shares of ${what}${main ? "'s current version" : ' (its current version, or ?version=)'}, ` +
            '600 px wide: the election (country, type, polling day), the status in words (preliminary, ' +
            'certified, ...), one bar per line labelled with its name, nominator, published percentage and ' +
            'votes, and the source. Bars use a 0–100% scale; a line without a published percentage has no ' +
            'bar. The SVG has a <title> and <desc> for screen readers and can be used as it is in an <img> ' +
            'or inline.',
          params,
          ...(main ? {} : { querystring: versionQuery }),
          response: svgResponses('The chart.', EXAMPLES.chart),
        },
      },
      async (request, reply) => {
        const electionId = idOf(request.params);
        // The main contest's chart takes no query (as it always has): only the contest's is validated.
        const number = main ? undefined : (request.query as { version?: number }).version;
        const results = await requireResults(request.db, { electionId, contest: contestOf(request.params), number });
        const election = await electionView(request.db, electionId);
        reply.cacheResults(results.preliminary);
        return sendSvg(reply, toResultsChart(results, { title: chartTitle(election, results) }));
      },
    );

    app.get(
      `${path}/seats.svg`,
      {
        schema: {
          operationId: op('seats'),
          tags: [tag],
          summary: main
            ? "The main contest's seats as an SVG parliament arch"
            : "A contest's seats as an SVG parliament arch",
          description:
            `The seats won in ${what} (its current version, or ?version=) as a parliament arch, one dot per ` +
            'seat (a single bar of seats beyond 1,000 seats), 600 px wide, with a legend naming each party ' +
            'and its seats, most seats first (independents and other lines last). Colours are the ' +
            "organisations' own where the data holds one; otherwise a neutral colour-blind-safe palette " +
            "(Paul Tol's muted), and the chart says those are not the parties' colours. Seats the contest " +
            "fills but the version's lines do not account for are drawn in light grey. The SVG has a <title> " +
            'and <desc> for screen readers.\n\n' +
            '404 when the version publishes no seats: a presidency, a referendum question, or a party list ' +
            'before its seats were allocated (e.g. the preliminary version of 2023).',
          params,
          querystring: versionQuery,
          response: svgResponses('The chart.', EXAMPLES.seats),
        },
      },
      async (request, reply) => {
        const electionId = idOf(request.params);
        const contest = contestOf(request.params);
        const results = await requireResults(request.db, { electionId, contest, number: request.query.version });
        if (seatsPublished(results) === 0)
          throw notFound(
            `${electionId} (${results.contest.id}, a ${results.contest.kind} contest) has no seats published in result version ${results.version}.`,
          );
        const [election, organisations] = await Promise.all([
          electionView(request.db, electionId),
          lineOrganisations(request.db, [results]),
        ]);
        reply.cacheResults(results.preliminary);
        return sendSvg(reply, toSeatsChart({ results, title: chartTitle(election, results), organisations }));
      },
    );

    app.get(
      `${path}/regions.svg`,
      {
        schema: {
          operationId: op('regions'),
          tags: [tag],
          summary: main
            ? 'Turnout or a share by region as an SVG bar chart'
            : "A contest's turnout or a share by region as an SVG bar chart",
          description:
            `One bar per area at ?level= (region by default) within ?area= (the contest's own by default) for ${what}, ` +
            'highest first, on a 0–100% scale: the turnout as published (the default; computed from ballots cast ' +
            "and registered voters, and marked so, where only those are published), or with ?line= a line's " +
            'percentage as published (a candidate id, a party\'s organisation id, or a label such as "Yes"). ' +
            'Areas without the figure are named under the chart.\n\n' +
            'Which version: ?version= when given; otherwise the version with the figure for the most areas at ' +
            'that level, the newest among equals, which need not be the current one (the current version of ' +
            "the 2022 presidential election has national figures only; its regional turnout is in the CEC's " +
            'election-day briefings, versions 1–7, so the chart shows version 7). The chart names the version ' +
            'it shows and says when it is not the current one. 404 when no version (or not the one asked for) ' +
            'has the figure for any area at that level, and for an unknown election, contest or area.',
          params,
          querystring: regionsQuery,
          response: svgResponses('The chart.', EXAMPLES.regions),
        },
      },
      async (request, reply) => {
        const electionId = idOf(request.params);
        const contest = contestOf(request.params);
        const { level, area, line, version: number } = request.query;
        const measure: RegionsMeasure = line === undefined ? { kind: 'turnout' } : { kind: 'line', key: line };
        const results = await regionsResults(request.db, {
          electionId,
          contest,
          number,
          level,
          area,
          line,
        });
        if (!areaBars(results, measure).some((b) => b.value !== null))
          throw notFound(
            `Result version ${results.version} of ${electionId} (${results.contest.id}) has no ${line === undefined ? 'turnout figures' : `percentages of '${line}'`} for areas at level ${level} within ${results.area.id}.`,
          );
        const election = await electionView(request.db, electionId);
        reply.cacheResults(results.preliminary);
        return sendSvg(
          reply,
          toRegionsChart({
            results,
            title: chartTitle(election, results),
            measure,
            level,
            chosen: number === undefined ? 'most-areas' : 'asked',
          }),
        );
      },
    );
  }
};

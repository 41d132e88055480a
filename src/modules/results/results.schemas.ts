import { z } from 'zod';
import { text } from '../../lib/text.js';
import { slugIdParam } from '../../lib/slug.js';
import { areaLevel, contestKind, outcome, percentBase, selectionKind, sourceKind } from '../../db/schema/index.js';
import { csvParams } from '../../formats/csv.js';
import { cursorParam, limitParam, listSchema } from '../../lib/pagination.js';
import { sourceRefSchema, sourceSchema } from '../sources/sources.schemas.js';
import { areaIdParam } from '../areas/areas.schemas.js';
import { electionIdParam, statusEnum } from '../elections/elections.schemas.js';
import { decimalInt } from '../../lib/integer.js';

const count = z.number().int().nonnegative();

export const lineSchema = z
  .object({
    id: z.number().int().describe("The line's id: the id of the same line in /v1/vote-shares."),
    kind: z
      .enum(selectionKind.enumValues)
      .describe(
        'candidate; party (a party list); option (of a ballot question: "Yes"); against-all; or other (a count published beside them: both options marked, invalid, independents).',
      ),
    name: z
      .string()
      .describe('The candidate\'s or the party\'s name, or the label of another line ("Against all", "Yes").'),
    candidate: z.object({ id: z.string(), name: z.string() }).nullable(),
    nominator: z
      .object({ id: z.string(), name: z.string() })
      .nullable()
      .describe("The party or body that nominated the candidate, or a party line's party, when a source gives it."),
    votes: count.nullable().describe('Votes as published; null when the source gives only a percentage.'),
    percent: z
      .number()
      .min(0)
      .max(100)
      .nullable()
      .describe("The percentage exactly as published; its denominator is the version's percentBase."),
    rank: z.number().int().positive().nullable().describe('Position among candidates (non-candidate lines have none).'),
    outcome: z.enum(outcome.enumValues).nullable(),
    seats: count
      .nullable()
      .describe('Seats won, where the contest fills several (party lists); null where none were published.'),
    publishedAsIs: z
      .boolean()
      .describe(
        'True when the editor confirmed the percent as printed although it disagrees with votes / denominator.',
      ),
  })
  .meta({ id: 'ResultLine' });

export const versionSourceSchema = sourceRefSchema
  .extend({
    kind: z.enum(sourceKind.enumValues),
    published: z.string().nullable(),
    covers: z.string().describe('What this version takes from the source.'),
    terms: sourceSchema.shape.terms,
    termsUrl: sourceSchema.shape.termsUrl,
    attribution: sourceSchema.shape.attribution,
  })
  .meta({ id: 'VersionSource' });

const versionFields = {
  electionId: z.string(),
  version: z.number().int().positive().describe('1 for the first published version, then 2, 3, ...'),
  status: statusEnum.describe('NIST SP 1500-100 ResultsStatus.'),
  preliminary: z.boolean().describe('True while the status is unofficial: the figures may change.'),
  current: z.boolean().describe('True for the newest version, the one /results serves.'),
  asOf: z.string().nullable().describe('Date or date-time of the figures; null when the source does not say.'),
  complete: z.boolean().describe('True when every line of the result is listed; false when the source gave only some.'),
  recordedAt: z.string().describe('When this API stored the version.'),
};

const versionSummarySchema = z
  .object({
    ...versionFields,
    contest: z.string().describe('The contest the version belongs to (president, party-list, question-1).'),
    lineCount: z.number().int().describe("Lines of the version, its areas' included."),
    source: sourceRefSchema,
  })
  .meta({ id: 'ResultVersionSummary' });

export const contestRefSchema = z
  .object({
    id: z.string().describe('Readable and stable under its election: president, party-list, question-1, district-12.'),
    name: z.string(),
    kind: z.enum(contestKind.enumValues),
    seats: z.number().int().nullable().describe('Seats or winners; null for a ballot question.'),
    thresholdPercent: z.number().nullable().describe('The share a party list needs for seats, where the law sets one.'),
    main: z.boolean().describe("The election's main contest: the one /v1/elections/{id}/results serves."),
  })
  .meta({ id: 'ContestRef' });

export const areaRefSchema = z
  .object({
    id: z.string().describe('Readable: the country\'s ISO code ("kz"), else "{country}-{name}" ("kz-abai").'),
    name: z.string(),
    level: z.enum(areaLevel.enumValues),
    isoCode: z.string().nullable().describe('ISO 3166-2 code, where one exists.'),
  })
  .meta({ id: 'AreaRef' });

const turnoutSchema = z
  .object({
    registeredVoters: count.nullable(),
    ballotsCast: count.nullable(),
    validVotes: count.nullable(),
    invalidVotes: count.nullable(),
    turnoutPercent: z.number().nullable().describe('Turnout as published.'),
  })
  .describe('As published; null where the source gives no figure.');

const countingSchema = z
  .object({
    unitsLevel: z
      .enum(areaLevel.enumValues)
      .nullable()
      .describe('What the units counted are (polling-station); null when the source does not say.'),
    unitsReporting: count.nullable().describe('Units (e.g. polling stations) whose count is in these figures.'),
    unitsTotal: count.nullable().describe('Units in all.'),
    ballotsCounted: count.nullable().describe('Ballots counted so far, as published.'),
    expectedVotes: count
      .nullable()
      .describe('The expected total vote, only where a source publishes an estimate; never computed here.'),
  })
  .describe('Counting progress, as published (NIST SubUnitsReported / TotalSubUnits); null where not published.');

const derivedSchema = z
  .object({
    linesTotal: count.nullable().describe("Sum of the lines' votes; only when every line is listed with its votes."),
    ballotsCastMinusLinesTotal: z
      .number()
      .int()
      .nullable()
      .describe('Ballots cast not counted in any line (e.g. invalid ballots); derived, not published.'),
    turnoutPercent: z.number().nullable().describe('ballotsCast / registeredVoters × 100, to 2 decimals.'),
    unitsReportingPercent: z
      .number()
      .nullable()
      .describe('counting.unitsReporting / counting.unitsTotal × 100, to 2 decimals.'),
  })
  .describe('Computed by this API from the published figures; not published by any source.');

export const areaResultsSchema = z
  .object({
    area: areaRefSchema,
    complete: z.boolean().describe('True when the source lists every line for this area.'),
    turnout: turnoutSchema,
    counting: countingSchema,
    derived: derivedSchema,
    lines: z.array(lineSchema).describe('Sorted by votes (then percent), highest first; only what the source gives.'),
  })
  .meta({ id: 'AreaResults' });

export const resultsSchema = z
  .object({
    ...versionFields,
    contest: contestRefSchema,
    area: areaRefSchema.describe("The area these figures are for: the contest's own unless ?area= names another."),
    publishedBy: z.string().nullable().describe('The authority that published the figures.'),
    note: z.string().nullable(),
    turnout: turnoutSchema,
    counting: countingSchema,
    derived: derivedSchema,
    percentBase: z
      .enum(percentBase.enumValues)
      .describe(
        'The denominator of the published percentages: the sum of the lines, ballots cast, valid votes, or unknown.',
      ),
    lines: z.array(lineSchema).describe('Sorted by votes (then percent), highest first.'),
    areas: z
      .array(areaResultsSchema)
      .describe(
        'With ?level=: the figures this version gives for the areas at that level within `area` (e.g. every region), by name; otherwise empty.',
      ),
    sources: z.array(versionSourceSchema).describe("The version's own source first, then any others it draws on."),
    attribution: z
      .string()
      .describe(
        'The credit line to print with these figures: the attribution each source asks for, or its publisher where ' +
          'it states none, in the order of `sources`, joined by "; ". The terms of reuse are in `sources`.',
      ),
  })
  .meta({ id: 'Results' });

export const versionParams = z.object({
  id: electionIdParam,
  n: decimalInt(1, 2_147_483_647).describe('Version number.'),
});

export const versionListQuery = z.strictObject({
  ...csvParams,
  limit: limitParam(50),
  cursor: cursorParam(z.tuple([z.int32()])).optional(),
});

export const versionList = listSchema(versionSummarySchema).meta({ id: 'ResultVersionList' });

const slugId = slugIdParam('an');
// Ten billion: more than any electorate, and small enough that a version's 1,000 lines still sum
// to an exact JavaScript integer (the derived totals of /results; 2^53 - 1 per line did not).
const MAX_COUNT = 10_000_000_000;
const optionalCount = z.number().int().max(MAX_COUNT).nullable().default(null);

const lineInputSchema = z
  .strictObject({
    kind: z.enum(selectionKind.enumValues).default('candidate'),
    candidateId: slugId.nullable().default(null).describe('For kind=candidate: an existing candidate id.'),
    label: text()
      .trim()
      .min(1)
      .max(200)
      .nullable()
      .default(null)
      .describe('For a non-candidate line: its label, e.g. "Against all".'),
    nominatorId: slugId.nullable().default(null).describe('An existing organisation id.'),
    votes: optionalCount,
    percent: z.number().nullable().default(null).describe('As published; checked against votes / denominator.'),
    rank: z.number().int().min(1).max(100_000).nullable().default(null),
    outcome: z.enum(outcome.enumValues).nullable().default(null),
    seats: z.number().int().min(0).max(100_000).nullable().default(null).describe('Seats won, as published.'),
    publishedAsIs: z
      .boolean()
      .default(false)
      .describe(
        'Keep a percent that disagrees with votes / denominator by more than 0.01, because the source printed it.',
      ),
  })
  .meta({ id: 'NewResultLine' });

const turnoutInput = z
  .strictObject({
    registeredVoters: optionalCount,
    ballotsCast: optionalCount,
    validVotes: optionalCount,
    invalidVotes: optionalCount,
    turnoutPercent: z.number().nullable().default(null),
  })
  .default({
    registeredVoters: null,
    ballotsCast: null,
    validVotes: null,
    invalidVotes: null,
    turnoutPercent: null,
  });

const countingInput = z
  .strictObject({
    unitsLevel: z
      .enum(areaLevel.enumValues)
      .nullable()
      .default(null)
      .describe('What the units counted are: polling-station, district, ...'),
    unitsReporting: z.number().int().min(0).max(10_000_000).nullable().default(null),
    unitsTotal: z.number().int().min(0).max(10_000_000).nullable().default(null),
    ballotsCounted: optionalCount,
    expectedVotes: optionalCount.describe('Only an estimate a source publishes.'),
  })
  .default({ unitsLevel: null, unitsReporting: null, unitsTotal: null, ballotsCounted: null, expectedVotes: null })
  .describe(
    'Counting progress as published: units reporting of total, ballots counted, an expected vote (never ' +
      "computed). Units reporting never exceed the total, nor an area's its parent's.",
  );

const areaInputSchema = z
  .strictObject({
    areaId: areaIdParam.describe("An area within the contest's, which existed on polling day."),
    turnout: turnoutInput,
    counting: countingInput,
    complete: z.boolean().default(false).describe('True when every line for this area is listed.'),
    publishedAsIs: z
      .boolean()
      .default(false)
      .describe("Keep figures that do not add up to the area's children's, because the source printed them so."),
    lines: z.array(lineInputSchema).max(1000).default([]),
  })
  .meta({ id: 'NewAreaResults' });

export const resultsInputSchema = z
  .strictObject({
    status: statusEnum,
    asOf: z
      // 35 characters: a date-time to the nanosecond with its offset (2022-11-22T04:38:00.123456789+09:00).
      .union([z.iso.date(), z.iso.datetime({ offset: true }).max(35)])
      .nullable()
      .default(null)
      .describe('ISO 8601 date or date-time with offset of the figures; null when the source does not say.'),
    complete: z.boolean().describe('True when every line of the result is listed.'),
    publishedBy: text().max(300).nullable().default(null),
    note: text().max(2000).nullable().default(null),
    sourceId: slugId.describe('The source of the figures; must exist.'),
    additionalSources: z
      .array(z.strictObject({ sourceId: slugId, covers: text().min(1).max(500) }))
      .max(20)
      .default([]),
    turnout: turnoutInput.describe("The contest's own area's figures."),
    counting: countingInput,
    percentBase: z.enum(percentBase.enumValues),
    lines: z.array(lineInputSchema).max(1000).default([]).describe("The contest's own area's lines."),
    areas: z
      .array(areaInputSchema)
      .max(2000)
      .default([])
      .describe(
        "Figures for areas within the contest's (regions, districts, polling stations); larger sets: npm run import.",
      ),
  })
  .meta({
    id: 'NewResultVersion',
    example: {
      status: 'certified',
      asOf: '2022-11-22',
      complete: true,
      publishedBy: 'Central Election Commission of the Republic of Kazakhstan',
      sourceId: 'kazinform-2022-cec-final-results',
      turnout: { registeredVoters: 11953465, ballotsCast: 8300046, turnoutPercent: 69.44 },
      percentBase: 'lines-total',
      lines: [
        {
          candidateId: 'kassym-jomart-tokayev',
          nominatorId: 'peoples-coalition',
          votes: 6456393,
          percent: 81.31,
          rank: 1,
          outcome: 'elected',
        },
        { kind: 'against-all', label: 'Against all', votes: 460484, percent: 5.8 },
        {
          candidateId: 'zhiguli-dairabayev',
          nominatorId: 'auyl-party',
          votes: 271641,
          percent: 3.42,
          rank: 2,
          outcome: 'defeated',
        },
        {
          candidateId: 'karakat-abden',
          nominatorId: 'national-alliance-of-professional-social-workers',
          votes: 206206,
          percent: 2.6,
          rank: 3,
          outcome: 'defeated',
        },
        {
          candidateId: 'meiram-kazhyken',
          nominatorId: 'amanat-commonwealth-of-trade-unions',
          votes: 200907,
          percent: 2.53,
          rank: 4,
          outcome: 'defeated',
        },
        {
          candidateId: 'nurlan-auesbayev',
          nominatorId: 'national-social-democratic-party',
          votes: 176116,
          percent: 2.22,
          rank: 5,
          outcome: 'defeated',
        },
        {
          candidateId: 'saltanat-tursynbekova',
          nominatorId: 'qazaq-analary-dasturge-zhol',
          votes: 168731,
          percent: 2.12,
          rank: 6,
          outcome: 'defeated',
        },
      ],
    },
  });

export type ResultsInput = z.output<typeof resultsInputSchema>;

export const diffParams = z.object({
  id: electionIdParam,
  a: decimalInt(1, 2_147_483_647).describe('The older version.'),
  b: decimalInt(1, 2_147_483_647).describe('The newer version.'),
});

const diffValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const lineFigures = z.object({
  votes: z.number().nullable(),
  percent: z.number().nullable(),
  rank: z.number().nullable(),
  outcome: z.string().nullable(),
  nominatorId: z.string().nullable(),
});

export const diffSchema = z
  .object({
    electionId: z.string(),
    from: z.number().int(),
    to: z.number().int(),
    fields: z
      .array(z.object({ field: z.string(), from: diffValue, to: diffValue }))
      .describe('Version-level fields that differ (status, asOf, turnout, ...).'),
    lines: z
      .array(
        z.object({
          key: z.string().describe('candidate:<id> or label:<label>: how lines are matched.'),
          name: z.string(),
          change: z.enum(['added', 'removed', 'changed', 'unchanged']),
          from: lineFigures.nullable(),
          to: lineFigures.nullable(),
          votesDelta: z.number().nullable(),
          percentDelta: z.number().nullable().describe('Percentage points, to 3 decimals.'),
        }),
      )
      .describe("Every line of either version, in the newer version's order, then removed lines."),
  })
  .meta({ id: 'ResultsDiff' });

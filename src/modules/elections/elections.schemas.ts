import { identifiersField, lookupParams } from '../identifiers/identifiers.schemas.js';
import { z } from 'zod';
import { text } from '../../lib/text.js';
import { sourceIdParam } from '../sources/sources.schemas.js';
import { electionType, resultStatus } from '../../db/schema/index.js';
import { csvParams } from '../../formats/csv.js';
import { cursorParam, limitParam, listSchema } from '../../lib/pagination.js';
import { countryCodeParam } from '../countries/countries.schemas.js';
import { sourceRefSchema } from '../sources/sources.schemas.js';
import { decimalInt } from '../../lib/integer.js';
import { updatedSinceParam } from '../../lib/updated-since.js';

export const ELECTION_ID_PATTERN = /^[a-z]{2}\.[a-z]+(-[a-z]+)*\.\d{4}-\d{2}-\d{2}(\.[a-z0-9-]+)?$/;

export const electionIdParam = z
  .string()
  .max(100)
  .regex(ELECTION_ID_PATTERN, 'must be an election id like kz.presidential.2022-11-20')
  .describe('Readable election id: {iso2}.{type}.{YYYY-MM-DD}.');

export const statusEnum = z.enum(resultStatus.enumValues);

// ISO 8601 has a year 0000 (1 BC); PostgreSQL's date type does not, and would fail the query.
export const isoDate = z.iso
  .date('must be a date as YYYY-MM-DD')
  .refine((date) => !date.startsWith('0000-'), 'must be a date from 0001-01-01 on');

export const currentResultsSchema = z
  .object({
    version: z.number().int(),
    status: statusEnum,
    preliminary: z.boolean().describe('True while the status is unofficial: the figures may change.'),
    asOf: z.string().nullable(),
    complete: z.boolean(),
  })
  .meta({ id: 'CurrentResultsSummary' });

export const electionSchema = z
  .object({
    id: z.string().describe('{iso2}.{type}.{YYYY-MM-DD}'),
    title: z.string().describe('Readable title built from the country, type and date.'),
    country: z.object({ code: z.string(), name: z.string() }),
    type: z.enum(electionType.enumValues),
    date: z.string().describe('Polling day, YYYY-MM-DD.'),
    snap: z.boolean().nullable().describe('Called early; null when no source says.'),
    round: z.number().int(),
    previousRoundId: z.string().nullable().describe('For a runoff: the id of the round before.'),
    nextRoundId: z
      .string()
      .nullable()
      .describe('The id of the round after (the runoff whose previousRoundId is this election), or null.'),
    termEndYear: z.number().int().nullable().describe("Year the winner's term ends, when a source gives it."),
    candidateCount: z.number().int().nullable().describe('Number of candidates on the ballot, when a source gives it.'),
    note: z.string().nullable(),
    source: sourceRefSchema,
    currentResults: currentResultsSchema.nullable().describe('The newest result version, or null before any.'),
    identifiers: identifiersField,
  })
  .meta({
    id: 'Election',
    example: {
      id: 'kz.presidential.2022-11-20',
      title: 'Kazakhstan presidential election, 20 November 2022',
      country: { code: 'KZ', name: 'Kazakhstan' },
      type: 'presidential',
      date: '2022-11-20',
      snap: true,
      round: 1,
      previousRoundId: null,
      nextRoundId: null,
      termEndYear: 2029,
      candidateCount: 6,
      note: 'A seven-year term; presidents may not be re-elected after it.',
      source: {
        id: 'nikkei-asia-2022-11-22-kazakhstan-tilting-to-china',
        publisher: 'Nikkei Asia',
        title: "Kazakhstan seen tilting to China after president's landslide win",
        url: null,
      },
      currentResults: { version: 10, status: 'certified', preliminary: false, asOf: '2022-11-22', complete: true },
      identifiers: [],
    },
  });

const electionFilters = {
  type: z.enum(electionType.enumValues).optional(),
  year: decimalInt(1800, 2200).optional().describe('Polling year.'),
  from: isoDate.optional().describe('Polling day on or after, YYYY-MM-DD.'),
  to: isoDate.optional().describe('Polling day on or before, YYYY-MM-DD.'),
  status: statusEnum.optional().describe('Status of the current result version.'),
  round: decimalInt(1, 10).optional().describe('Only this round: 1 for first rounds, 2 for runoffs.'),
  updatedSince: updatedSinceParam,
  ...csvParams,
  limit: limitParam(20),
  cursor: cursorParam(z.tuple([isoDate, z.string()])).optional(),
};

function fromNotAfterTo<T extends { from?: string; to?: string }>(q: T, ctx: z.RefinementCtx) {
  if (q.from && q.to && q.from > q.to)
    ctx.addIssue({ code: 'custom', path: ['to'], message: `must be on or after from (${q.from})` });
}

export const electionListQuery = z
  .strictObject({ country: countryCodeParam.optional(), ...lookupParams, ...electionFilters })
  .superRefine(fromNotAfterTo);

export const countryElectionListQuery = z.strictObject(electionFilters).superRefine(fromNotAfterTo);

export const electionParams = z.object({ id: electionIdParam });

export const electionList = listSchema(electionSchema).meta({ id: 'ElectionList' });

const mutableFields = {
  snap: z.boolean().nullable().describe('Called early; null when no source says.'),
  round: z
    .number()
    .int()
    .min(1)
    .max(10)
    .describe('1 for a first round; with previousRoundId, one more than its round (the default then).'),
  previousRoundId: electionIdParam
    .nullable()
    .describe(
      'For a runoff: the round before, an earlier election of the same country with no other next round; must exist.',
    ),
  termEndYear: z.number().int().min(1800).max(2200).nullable(),
  candidateCount: z.number().int().min(0).max(10_000).nullable(),
  note: text().max(2000).nullable(),
  sourceId: sourceIdParam.describe('The source announcing the election; must exist.'),
};

export const electionCreateBody = z
  .strictObject({
    country: countryCodeParam,
    type: z.enum(electionType.enumValues),
    date: isoDate.describe('Polling day, YYYY-MM-DD.'),
    snap: mutableFields.snap.default(null),
    round: mutableFields.round.optional().describe('By default 1, or the round after previousRoundId.'),
    previousRoundId: mutableFields.previousRoundId.default(null),
    termEndYear: mutableFields.termEndYear.default(null),
    candidateCount: mutableFields.candidateCount.default(null),
    note: mutableFields.note.default(null),
    sourceId: mutableFields.sourceId,
  })
  .meta({
    id: 'ElectionCreate',
    description:
      'The id is made from country, type and date: {iso2}.{type}.{YYYY-MM-DD}. An unknown sourceId or ' +
      'previousRoundId is a 404. A previous round that is the election itself, of another country, not ' +
      'earlier, or already followed by another round, and a round that is not one more than its round, ' +
      'answer 422 naming the field.',
    example: {
      country: 'KZ',
      type: 'parliamentary',
      date: '2021-01-10',
      snap: false,
      termEndYear: 2026,
      note: 'The Mazhilis election before the early one of 2023.',
      sourceId: 'wikipedia-2023-kazakh-legislative-election',
    },
  });

export const electionPatchBody = z
  .strictObject({
    snap: mutableFields.snap.optional(),
    round: mutableFields.round.optional(),
    previousRoundId: mutableFields.previousRoundId.optional(),
    termEndYear: mutableFields.termEndYear.optional(),
    candidateCount: mutableFields.candidateCount.optional(),
    note: mutableFields.note.optional(),
    sourceId: mutableFields.sourceId.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'must change at least one field' })
  .meta({
    id: 'ElectionPatch',
    description:
      'The fields to change; id, country, type and date make the id and cannot change. previousRoundId and ' +
      'round follow the rules of ElectionCreate; naming a previous round without a round sets the round after ' +
      'it, and the round of an election followed by another stays one less than that one.',
    example: { termEndYear: 2029, note: 'A seven-year term.' },
  });

import { z } from 'zod';
import { electionType, resultStatus } from '../../db/schema/index.js';
import { cursorParam, limitParam, listSchema } from '../../lib/pagination.js';
import { countryCodeParam } from '../countries/countries.schemas.js';
import { sourceRefSchema } from '../sources/sources.schemas.js';

export const ELECTION_ID_PATTERN = /^[a-z]{2}\.[a-z]+(-[a-z]+)*\.\d{4}-\d{2}-\d{2}(\.[a-z0-9-]+)?$/;

export const electionIdParam = z
  .string()
  .max(100)
  .regex(ELECTION_ID_PATTERN, 'must be an election id like kz.presidential.2022-11-20')
  .describe('Readable election id: {iso2}.{type}.{YYYY-MM-DD}.');

export const statusEnum = z.enum(resultStatus.enumValues);

const isoDate = z.iso.date('must be a date as YYYY-MM-DD');

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
    termEndYear: z.number().int().nullable().describe('Year the winner\'s term ends, when a source gives it.'),
    candidateCount: z.number().int().nullable().describe('Number of candidates on the ballot, when a source gives it.'),
    note: z.string().nullable(),
    source: sourceRefSchema,
    currentResults: currentResultsSchema.nullable().describe('The newest result version, or null before any.'),
  })
  .meta({ id: 'Election' });

export const electionFilters = {
  type: z.enum(electionType.enumValues).optional(),
  year: z.coerce.number().int().min(1800).max(2200).optional().describe('Polling year.'),
  from: isoDate.optional().describe('Polling day on or after, YYYY-MM-DD.'),
  to: isoDate.optional().describe('Polling day on or before, YYYY-MM-DD.'),
  status: statusEnum.optional().describe('Status of the current result version.'),
  limit: limitParam(20),
  cursor: cursorParam(z.tuple([isoDate, z.string()])).optional(),
};

function fromNotAfterTo<T extends { from?: string; to?: string }>(q: T, ctx: z.RefinementCtx) {
  if (q.from && q.to && q.from > q.to)
    ctx.addIssue({ code: 'custom', path: ['to'], message: `must be on or after from (${q.from})` });
}

export const electionListQuery = z
  .strictObject({ country: countryCodeParam.optional(), ...electionFilters })
  .superRefine(fromNotAfterTo);

export const countryElectionListQuery = z.strictObject(electionFilters).superRefine(fromNotAfterTo);

export type ElectionListQuery = z.infer<typeof electionListQuery>;

export const electionParams = z.object({ id: electionIdParam });

export const electionList = listSchema(electionSchema).meta({ id: 'ElectionList' });

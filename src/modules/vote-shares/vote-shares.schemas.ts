import { z } from 'zod';
import { slugIdParam } from '../../lib/slug.js';
import { electionType, outcome, percentBase, selectionKind } from '../../db/schema/index.js';
import { formatParam } from '../../formats/csv.js';
import { cursorParam, limitParam, listSchema } from '../../lib/pagination.js';
import { countryCodeParam } from '../countries/countries.schemas.js';
import { electionIdParam, statusEnum } from '../elections/elections.schemas.js';

export const candidateIdParam = slugIdParam('a candidate', 'kassym-jomart-tokayev');

export const voteShareSchema = z
  .object({
    id: z.number().int().describe('Line id, stable.'),
    electionId: z.string(),
    countryCode: z.string(),
    date: z.string().describe('Polling day.'),
    type: z.enum(electionType.enumValues),
    version: z.number().int(),
    status: statusEnum,
    preliminary: z.boolean(),
    current: z.boolean().describe("True when the line belongs to the election's newest version."),
    asOf: z.string().nullable(),
    kind: z.enum(selectionKind.enumValues),
    name: z.string().describe('Candidate name or non-candidate label.'),
    candidateId: z.string().nullable(),
    nominatorId: z.string().nullable(),
    nominatorName: z.string().nullable(),
    votes: z.number().int().nonnegative().nullable(),
    percent: z.number().nullable().describe('As published.'),
    percentBase: z.enum(percentBase.enumValues),
    rank: z.number().int().nullable(),
    outcome: z.enum(outcome.enumValues).nullable(),
    sourceId: z.string().describe('The source of the version this line belongs to.'),
    publishedAsIs: z.boolean().describe('The percent is kept as printed although it disagrees with the votes.'),
  })
  .meta({ id: 'VoteShare' });

export const voteShareListQuery = z.strictObject({
  country: countryCodeParam.optional(),
  election: electionIdParam.optional().describe('An election id; unknown ids are a 400.'),
  candidate: candidateIdParam.optional().describe('A candidate id; unknown ids are a 400.'),
  year: z.coerce.number().int().min(1800).max(2200).optional(),
  status: statusEnum.optional().describe('Status of the version the line belongs to.'),
  versions: z
    .enum(['current', 'all'])
    .default('current')
    .describe("current (default): lines of each election's newest version; all: every version."),
  format: formatParam,
  limit: limitParam(50),
  cursor: cursorParam(z.tuple([z.int32()])).optional(),
});

export const voteShareList = listSchema(voteShareSchema).meta({ id: 'VoteShareList' });

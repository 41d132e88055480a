import { z } from 'zod';
import { slugIdParam } from '../../lib/slug.js';
import { areaLevel, contestKind, electionType, outcome, percentBase, selectionKind } from '../../db/schema/index.js';
import { areaIdParam } from '../areas/areas.schemas.js';
import { contestIdParam } from '../contests/contests.schemas.js';
import { csvParams } from '../../formats/csv.js';
import { cursorParam, limitParam, listSchema } from '../../lib/pagination.js';
import { countryCodeParam } from '../countries/countries.schemas.js';
import { electionIdParam, statusEnum } from '../elections/elections.schemas.js';
import { decimalInt } from '../../lib/integer.js';

export const candidateIdParam = slugIdParam('a candidate', 'kassym-jomart-tokayev');

export const voteShareSchema = z
  .object({
    id: z.number().int().describe('Line id, stable.'),
    electionId: z.string(),
    countryCode: z.string(),
    date: z.string().describe('Polling day.'),
    type: z.enum(electionType.enumValues),
    contest: z.string().describe('The contest of the election the line belongs to: president, party-list, question-1.'),
    version: z.number().int(),
    status: statusEnum,
    preliminary: z.boolean(),
    current: z.boolean().describe("True when the line belongs to the election's newest version."),
    asOf: z.string().nullable(),
    areaId: z
      .string()
      .describe("The area the line counts: its contest's (the country) or a region, district, station."),
    areaName: z.string(),
    areaLevel: z.enum(areaLevel.enumValues),
    areaIsoCode: z.string().nullable().describe('ISO 3166-2 code of the area, where one exists.'),
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
    seats: z.number().int().nonnegative().nullable().describe('Seats won, where published.'),
    sourceId: z.string().describe('The source of the version this line belongs to.'),
    publishedAsIs: z.boolean().describe('The percent is kept as printed although it disagrees with the votes.'),
  })
  .meta({ id: 'VoteShare' });

export const voteShareListQuery = z.strictObject({
  country: countryCodeParam.optional(),
  election: electionIdParam.optional().describe('An election id; unknown ids are a 400.'),
  candidate: candidateIdParam.optional().describe('A candidate id; unknown ids are a 400.'),
  party: slugIdParam('an organisation', 'amanat')
    .optional()
    .describe("An organisation id: its party-list lines and its nominees' lines; unknown ids are a 400."),
  area: areaIdParam.optional().describe('Only lines counted in this area (kz: national lines; kz-abai: that region).'),
  contestKind: z.enum(contestKind.enumValues).optional().describe('candidate, party-list or ballot-question.'),
  contest: contestIdParam
    .optional()
    .describe('Only this contest (with election, or across elections by id: party-list).'),
  year: decimalInt(1800, 2200).optional(),
  status: statusEnum.optional().describe('Status of the version the line belongs to.'),
  versions: z
    .enum(['current', 'all'])
    .default('current')
    .describe("current (default): lines of each election's newest version; all: every version."),
  ...csvParams,
  limit: limitParam(50),
  cursor: cursorParam(z.tuple([z.int32()])).optional(),
});

export const voteShareList = listSchema(voteShareSchema).meta({ id: 'VoteShareList' });

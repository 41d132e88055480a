import { z } from 'zod';
import { outcome, percentBase, selectionKind, sourceKind } from '../../db/schema/index.js';
import { cursorParam, limitParam, listSchema } from '../../lib/pagination.js';
import { sourceRefSchema } from '../sources/sources.schemas.js';
import { electionIdParam, statusEnum } from './elections.schemas.js';

const count = z.number().int().nonnegative();

export const lineSchema = z
  .object({
    kind: z.enum(selectionKind.enumValues).describe('candidate, or a non-candidate line such as "against-all".'),
    name: z.string().describe('The candidate\'s name, or the label of a non-candidate line ("Against all").'),
    candidate: z.object({ id: z.string(), name: z.string() }).nullable(),
    nominator: z
      .object({ id: z.string(), name: z.string() })
      .nullable()
      .describe('The party or body that nominated the candidate, when a source gives it.'),
    votes: count.nullable().describe('Votes as published; null when the source gives only a percentage.'),
    percent: z
      .number()
      .min(0)
      .max(100)
      .nullable()
      .describe('The percentage exactly as published; its denominator is the version\'s percentBase.'),
    rank: z.number().int().positive().nullable().describe('Position among candidates (non-candidate lines have none).'),
    outcome: z.enum(outcome.enumValues).nullable(),
  })
  .meta({ id: 'ResultLine' });

export const versionSourceSchema = sourceRefSchema
  .extend({
    kind: z.enum(sourceKind.enumValues),
    published: z.string().nullable(),
    covers: z.string().describe('What this version takes from the source.'),
  })
  .meta({ id: 'VersionSource' });

const versionFields = {
  electionId: z.string(),
  version: z.number().int().positive().describe('1 for the first published version, then 2, 3, ...'),
  status: statusEnum.describe('NIST SP 1500-100 ResultsStatus.'),
  preliminary: z.boolean().describe('True while the status is unofficial: the figures may change.'),
  current: z.boolean().describe('True for the newest version, the one /results serves.'),
  asOf: z.string().nullable().describe('Date or date-time of the figures; null when the source does not say.'),
  complete: z
    .boolean()
    .describe('True when every line of the result is listed; false when the source gave only some.'),
  recordedAt: z.string().describe('When this API stored the version.'),
};

export const versionSummarySchema = z
  .object({ ...versionFields, lineCount: z.number().int(), source: sourceRefSchema })
  .meta({ id: 'ResultVersionSummary' });

export const resultsSchema = z
  .object({
    ...versionFields,
    publishedBy: z.string().nullable().describe('The authority that published the figures.'),
    note: z.string().nullable(),
    turnout: z
      .object({
        registeredVoters: count.nullable(),
        ballotsCast: count.nullable(),
        validVotes: count.nullable(),
        invalidVotes: count.nullable(),
        turnoutPercent: z.number().nullable().describe('Turnout as published.'),
      })
      .describe('As published; null where the source gives no figure.'),
    derived: z
      .object({
        linesTotal: count.nullable().describe('Sum of the lines\' votes; only for a complete version with all votes.'),
        ballotsCastMinusLinesTotal: z
          .number()
          .int()
          .nullable()
          .describe('Ballots cast not counted in any line (e.g. invalid ballots); derived, not published.'),
        turnoutPercent: z.number().nullable().describe('ballotsCast / registeredVoters × 100, to 2 decimals.'),
      })
      .describe('Computed by this API from the published figures; not published by any source.'),
    percentBase: z
      .enum(percentBase.enumValues)
      .describe('The denominator of the published percentages: the sum of the lines, ballots cast, valid votes, or unknown.'),
    lines: z.array(lineSchema).describe('Sorted by votes (then percent), highest first.'),
    sources: z.array(versionSourceSchema).describe('The version\'s own source first, then any others it draws on.'),
  })
  .meta({ id: 'Results' });

export const versionParams = z.object({
  id: electionIdParam,
  n: z.coerce.number().int().min(1).max(2_147_483_647).describe('Version number.'),
});

export const versionListQuery = z.strictObject({
  limit: limitParam(50),
  cursor: cursorParam(z.tuple([z.number().int()])).optional(),
});

export const versionList = listSchema(versionSummarySchema).meta({ id: 'ResultVersionList' });

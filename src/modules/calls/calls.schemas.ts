import { z } from 'zod';
import { raceCallStatus } from '../../db/schema/index.js';
import { csvParams } from '../../formats/csv.js';
import { decimalInt } from '../../lib/integer.js';
import { cursorParam, limitParam, listSchema } from '../../lib/pagination.js';
import { slugIdParam } from '../../lib/slug.js';
import { text } from '../../lib/text.js';
import { instantParam } from '../../lib/updated-since.js';
import { contestParams } from '../contests/contests.schemas.js';
import { resultsSchema } from '../results/results.schemas.js';
import { sourceIdParam, sourceRefSchema } from '../sources/sources.schemas.js';

export const callStatusSchema = z
  .enum(raceCallStatus.enumValues)
  .describe(
    'too-early or too-close to call; called (`winners` names who won); runoff (`winners` names the candidates ' +
      'advancing to the next round); uncalled: no call stands (the retraction of an earlier one).',
  );

export const callParams = contestParams.extend({
  n: decimalInt(1, 2_147_483_647).describe("The call's number within its contest: 1 for the first, then 2, 3, ..."),
});

export const winnerSchema = z
  .object({
    kind: z
      .enum(['candidate', 'party', 'option'])
      .describe("A candidate, a party's list, or an option of a ballot question."),
    id: z.string().nullable().describe("The candidate's or the party's id; null for an option."),
    name: z.string().describe("The candidate's or the party's name, or the option's label (Yes)."),
  })
  .meta({ id: 'CallWinner' });

export const raceCallSchema = z
  .object({
    electionId: z.string(),
    contest: z.string().describe("The contest's id within the election (president, party-list, ...)."),
    version: z.number().int().positive().describe("The call's number within its contest: 1, 2, 3, ..."),
    status: callStatusSchema,
    current: z
      .boolean()
      .describe("True for the contest's newest call: the one that stands. A retraction is a newer call."),
    winners: z
      .array(winnerSchema)
      .describe('Who won (called) or who advances (runoff), in the order the caller gave; empty otherwise.'),
    calledBy: sourceRefSchema.describe('Who made the call: the electoral authority, or a named decision desk.'),
    calledAt: z.string().describe('When the caller made the call (UTC), as they state it.'),
    recordedAt: z.string().describe('When it was recorded here (UTC).'),
    note: z.string().nullable(),
    url: z.string().describe('Where this call stays readable, whatever is called later.'),
  })
  .meta({ id: 'RaceCall' });

export const callList = listSchema(raceCallSchema).meta({ id: 'RaceCallList' });

export const callListQuery = z.strictObject({
  ...csvParams,
  limit: limitParam(50),
  cursor: cursorParam(z.tuple([z.int32()])).optional(),
});

const winnerId = (what: string) => slugIdParam(what);

export const winnerInputSchema = z
  .union([
    z.strictObject({
      candidateId: winnerId('a candidate').describe('For a candidate contest: an existing candidate.'),
    }),
    z.strictObject({
      organisationId: winnerId('an organisation').describe('For a party-list contest: the party whose list won.'),
    }),
    z.strictObject({
      option: text().trim().min(1).max(200).describe('For a ballot question: the option that won, by its label (Yes).'),
    }),
  ])
  .meta({ id: 'NewCallWinner' });

export const callInputSchema = z
  .strictObject({
    status: callStatusSchema,
    winners: z
      .array(winnerInputSchema)
      .max(1000)
      .default([])
      .describe(
        "For called: the winners, at most the contest's seats (one for a question); for runoff: the two or more " +
          "candidates advancing. Each must be a line of the contest's current results when it has any. Empty for " +
          'the other statuses.',
      ),
    sourceId: sourceIdParam.describe('Who makes the call: an existing source (the electoral authority, a desk).'),
    calledAt: instantParam()
      .optional()
      .describe('When the caller made the call, RFC 3339 with an offset; when it is recorded, by default.'),
    note: text().max(2000).nullable().default(null),
  })
  .meta({
    id: 'NewRaceCall',
    example: {
      status: 'called',
      winners: [{ candidateId: 'kassym-jomart-tokayev' }],
      sourceId: 'astana-times-2022-preliminary-results',
      note: 'A majority in the first round by the preliminary result: no runoff.',
    },
  });

export type CallInput = z.output<typeof callInputSchema>;

/** The current results with the contest's current call beside them: GET /results and /contests/{c}/results. */
export const currentResultsSchema = resultsSchema
  .extend({
    call: raceCallSchema
      .nullable()
      .describe(
        "The contest's current race call (its newest), beside the figures and apart from them: null until a call " +
          'is made. Only the current results carry it; a version read by number is the figures alone.',
      ),
  })
  .meta({ id: 'CurrentResults' });

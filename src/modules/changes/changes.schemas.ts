import { z } from 'zod';
import { decimalInt } from '../../lib/integer.js';
import { limitParam } from '../../lib/pagination.js';
import { countryCodeParam } from '../countries/countries.schemas.js';
import { electionIdParam } from '../elections/elections.schemas.js';

export const changeKinds = ['results', 'call', 'election', 'candidate', 'organisation', 'source', 'area'] as const;
export const changeActions = ['created', 'updated', 'published', 'merged'] as const;

export const changeSchema = z
  .object({
    id: z.string().describe("The change's position in the feed: pass it as `since` to read what came after it."),
    at: z.string().describe('When the change was recorded (UTC).'),
    kind: z
      .enum(changeKinds)
      .describe('What changed: a result version, a race call, or an election, person, party, source or area.'),
    action: z
      .enum(changeActions)
      .describe(
        'created or updated; published: a new result version or race call; merged: a person or party recorded twice was ' +
          'merged into the record `url` names (its own id now answers 301).',
      ),
    resourceId: z.string().describe('The id of what changed (for a result version or a call, its election).'),
    electionId: z.string().nullable().describe('The election, for a result version, a call or an election.'),
    countryCode: z
      .string()
      .nullable()
      .describe('ISO 3166-1 alpha-2, for a result version, a call, an election or an area.'),
    contest: z.string().nullable().describe("A result version's or a call's contest (president, party-list, ...)."),
    version: z.number().int().nullable().describe("A result version's number, or a call's within its contest."),
    url: z.string().describe('Where to read it now.'),
  })
  .meta({ id: 'Change' });

export const changeFeedSchema = z
  .object({
    data: z.array(changeSchema).describe('Oldest first.'),
    next: z
      .string()
      .describe(
        'The cursor to ask with next (`since`): after the last change listed, or, when none matched, after ' +
          'every change this read saw. Never null: follow it forever to see each change once, in order.',
      ),
    more: z.boolean().describe('True when more changes are already there: ask again at once.'),
  })
  .meta({ id: 'ChangeFeed' });

export const changeFeedQuery = z.strictObject({
  since: decimalInt(0, Number.MAX_SAFE_INTEGER, { default: 0 })
    .default(0)
    .describe('The `next` of your last read; 0 (the default) for the start of the feed.'),
  limit: limitParam(100, 1000),
  election: electionIdParam
    .optional()
    .describe('Only the changes of this election (its results, its calls and itself).'),
  country: countryCodeParam
    .optional()
    .describe("Only the changes of this country's elections, results, calls and areas."),
  kind: z.enum(changeKinds).optional().describe('Only changes of this kind.'),
});

export const changeStreamQuery = z.strictObject({
  since: decimalInt(0, Number.MAX_SAFE_INTEGER)
    .optional()
    .describe(
      'Send the changes after this id first (a `next` of the feed, or the id of an event), then each new ' +
        'one; without it (and without Last-Event-ID), only what is committed from now on.',
    ),
  election: changeFeedQuery.shape.election,
  country: changeFeedQuery.shape.country,
  kind: changeFeedQuery.shape.kind,
});

export const changeStreamHeaders = z.object({
  'last-event-id': z
    .string()
    .regex(/^(0|[1-9][0-9]{0,15})$/, 'must be the id of an event this stream sent (a decimal integer)')
    .optional()
    .describe(
      'The id of the last event received: what a browser sends when it reconnects. The stream resumes ' +
        'after it (it wins over `since`): nothing missed, nothing twice.',
    ),
});

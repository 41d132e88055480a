import { z } from 'zod';
import { slugIdParam } from '../../lib/slug.js';

/** The body of a merge: which record stays (an example id of the kind, for the document). */
export const mergeBody = (id: string, example: string) =>
  z
    .strictObject({
      into: slugIdParam('a record').describe('The id of the record that stays; this one is merged into it.'),
    })
    .meta({
      id,
      description: 'Which record stays when two records are the same person or party.',
      example: { into: example },
    });

export const mergeResult = z
  .object({
    id: z.string().describe('The record that stays.'),
    mergedFrom: z.string().describe('The id merged away: it now answers 301 to the record that stays.'),
    location: z.string().describe('The URL of the record that stays.'),
  })
  .meta({ id: 'MergeResult' });

/** The answer for an id merged away: 301 to the record it became. */
export const movedResponse = {
  301: {
    description:
      'This id was merged into another record: Location is its URL, with the rest of the path and the query.',
    content: { 'application/json': { schema: mergeResult } },
  },
};

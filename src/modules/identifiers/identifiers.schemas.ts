import { z } from 'zod';
import { identifierScheme } from '../../db/schema/index.js';
import { sourceRefSchema } from '../sources/sources.schemas.js';

/** The schemes stored in external_ids, and an area's ISO 3166-2 code (its isoCode column). */
export const IDENTIFIER_SCHEMES = [...identifierScheme.enumValues, 'iso-3166-2'] as const;
export type IdentifierScheme = (typeof IDENTIFIER_SCHEMES)[number];

export const identifierSchema = z
  .object({
    scheme: z
      .enum(IDENTIFIER_SCHEMES)
      .describe('wikidata (Q-id), ocd-id, parlgov, electionguide (IFES ElectionGuide), iso-3166-2.'),
    value: z.string().describe('The id in that dataset, e.g. Q1234, 3257, KZ-71.'),
    url: z.string().nullable().describe("The record's page in that dataset, where it has one."),
    source: sourceRefSchema.nullable().describe('Where the id was found (an ISO 3166-2 code: the area’s own source).'),
  })
  .meta({ id: 'ExternalIdentifier' });

export const identifiersField = z
  .array(identifierSchema)
  .describe("The record's ids in other datasets, to join on: empty when no source gives one.");

/** Look-up parameters of a list: by Wikidata id, or by any scheme's id. */
export const lookupParams = {
  wikidata: z
    .string()
    .regex(/^Q[1-9][0-9]{0,11}$/, 'must be a Wikidata item id, e.g. Q1234')
    .optional()
    .describe('Only the record with this Wikidata id (none when no record has it).'),
  identifier: z
    .string()
    .max(200)
    .regex(
      new RegExp(`^(${IDENTIFIER_SCHEMES.join('|')}):\\S+$`),
      `must be scheme:value with a scheme of ${IDENTIFIER_SCHEMES.join(', ')}`,
    )
    .optional()
    .describe(
      'Only the record with this id in another dataset, as scheme:value (electionguide:3257, iso-3166-2:KZ-71).',
    ),
};

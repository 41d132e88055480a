import { z } from 'zod';
import { csvParams } from '../../formats/csv.js';
import { cursorParam, limitParam, listSchema } from '../../lib/pagination.js';
import { SUBJECT_KINDS } from './search.repository.js';

export const searchQueryParam = z
  .string()
  .min(1)
  .max(100)
  .describe(
    'A name as you would type it, in any script or spelling: "tokaev", "Токаев", "Тоқаев", "TOKAYEV kassym", ' +
      '"tokayv". Every stored name, in every language, is compared after folding both to one Latin spelling.',
  );

const searchKind = z.enum(SUBJECT_KINDS);

export const searchQuery = z.strictObject({
  q: searchQueryParam,
  kind: searchKind.optional().describe('Only records of this kind: person, party (any organisation), area, election.'),
  ...csvParams,
  limit: limitParam(20),
  cursor: cursorParam(z.tuple([z.number().min(0).max(1), searchKind, z.string().max(200)])).optional(),
});

export const searchHitSchema = z
  .object({
    kind: searchKind,
    id: z.string(),
    name: z
      .string()
      .describe(
        "The record's name in English; for an election, the title a source gives it, else its title in " +
          '/v1/elections ("Kazakhstan presidential election, 20 November 2022").',
      ),
    url: z.string().describe('Where the record is, e.g. /v1/candidates/kassym-jomart-tokayev.'),
    match: z
      .object({
        name: z.string().describe('The stored name that matched best, as its source prints it.'),
        lang: z.string().describe('Its language (BCP 47: en, kk, kk-Latn, ru, uk…).'),
      })
      .describe('Why the record is in the list.'),
    score: z
      .number()
      .min(0)
      .max(1)
      .describe('How close the match is: 1 for an exact match of a whole name, less for a part, a variant or a typo.'),
  })
  .meta({ id: 'SearchHit' });

export const searchList = listSchema(searchHitSchema).meta({ id: 'SearchHitList' });

export const searchColumns = ['kind', 'id', 'name', 'url', 'matchedName', 'matchedLang', 'score'] as const;

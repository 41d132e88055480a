import { languageParams, namesField } from '../names/names.view.js';
import { z } from 'zod';
import { patchBody } from '../../lib/patch.js';
import { text } from '../../lib/text.js';
import { csvParams } from '../../formats/csv.js';
import { cursorParam, limitParam, listSchema } from '../../lib/pagination.js';
import { identifiersField, lookupParams } from '../identifiers/identifiers.schemas.js';
import { searchQueryParam } from '../search/search.schemas.js';
import { isoDate } from '../elections/elections.schemas.js';
import { sourceIdParam, sourceRefSchema } from '../sources/sources.schemas.js';
import { candidateIdParam, voteShareSchema } from '../vote-shares/vote-shares.schemas.js';
import { updatedSinceParam } from '../../lib/updated-since.js';

const candidateSchema = z
  .object({
    id: z.string().describe('Slug of the name, e.g. kassym-jomart-tokayev.'),
    name: z
      .string()
      .describe('In the language asked for (`lang`, else Accept-Language) where a source gives it; else English.'),
    note: z.string().nullable(),
    source: sourceRefSchema.describe('Where the person is named.'),
    identifiers: identifiersField,
    names: namesField,
  })
  .meta({ id: 'Candidate' });

export const candidateDetailSchema = candidateSchema
  .extend({
    voteShares: z
      .array(voteShareSchema)
      .describe("The candidate's lines in every result version, oldest polling day first: one page of `limit`."),
    voteSharesNext: z
      .string()
      .nullable()
      .describe('Cursor for the next page of voteShares (pass as `cursor`), or null on the last page.'),
  })
  .meta({ id: 'CandidateDetail' });

export const candidateDetailQuery = z.strictObject({
  ...languageParams,
  limit: limitParam(50),
  cursor: cursorParam(z.tuple([isoDate, z.string(), z.int32(), z.int32()]))
    .optional()
    .describe("Opaque cursor from the previous page's `voteSharesNext`."),
});

export const candidateListQuery = z.strictObject({
  q: searchQueryParam.optional(),
  updatedSince: updatedSinceParam,
  ...lookupParams,
  ...languageParams,
  ...csvParams,
  limit: limitParam(20),
  cursor: cursorParam(z.union([z.tuple([z.string()]), z.tuple([z.number().min(0).max(1), z.string()])])).optional(),
});

export const candidateParams = z.object({ id: candidateIdParam });

export const candidateList = listSchema(candidateSchema).meta({ id: 'CandidateList' });

const candidateFields = {
  name: text().trim().min(1).max(300),
  note: text().max(2000).nullable().default(null),
  sourceId: sourceIdParam.describe('The source naming the person; must exist.'),
};

export const candidateCreateBody = z
  .strictObject({
    id: candidateIdParam.optional().describe('Readable id; by default a slug of the name.'),
    ...candidateFields,
  })
  .meta({
    id: 'CandidateCreate',
    example: {
      name: 'Example Candidate (synthetic example)',
      note: 'Made up for the API reference: the seeded 2022 candidates exist already.',
      sourceId: 'kazinform-2022-cec-final-results',
    },
  });

export const candidatePatchBody = patchBody(candidateFields).meta({
  id: 'CandidatePatch',
  description:
    'The fields to change; the id stays. A new name keeps the old one searchable, as a variant; the ' +
    "person's other names and identifiers stay as they are.",
  example: { note: 'Also known by his patronymic, Kemelevich.' },
});

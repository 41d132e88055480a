import { z } from 'zod';
import { patchBody } from '../../lib/patch.js';
import { text } from '../../lib/text.js';
import { slugIdParam } from '../../lib/slug.js';
import { sourceKind } from '../../db/schema/index.js';
import { csvParams } from '../../formats/csv.js';
import { cursorParam, limitParam, listSchema } from '../../lib/pagination.js';
import { updatedSinceParam } from '../../lib/updated-since.js';

export const sourceIdParam = slugIdParam('a source');

const dateOrDateTime = z
  .string()
  .describe('ISO 8601 date (2022-11-21) or date-time with offset, as precise as the source states it.');

export const sourceSchema = z
  .object({
    id: z.string(),
    publisher: z.string(),
    title: z.string().nullable().describe('Null when the title is not recorded.'),
    url: z.string().nullable().describe('Null when the source has no recorded address (e.g. a print article).'),
    published: dateOrDateTime.nullable().describe('Publication date or time; null when not recorded.'),
    kind: z.enum(sourceKind.enumValues).describe('official: the authority itself; news: a report of it.'),
    language: z.string().nullable().describe('BCP 47 language tag of the source.'),
    note: z.string().nullable().describe('What the source contains, in words.'),
    terms: z
      .string()
      .nullable()
      .describe(
        'The terms its figures may be reused under, as the source states them: an SPDX id (CC-BY-4.0) or ' +
          "the source's own words. Null: not recorded here; check the source before reusing more than facts.",
      ),
    termsUrl: z.string().nullable().describe('Where the source states its terms; null when not recorded.'),
    attribution: z
      .string()
      .nullable()
      .describe('The credit line the source asks reusers to print; null when it states none.'),
  })
  .meta({ id: 'Source' });

/** The short form of a source, embedded wherever a record cites one. */
export const sourceRefSchema = sourceSchema
  .pick({ id: true, publisher: true, title: true, url: true })
  .meta({ id: 'SourceRef' });

export const sourceListQuery = z.strictObject({
  updatedSince: updatedSinceParam,
  ...csvParams,
  limit: limitParam(50),
  cursor: cursorParam(z.tuple([z.string()])).optional(),
});

export const sourceParams = z.object({ id: sourceIdParam });

export const sourceList = listSchema(sourceSchema).meta({ id: 'SourceList' });

// 35 characters: a date-time to the nanosecond with its offset (2022-11-22T04:38:00.123456789+09:00).
const isoDateOrDateTime = z.union([z.iso.date(), z.iso.datetime({ offset: true }).max(35)]);

const sourceFields = {
  publisher: text().trim().min(1).max(200),
  title: text().trim().min(1).max(500).nullable().default(null),
  url: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .nullable()
    .default(null),
  published: isoDateOrDateTime
    .nullable()
    .default(null)
    .describe('ISO 8601 date or date-time with offset, as precise as the source states it.'),
  kind: z.enum(sourceKind.enumValues),
  language: z
    .string()
    .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a BCP 47 tag such as en or ru')
    // RFC 5646 §4.4.1: 35 characters hold any tag in practical use.
    .max(35)
    .nullable()
    .default(null),
  note: text().max(2000).nullable().default(null),
  terms: text()
    .trim()
    .min(1)
    .max(200)
    .nullable()
    .default(null)
    .describe("The reuse terms the source states: an SPDX id (CC-BY-4.0) or the source's own words."),
  termsUrl: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .nullable()
    .default(null)
    .describe('Where the source states its terms.'),
  attribution: text().trim().min(1).max(500).nullable().default(null).describe('The credit line the source asks for.'),
};

export const sourceCreateBody = z
  .strictObject({
    id: sourceIdParam.optional().describe('Readable id; by default a slug of the publisher and title.'),
    ...sourceFields,
  })
  .meta({
    id: 'SourceCreate',
    example: {
      publisher: 'Kazinform',
      title: 'CEC announces final results of Nov 20 presidential election',
      url: 'https://www.inform.kz/en/cec-announces-final-results-of-nov-20-presidential-election_a4004726',
      published: '2022-11-22',
      kind: 'news',
      language: 'en',
      note: 'Reports the final results adopted by the CEC.',
    },
  });

export const sourcePatchBody = patchBody(sourceFields).meta({
  id: 'SourcePatch',
  description:
    'The fields to change; the id stays (every figure citing the source keeps citing it). Record here ' +
    'the reuse terms and credit line a source states.',
  example: { terms: 'CC-BY-4.0', attribution: 'Source: Example Agency' },
});

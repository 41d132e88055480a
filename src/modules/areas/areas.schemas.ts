import { languageParams, namesField } from '../names/names.view.js';
import { identifiersField, lookupParams } from '../identifiers/identifiers.schemas.js';
import { z } from 'zod';
import { patchBody } from '../../lib/patch.js';
import { areaLevel } from '../../db/schema/index.js';
import { csvParams } from '../../formats/csv.js';
import { cursorParam, limitParam, listSchema } from '../../lib/pagination.js';
import { text } from '../../lib/text.js';
import { countryCodeParam } from '../countries/countries.schemas.js';
import { isoDate } from '../elections/elections.schemas.js';
import { sourceIdParam, sourceRefSchema } from '../sources/sources.schemas.js';
import { updatedSinceParam } from '../../lib/updated-since.js';

export const AREA_ID_PATTERN = /^[a-z]{2}(-[a-z0-9]+)*$/;

export const areaIdParam = z
  .string()
  .max(200)
  .regex(AREA_ID_PATTERN, 'must be an area id like kz or kz-abai: the country code, then lower-case words')
  .describe('Readable area id: the country\'s ISO code ("kz"), or "{country}-{name}" ("kz-abai").');

export const areaLevelParam = z.enum(areaLevel.enumValues);

export const areaSchema = z
  .object({
    id: z.string(),
    countryCode: z.string().length(2),
    parentId: z.string().nullable().describe('The area this one is within; null for a country.'),
    level: areaLevelParam,
    name: z
      .string()
      .describe('In the language asked for (`lang`, else Accept-Language) where a source gives it; else English.'),
    isoCode: z.string().nullable().describe('ISO 3166-2 code, where one exists.'),
    authorityCode: z.string().nullable().describe("The electoral authority's own code, when given."),
    validFrom: z.string().nullable().describe('The day the area came into being; null when no source gives it.'),
    validTo: z.string().nullable().describe('The last day it existed; null while it exists (or when unknown).'),
    note: z.string().nullable(),
    source: sourceRefSchema.nullable().describe("Where the area is described; null for a country's own area."),
    identifiers: identifiersField,
    names: namesField,
  })
  .meta({ id: 'Area' });

export const areaDetailQuery = z.strictObject({ ...languageParams });

export const areaListQuery = z.strictObject({
  q: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe('Part of the name or id, or an ISO 3166-2 code; case- and accent-insensitive.'),
  country: countryCodeParam.optional(),
  level: areaLevelParam.optional(),
  parent: areaIdParam.optional().describe('Only the areas directly within this one; unknown ids are a 400.'),
  validOn: isoDate.optional().describe('Only the areas that existed on this day (YYYY-MM-DD).'),
  updatedSince: updatedSinceParam,
  ...lookupParams,
  ...languageParams,
  ...csvParams,
  limit: limitParam(50, 250),
  cursor: cursorParam(z.tuple([z.string()])).optional(),
});

export const areaParams = z.object({ id: areaIdParam });

export const areaList = listSchema(areaSchema).meta({ id: 'AreaList' });

const areaFields = {
  name: text().trim().min(1).max(200),
  isoCode: z
    .string()
    .regex(/^[A-Z]{2}-[A-Z0-9]{1,3}$/)
    .nullable()
    .default(null)
    .describe("ISO 3166-2 code; must be one of the country's."),
  authorityCode: text().trim().min(1).max(100).nullable().default(null),
  validFrom: isoDate.nullable().default(null),
  validTo: isoDate.nullable().default(null),
  note: text().max(2000).nullable().default(null),
  sourceId: sourceIdParam.describe('The source describing the area; must exist.'),
};

export const areaCreateBody = z
  .strictObject({
    id: areaIdParam.optional().describe('Readable id; by default "{parent\'s country}-{slug of the name}".'),
    parentId: areaIdParam.describe('The area this one is within; must exist.'),
    level: areaLevelParam,
    ...areaFields,
  })
  .meta({
    id: 'AreaCreate',
    example: {
      parentId: 'kz-abai',
      level: 'district',
      name: 'Semey (synthetic example)',
      authorityCode: 'SEM-01',
      sourceId: 'kazinform-2022-06-08-new-regions-on-the-map',
    },
  });

export const areaPatchBody = patchBody(areaFields).meta({
  id: 'AreaPatch',
  description:
    'The fields to change. The id, parent and level stay: results are checked against the hierarchy they ' +
    "were published in. A country's own area follows ISO 3166-1 and is not edited. A new name keeps the " +
    'old one searchable, as a variant.',
  example: { authorityCode: '10', note: "Code of the CEC's 2022 list." },
});

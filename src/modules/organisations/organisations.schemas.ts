import { z } from 'zod';
import { text } from '../../lib/text.js';
import { slugIdParam } from '../../lib/slug.js';
import { formatParam } from '../../formats/csv.js';
import { cursorParam, limitParam, listSchema } from '../../lib/pagination.js';
import { sourceIdParam, sourceRefSchema } from '../sources/sources.schemas.js';

const organisationIdParam = slugIdParam('an organisation');

export const organisationSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    source: sourceRefSchema.describe('Where the organisation is named.'),
  })
  .meta({ id: 'Organisation' });

export const organisationListQuery = z.strictObject({
  format: formatParam,
  limit: limitParam(50),
  cursor: cursorParam(z.tuple([z.string()])).optional(),
});

export const organisationParams = z.object({ id: organisationIdParam });

export const organisationList = listSchema(organisationSchema).meta({ id: 'OrganisationList' });

export const organisationCreateBody = z
  .strictObject({
    id: organisationIdParam.optional().describe('Readable id; by default a slug of the name.'),
    name: text().trim().min(1).max(300),
    sourceId: sourceIdParam.describe('The source naming the organisation; must exist.'),
  })
  .meta({
    id: 'OrganisationCreate',
    example: { name: 'Auyl Party', sourceId: 'astana-times-2022-preliminary-results' },
  });

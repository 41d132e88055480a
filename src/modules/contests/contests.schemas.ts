import { z } from 'zod';
import { contestKind } from '../../db/schema/index.js';
import { csvParams } from '../../formats/csv.js';
import { cursorParam, limitParam, listSchema } from '../../lib/pagination.js';
import { slugIdParam } from '../../lib/slug.js';
import { text } from '../../lib/text.js';
import { areaIdParam } from '../areas/areas.schemas.js';
import { currentResultsSchema, electionIdParam } from '../elections/elections.schemas.js';
import { areaRefSchema } from '../results/results.schemas.js';
import { sourceIdParam } from '../sources/sources.schemas.js';

export const contestIdParam = slugIdParam('a contest', 'party-list').describe(
  'Readable contest id under its election: president, party-list, question-1, district-12.',
);

export const contestParams = z.object({ id: electionIdParam, contest: contestIdParam });

export const contestSchema = z
  .object({
    id: z.string().describe('Readable and stable under its election.'),
    electionId: z.string(),
    name: z.string(),
    kind: z.enum(contestKind.enumValues).describe('candidate (people by name), party-list, or ballot-question.'),
    seats: z.number().int().nullable().describe('Seats or winners; null for a ballot question.'),
    thresholdPercent: z.number().nullable().describe('The share a party list needs for seats, where the law sets one.'),
    main: z.boolean().describe('The one /v1/elections/{id}/results serves.'),
    area: areaRefSchema.describe('The area whose voters decide it.'),
    note: z.string().nullable(),
    currentResults: currentResultsSchema.nullable().describe('Its newest result version, or null before any.'),
    resultsUrl: z.string().describe('Where its results are.'),
  })
  .meta({ id: 'Contest' });

export const contestListQuery = z.strictObject({
  ...csvParams,
  limit: limitParam(50),
  cursor: cursorParam(z.tuple([z.boolean(), z.string()])).optional(),
});

export const contestList = listSchema(contestSchema).meta({ id: 'ContestList' });

export const contestCreateBody = z
  .strictObject({
    id: contestIdParam,
    name: text().trim().min(1).max(300),
    kind: z.enum(contestKind.enumValues),
    areaId: areaIdParam.describe(
      "The area whose voters decide it (the country, a district); must exist in the election's country.",
    ),
    seats: z.number().int().min(1).max(10_000).nullable().default(null),
    thresholdPercent: z.number().min(0).max(100).nullable().default(null),
    note: text().max(2000).nullable().default(null),
    sourceId: sourceIdParam.describe('The source naming the contest; must exist.'),
  })
  .meta({
    id: 'ContestCreate',
    description: 'A contest besides the main one, which every election has from the start.',
    example: {
      id: 'district-1',
      name: 'Single-member district No. 1',
      kind: 'candidate',
      areaId: 'kz-abai',
      seats: 1,
      sourceId: 'astana-times-2023-03-27-final-results',
    },
  });

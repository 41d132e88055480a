import { languageParams, namesField } from '../names/names.view.js';
import { identifiersField, lookupParams } from '../identifiers/identifiers.schemas.js';
import { z } from 'zod';
import { patchBody } from '../../lib/patch.js';
import { text } from '../../lib/text.js';
import { slugIdParam } from '../../lib/slug.js';
import {
  contestKind,
  electionType,
  organisationKind,
  outcome,
  percentBase,
  selectionKind,
} from '../../db/schema/index.js';
import { csvParams } from '../../formats/csv.js';
import { cursorParam, limitParam, listSchema } from '../../lib/pagination.js';
import { isoDate, statusEnum } from '../elections/elections.schemas.js';
import { sourceIdParam, sourceRefSchema } from '../sources/sources.schemas.js';
import { updatedSinceParam } from '../../lib/updated-since.js';

const organisationIdParam = slugIdParam('an organisation', 'amanat');

const COLOUR = /^#[0-9a-fA-F]{6}$/;

const membershipSchema = z
  .object({
    id: z.string().describe('The organisation id.'),
    name: z.string(),
    sourceId: z.string().describe('The source that gives the membership.'),
  })
  .meta({ id: 'OrganisationMembership' });

export const organisationSchema = z
  .object({
    id: z.string(),
    name: z
      .string()
      .describe(
        'The full name as the sources print it: in the language asked for (`lang`, else Accept-Language) ' +
          'where a source gives it, else in English.',
      ),
    kind: z
      .enum(organisationKind.enumValues)
      .nullable()
      .describe(
        'party, public-association (a nominating body that is not a party), alliance, or other; null when not recorded.',
      ),
    shortName: z
      .string()
      .nullable()
      .describe('The name charts and tables use, e.g. "Amanat"; null when none is recorded.'),
    abbreviation: z.string().nullable().describe('The initials the organisation goes by, e.g. "JSDP"; null when none.'),
    colour: z
      .string()
      .nullable()
      .describe('The colour charts draw it in, as #rrggbb (lower case); null unless a source gives one.'),
    colourSource: sourceRefSchema.nullable().describe('The source of the colour; null when there is no colour.'),
    source: sourceRefSchema.describe('Where the organisation is named.'),
    members: z
      .array(membershipSchema)
      .describe('For an alliance: its member organisations, by id, each with the source of the membership; else [].'),
    memberOf: z.array(membershipSchema).describe('The alliances this organisation belongs to, by id; [] when none.'),
    identifiers: identifiersField,
    names: namesField,
  })
  .meta({
    id: 'Organisation',
    example: {
      id: 'peoples-party-of-kazakhstan',
      name: "People's Party of Kazakhstan",
      kind: 'party',
      shortName: "People's Party",
      abbreviation: 'QHP',
      colour: null,
      colourSource: null,
      source: {
        id: 'astana-times-2023-03-27-final-results',
        publisher: 'The Astana Times',
        title: null,
        url: 'https://astanatimes.com/2023/03/six-parties-elected-to-parliament-according-to-final-results-of-central-election-commission/',
      },
      members: [],
      memberOf: [],
      identifiers: [],
    },
  });

export const organisationDetailQuery = z.strictObject({ ...languageParams });

export const organisationListQuery = z.strictObject({
  updatedSince: updatedSinceParam,
  ...lookupParams,
  ...languageParams,
  ...csvParams,
  limit: limitParam(50),
  cursor: cursorParam(z.tuple([z.string()])).optional(),
});

export const organisationParams = z.object({ id: organisationIdParam });

export const organisationList = listSchema(organisationSchema).meta({ id: 'OrganisationList' });

const organisationFields = {
  name: text().trim().min(1).max(300).describe('The full name in English, as the source prints it.'),
  kind: z
    .enum(organisationKind.enumValues)
    .nullable()
    .default(null)
    .describe('party, public-association, alliance or other; null (the default) when the source does not say.'),
  shortName: text().trim().min(1).max(100).nullable().default(null).describe('The short name charts and tables use.'),
  abbreviation: text().trim().min(1).max(30).nullable().default(null).describe('The initials it goes by.'),
  colour: z
    .string()
    .regex(COLOUR, 'must be a colour as #rrggbb')
    .transform((c) => c.toLowerCase())
    .nullable()
    .default(null)
    .describe('The colour charts draw it in, as #rrggbb; needs colourSourceId.'),
  colourSourceId: sourceIdParam
    .nullable()
    .default(null)
    .describe(
      'The source that gives the colour (the party itself, an authority); required with colour, and only with it; must exist.',
    ),
  sourceId: sourceIdParam.describe('The source naming the organisation; must exist.'),
};

export const organisationCreateBody = z
  .strictObject({
    id: organisationIdParam.optional().describe('Readable id; by default a slug of the name.'),
    ...organisationFields,
    members: z
      .array(
        z.strictObject({
          memberId: organisationIdParam.describe('A member organisation; must exist and not be the alliance itself.'),
          sourceId: sourceIdParam.describe('The source that lists it as a member; must exist.'),
        }),
      )
      .max(200)
      .default([])
      .describe('Only for kind alliance: its members, each named once.'),
  })
  .meta({
    id: 'OrganisationCreate',
    description:
      'An unknown sourceId is a 404. The other rules answer 422 naming each offending field: a colour ' +
      'without colourSourceId (or the reverse), an unknown colourSourceId, members for an organisation ' +
      'that is not an alliance, an unknown member or membership source, a member named twice or the ' +
      'alliance itself as a member.',
    example: {
      id: 'example-alliance',
      name: 'Example Alliance (synthetic example)',
      kind: 'alliance',
      shortName: 'Example Alliance',
      abbreviation: 'EA',
      colour: '#2e7d32',
      colourSourceId: 'wikipedia-2023-kazakh-legislative-election',
      members: [
        { memberId: 'ak-zhol', sourceId: 'wikipedia-2023-kazakh-legislative-election' },
        { memberId: 'peoples-party-of-kazakhstan', sourceId: 'wikipedia-2023-kazakh-legislative-election' },
      ],
      sourceId: 'wikipedia-2023-kazakh-legislative-election',
    },
  });

export const organisationResultSchema = z
  .object({
    id: z.number().int().describe('The line id, as in /v1/vote-shares.'),
    electionId: z.string(),
    countryCode: z.string(),
    date: z.string().describe('Polling day.'),
    type: z.enum(electionType.enumValues),
    round: z.number().int().describe('1, or 2 for a runoff.'),
    contest: z.string().describe('The contest id under its election: party-list, president, chamber.'),
    contestName: z.string(),
    contestKind: z.enum(contestKind.enumValues),
    contestSeats: z.number().int().nullable().describe('Seats the contest fills (its total), where set.'),
    areaId: z
      .string()
      .describe("The contest's own area (the country for a national contest): the line's figures are its."),
    version: z.number().int(),
    status: statusEnum,
    preliminary: z.boolean().describe('True while the status is unofficial: the figures may change.'),
    current: z.boolean().describe("True when the line belongs to its contest's newest version."),
    asOf: z.string().nullable(),
    kind: z.enum(selectionKind.enumValues).describe('party (its list) or candidate (a candidate it nominated).'),
    candidateId: z.string().nullable().describe('For a candidate line: the nominee.'),
    candidateName: z.string().nullable(),
    votes: z.number().int().nonnegative().nullable().describe('Null when the source gives no count.'),
    percent: z.number().nullable().describe('The share as published, of percentBase.'),
    percentBase: z.enum(percentBase.enumValues),
    rank: z.number().int().nullable(),
    outcome: z.enum(outcome.enumValues).nullable(),
    seats: z.number().int().nonnegative().nullable().describe('Seats won, where published.'),
    sourceId: z.string().describe('The source of the version, at /v1/sources/{sourceId}.'),
  })
  .meta({
    id: 'OrganisationResult',
    example: {
      id: 1201,
      electionId: 'kz.parliamentary.2023-03-19',
      countryCode: 'KZ',
      date: '2023-03-19',
      type: 'parliamentary',
      round: 1,
      contest: 'party-list',
      contestName: 'Party lists (nationwide)',
      contestKind: 'party-list',
      contestSeats: 69,
      areaId: 'kz',
      version: 3,
      status: 'certified',
      preliminary: false,
      current: true,
      asOf: '2023-03-27',
      kind: 'party',
      candidateId: null,
      candidateName: null,
      votes: 3431510,
      percent: 53.9,
      percentBase: 'lines-total',
      rank: null,
      outcome: 'elected',
      seats: 40,
      sourceId: 'astana-times-2023-03-27-final-results',
    },
  });

export const organisationResultsQuery = z.strictObject({
  versions: z
    .enum(['current', 'all'])
    .default('current')
    .describe("current (default): each contest's newest version; all: every version."),
  contestKind: z
    .enum(contestKind.enumValues)
    .optional()
    .describe('Only contests of this kind: candidate, party-list or ballot-question.'),
  ...csvParams,
  limit: limitParam(50),
  cursor: cursorParam(z.tuple([isoDate, z.int32()])).optional(),
});

export const organisationResultList = listSchema(organisationResultSchema).meta({ id: 'OrganisationResultList' });

export const organisationPatchBody = patchBody(organisationFields).meta({
  id: 'OrganisationPatch',
  description:
    'The fields to change; the id and the members stay. The rules of OrganisationCreate hold for the ' +
    'result (a colour with its source; an alliance with members stays an alliance). A new name keeps ' +
    'the old one searchable, as a variant.',
  example: { colour: '#1565c0', colourSourceId: 'wikipedia-2023-kazakh-legislative-election' },
});

// An organisation and its results across elections as the API shows them (JSON and CSV).
import type { Db } from '../../db/client.js';
import { isPreliminary } from '../../db/schema/index.js';
import type { Listing } from '../../formats/list.js';
import { identifierCell, narrowedTo } from '../identifiers/identifiers.repository.js';
import {
  findOrganisation,
  listOrganisationResults,
  listOrganisations,
  type Membership,
  type OrganisationResultFilter,
  type OrganisationResultRow,
  type OrganisationRow,
} from './organisations.repository.js';

// The first four as before the kinds and colours: new columns go at the end.
export const organisationColumns = [
  'id',
  'name',
  'sourceId',
  'sourcePublisher',
  'kind',
  'shortName',
  'abbreviation',
  'colour',
  'colourSourceId',
  'members',
  'memberOf',
  'identifiers',
] as const;

/** Ids joined by spaces: a slug id holds none, and a spreadsheet splits them with one formula. */
const idList = (list: Membership[]) => list.map((m) => m.id).join(' ');

function toOrganisationCsvRow({ source, colourSource, members, memberOf, identifiers, ...o }: OrganisationRow) {
  return {
    ...o,
    identifiers: identifierCell(identifiers),
    sourceId: source.id,
    sourcePublisher: source.publisher,
    colourSourceId: colourSource?.id ?? null,
    members: idList(members),
    memberOf: idList(memberOf),
  };
}

/** Every organisation, in id order. */
export const organisationListing = (
  db: Db,
  only?: string | null,
  shown: (rows: OrganisationRow[]) => Promise<OrganisationRow[]> = async (rows) => rows,
  since?: string,
): Listing<OrganisationRow, [string]> => ({
  fetch: async (after, limit) =>
    shown(
      await narrowedTo(
        only,
        (after: [string] | undefined, limit) => listOrganisations(db, { after: after?.[0], limit, since }),
        (id) => findOrganisation(db, id),
      )(after, limit),
    ),
  key: (r) => [r.id],
  csv: { filename: 'organisations.csv', columns: organisationColumns, row: toOrganisationCsvRow },
});

export const organisationResultColumns = [
  'id',
  'electionId',
  'countryCode',
  'date',
  'type',
  'round',
  'contest',
  'contestName',
  'contestKind',
  'contestSeats',
  'areaId',
  'version',
  'status',
  'preliminary',
  'current',
  'asOf',
  'kind',
  'candidateId',
  'candidateName',
  'votes',
  'percent',
  'percentBase',
  'rank',
  'outcome',
  'seats',
  'sourceId',
] as const;

// The row read for this request, completed in place: a copy made with a spread is slower to serialise.
const toOrganisationResult = (row: OrganisationResultRow) =>
  Object.assign(row, { preliminary: isPreliminary(row.status) });

/** An organisation's lines across elections, oldest polling day first. */
export const organisationResultListing = (
  db: Db,
  organisationId: string,
  filter: Omit<OrganisationResultFilter, 'after' | 'limit'>,
): Listing<OrganisationResultRow, [string, number], ReturnType<typeof toOrganisationResult>> => ({
  fetch: (after, limit) => listOrganisationResults(db, organisationId, { ...filter, after, limit }),
  key: (r) => [r.date, r.id],
  item: toOrganisationResult,
  csv: { filename: `${organisationId}-results.csv`, columns: organisationResultColumns },
});

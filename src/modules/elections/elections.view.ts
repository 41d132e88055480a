// An election as the API shows it (JSON and CSV), and the election list that /v1/elections and
// /v1/countries/{code}/elections both answer.
import type { z } from 'zod';
import type { Db } from '../../db/client.js';
import { isPreliminary } from '../../db/schema/index.js';
import type { Listing } from '../../formats/list.js';
import { identifierCell, narrowedTo } from '../identifiers/identifiers.repository.js';
import { type ElectionFilter, type ElectionRow, findElection, listElections } from './elections.repository.js';
import type { electionSchema } from './elections.schemas.js';

export type Election = z.output<typeof electionSchema>;

const longDate = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** The readable title built from the country, type, round and date (the schema's `title`). */
export function electionTitle(e: { countryName: string; type: string; round: number; date: string }): string {
  const round = e.round > 1 ? `, round ${e.round}` : '';
  const what = e.type === 'referendum' ? 'referendum' : `${e.type} election`;
  return `${e.countryName} ${what}${round}, ${longDate.format(new Date(e.date))}`;
}

export function toElection({
  election: e,
  countryName,
  nextRoundId,
  source,
  current,
  identifiers,
}: ElectionRow): Election {
  return {
    id: e.id,
    title: electionTitle({ countryName, type: e.type, round: e.round, date: e.date }),
    country: { code: e.countryCode, name: countryName },
    type: e.type,
    date: e.date,
    snap: e.snap,
    round: e.round,
    previousRoundId: e.previousRoundId,
    nextRoundId,
    termEndYear: e.termEndYear,
    candidateCount: e.candidateCount,
    note: e.note,
    source,
    currentResults: current
      ? {
          version: current.number,
          status: current.status,
          preliminary: isPreliminary(current.status),
          asOf: current.asOf,
          complete: current.complete,
        }
      : null,
    identifiers,
  };
}

export const electionColumns = [
  'id',
  'title',
  'countryCode',
  'countryName',
  'type',
  'date',
  'snap',
  'round',
  'previousRoundId',
  'termEndYear',
  'candidateCount',
  'note',
  'sourceId',
  'sourcePublisher',
  'sourceUrl',
  'currentVersion',
  'currentStatus',
  'preliminary',
  'currentAsOf',
  'currentComplete',
  'nextRoundId',
  'identifiers',
] as const;

function toElectionCsvRow(row: ElectionRow) {
  const { country, source, currentResults: c, identifiers, ...e } = toElection(row);
  return {
    ...e,
    identifiers: identifierCell(identifiers),
    countryCode: country.code,
    countryName: country.name,
    sourceId: source.id,
    sourcePublisher: source.publisher,
    sourceUrl: source.url,
    currentVersion: c?.version,
    currentStatus: c?.status,
    preliminary: c?.preliminary,
    currentAsOf: c?.asOf,
    currentComplete: c?.complete,
  };
}

/** Elections matching `filter`, newest polling day first. */
export const electionListing = (
  db: Db,
  filter: Omit<ElectionFilter, 'after' | 'limit'>,
  only?: string | null,
): Listing<ElectionRow, [string, string], Election> => ({
  fetch: (after, limit) =>
    narrowedTo(
      only,
      (after: [string, string] | undefined, limit) => listElections(db, { ...filter, after, limit }),
      (id) => findElection(db, id),
    )(after, limit),
  key: (r) => [r.election.date, r.election.id],
  item: toElection,
  csv: { filename: 'elections.csv', columns: electionColumns, row: toElectionCsvRow },
});

import { and, asc, eq, gt, gte, lte, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { isCurrent } from '../results/results.repository.js';
import type { Db } from '../../db/client.js';
import { type FilterPlaceholders, preparedFilters } from '../../db/prepared.js';
import { yearRange } from '../../lib/year-range.js';
import {
  areas,
  candidates,
  contests,
  elections,
  organisations,
  resultAreas,
  resultVersions,
  voteShares,
} from '../../db/schema/index.js';

type Status = (typeof resultVersions.$inferSelect)['status'];

export interface VoteShareFilter {
  country?: string;
  election?: string;
  candidate?: string;
  /** The organisation behind the line: a party, or a candidate's nominator. */
  party?: string;
  /** Lines for this area: a contest's own area, or one of a version's areas. */
  area?: string;
  contestKind?: (typeof contests.$inferSelect)['kind'];
  /** One contest of the election (with `election`). */
  contest?: string;
  year?: number;
  status?: Status;
  versions: 'current' | 'all';
  /** One version of the contest (with `election`), e.g. for a CSV of /results. */
  versionNumber?: number;
}

// The names of a line's area, candidate and nominator are looked up in the select list rather than
// joined: with four more joins, PostgreSQL spent longer choosing a join order than running the
// statement, on every execution it plans afresh (docs/decisions.md).
/** `column` of the row of its table whose `id` is `key`: a scalar subquery. */
const lookUp = <T>(column: AnyPgColumn, id: AnyPgColumn, key: SQLWrapper) =>
  sql<T>`(select ${column} from ${column.table} where ${id} = ${key})`;
/** The line's area: its own, else its contest's. */
const lineAreaId = sql<string>`coalesce(${voteShares.areaId}, ${contests.areaId})`;
/** A line of an area other than its contest's: its turnout is that area's. */
const ofArea = sql`(${voteShares.areaId} is not null)`;
const pick = <T>(version: SQLWrapper, area: SQLWrapper) =>
  sql<T>`(case when ${ofArea} then ${area} else ${version} end)`;

function baseQuery(db: Db, p: FilterPlaceholders<FilterKey>, extra?: SQL) {
  return db
    .select({
      id: voteShares.id,
      electionId: elections.id,
      countryCode: elections.countryCode,
      date: elections.date,
      type: elections.type,
      contest: contests.slug,
      version: resultVersions.number,
      status: resultVersions.status,
      current: isCurrent,
      asOf: resultVersions.asOf,
      areaId: lineAreaId,
      areaName: lookUp<string>(areas.name, areas.id, lineAreaId),
      areaLevel: lookUp<(typeof areas.$inferSelect)['level']>(areas.level, areas.id, lineAreaId),
      areaIsoCode: lookUp<string | null>(areas.isoCode, areas.id, lineAreaId),
      kind: voteShares.kind,
      candidateId: voteShares.candidateId,
      candidateName: lookUp<string | null>(candidates.name, candidates.id, voteShares.candidateId),
      label: voteShares.label,
      nominatorId: voteShares.nominatorId,
      nominatorName: lookUp<string | null>(organisations.name, organisations.id, voteShares.nominatorId),
      votes: voteShares.votes,
      percent: voteShares.percent,
      percentBase: resultVersions.percentBase,
      rank: voteShares.rank,
      outcome: voteShares.outcome,
      seats: voteShares.seats,
      sourceId: resultVersions.sourceId,
      publishedAsIs: voteShares.publishedAsIs,
      complete: pick<boolean>(resultVersions.complete, sql`coalesce(${resultAreas.complete}, false)`),
      registeredVoters: pick<number | null>(resultVersions.registeredVoters, resultAreas.registeredVoters).mapWith(
        nullableNumber,
      ),
      ballotsCast: pick<number | null>(resultVersions.ballotsCast, resultAreas.ballotsCast).mapWith(nullableNumber),
      validVotes: pick<number | null>(resultVersions.validVotes, resultAreas.validVotes).mapWith(nullableNumber),
      invalidVotes: pick<number | null>(resultVersions.invalidVotes, resultAreas.invalidVotes).mapWith(nullableNumber),
      turnoutPercent: pick<number | null>(resultVersions.turnoutPercent, resultAreas.turnoutPercent).mapWith(
        nullableNumber,
      ),
    })
    .from(voteShares)
    .innerJoin(resultVersions, eq(resultVersions.id, voteShares.versionId))
    .innerJoin(contests, eq(contests.id, resultVersions.contestId))
    .innerJoin(elections, eq(elections.id, resultVersions.electionId))
    .leftJoin(
      resultAreas,
      and(eq(resultAreas.versionId, voteShares.versionId), eq(resultAreas.areaId, voteShares.areaId)),
    )
    .where(
      and(
        // The line's own copy of its election's country, which an index leads ((country_code, id)).
        p.country && eq(voteShares.countryCode, p.country),
        // The contest's column, which an index leads ((election_id, slug)); versions have none.
        p.election && eq(contests.electionId, p.election),
        p.contest && eq(contests.slug, p.contest),
        p.candidate && eq(voteShares.candidateId, p.candidate),
        p.party && eq(voteShares.nominatorId, p.party),
        p.area && sql`${lineAreaId} = ${p.area}`,
        p.contestKind && eq(contests.kind, p.contestKind),
        p.yearFrom && gte(elections.date, p.yearFrom),
        p.yearTo && lte(elections.date, p.yearTo),
        p.status && eq(resultVersions.status, p.status),
        p.currentOnly && isCurrent,
        p.versionNumber && eq(resultVersions.number, p.versionNumber),
        extra,
      ),
    );
}

const nullableNumber = (value: unknown) => (value === null ? null : Number(value));

/** The filters of the vote-shares queries, each a placeholder of their prepared statements. */
const filterKeys = [
  'country',
  'election',
  'contest',
  'candidate',
  'party',
  'area',
  'contestKind',
  'yearFrom',
  'yearTo',
  'status',
  'currentOnly',
  'versionNumber',
] as const;
type FilterKey = (typeof filterKeys)[number];

/** A filter as the values of the statement's placeholders: the year as its first and last day. */
const filterValues = (f: VoteShareFilter) => ({
  country: f.country,
  election: f.election,
  contest: f.contest,
  candidate: f.candidate,
  party: f.party,
  area: f.area,
  contestKind: f.contestKind,
  ...yearRange(f.year),
  status: f.status,
  // Not a parameter: given, it adds the condition.
  currentOnly: f.versions === 'current' && f.versionNumber === undefined ? true : undefined,
  versionNumber: f.versionNumber,
});

const listStatement = preparedFilters('list_vote_shares', [...filterKeys, 'after', 'limit'], (db, p) =>
  baseQuery(db, p, p.after && gt(voteShares.id, p.after))
    .orderBy(asc(voteShares.id))
    .limit(p.limit!),
);

export type VoteShareRow = Awaited<ReturnType<typeof listVoteShares>>[number];

/**
 * Keyset order: the line id, i.e. the order lines were recorded (a version's lines are written
 * together, so they stay together). A single indexed key keeps every page, and a million-line CSV
 * walked page by page, an index range scan rather than a sort of the whole joined table.
 */
export function listVoteShares(db: Db, f: VoteShareFilter & { after?: number; limit: number }) {
  return listStatement(db, { ...filterValues(f), after: f.after, limit: f.limit });
}

const position = sql`(${elections.date}, ${elections.id}, ${resultVersions.number}, ${voteShares.id})`;
const timeSeriesStatement = preparedFilters(
  'candidate_time_series',
  ['candidate', 'afterDate', 'afterElection', 'afterVersion', 'afterLine', 'limit'],
  (db, p) =>
    baseQuery(
      db,
      { candidate: p.candidate },
      p.afterDate &&
        sql`${position} > (${p.afterDate}::date, ${p.afterElection}, ${p.afterVersion}::int, ${p.afterLine}::int)`,
    )
      .orderBy(asc(elections.date), asc(elections.id), asc(resultVersions.number), asc(voteShares.id))
      .limit(p.limit!),
);

/** A candidate's lines in every version of every election, oldest polling day first. */
export function candidateTimeSeries(
  db: Db,
  candidateId: string,
  opts: { after?: [string, string, number, number]; limit: number },
) {
  const [afterDate, afterElection, afterVersion, afterLine] = opts.after ?? [];
  return timeSeriesStatement(db, {
    candidate: candidateId,
    afterDate,
    afterElection,
    afterVersion,
    afterLine,
    limit: opts.limit,
  });
}

import { and, asc, eq, gt, gte, lte, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { isCurrent } from '../results/results.repository.js';
import type { Db } from '../../db/client.js';
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

const contestArea = alias(areas, 'contest_area');
const lineArea = alias(areas, 'line_area');
/** A line of an area other than its contest's: its turnout is that area's. */
const ofArea = sql`(${voteShares.areaId} is not null)`;
const pick = <T>(version: SQLWrapper, area: SQLWrapper) =>
  sql<T>`(case when ${ofArea} then ${area} else ${version} end)`;

function baseQuery(db: Db, f: VoteShareFilter, extra?: SQL) {
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
      areaId: sql<string>`coalesce(${voteShares.areaId}, ${contests.areaId})`,
      areaName: sql<string>`coalesce(${lineArea.name}, ${contestArea.name})`,
      areaLevel: sql<(typeof areas.$inferSelect)['level']>`coalesce(${lineArea.level}, ${contestArea.level})`,
      areaIsoCode: sql<string | null>`coalesce(${lineArea.isoCode}, ${contestArea.isoCode})`,
      kind: voteShares.kind,
      candidateId: voteShares.candidateId,
      candidateName: candidates.name,
      label: voteShares.label,
      nominatorId: voteShares.nominatorId,
      nominatorName: organisations.name,
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
    .innerJoin(contestArea, eq(contestArea.id, contests.areaId))
    .leftJoin(lineArea, eq(lineArea.id, voteShares.areaId))
    .leftJoin(
      resultAreas,
      and(eq(resultAreas.versionId, voteShares.versionId), eq(resultAreas.areaId, voteShares.areaId)),
    )
    .leftJoin(candidates, eq(candidates.id, voteShares.candidateId))
    .leftJoin(organisations, eq(organisations.id, voteShares.nominatorId))
    .where(
      and(
        f.country ? eq(elections.countryCode, f.country) : undefined,
        f.election ? eq(elections.id, f.election) : undefined,
        f.contest ? eq(contests.slug, f.contest) : undefined,
        f.candidate ? eq(voteShares.candidateId, f.candidate) : undefined,
        f.party ? eq(voteShares.nominatorId, f.party) : undefined,
        f.area ? sql`coalesce(${voteShares.areaId}, ${contests.areaId}) = ${f.area}` : undefined,
        f.contestKind ? eq(contests.kind, f.contestKind) : undefined,
        f.year ? gte(elections.date, `${f.year}-01-01`) : undefined,
        f.year ? lte(elections.date, `${f.year}-12-31`) : undefined,
        f.status ? eq(resultVersions.status, f.status) : undefined,
        f.versions === 'current' && f.versionNumber === undefined ? isCurrent : undefined,
        f.versionNumber === undefined ? undefined : eq(resultVersions.number, f.versionNumber),
        extra,
      ),
    );
}

const nullableNumber = (value: unknown) => (value === null ? null : Number(value));

export type VoteShareRow = Awaited<ReturnType<typeof listVoteShares>>[number];

/**
 * Keyset order: the line id, i.e. the order lines were recorded (a version's lines are written
 * together, so they stay together). A single indexed key keeps every page, and a million-line CSV
 * walked page by page, an index range scan rather than a sort of the whole joined table.
 */
export function listVoteShares(db: Db, f: VoteShareFilter & { after?: number; limit: number }) {
  return baseQuery(db, f, f.after === undefined ? undefined : gt(voteShares.id, f.after))
    .orderBy(asc(voteShares.id))
    .limit(f.limit);
}

/** A candidate's lines in every version of every election, oldest polling day first. */
export function candidateTimeSeries(
  db: Db,
  candidateId: string,
  opts: { after?: [string, string, number, number]; limit: number },
) {
  const position = sql`(${elections.date}, ${elections.id}, ${resultVersions.number}, ${voteShares.id})`;
  const after =
    opts.after && sql`${position} > (${opts.after[0]}::date, ${opts.after[1]}, ${opts.after[2]}, ${opts.after[3]})`;
  return baseQuery(db, { candidate: candidateId, versions: 'all' }, after)
    .orderBy(asc(elections.date), asc(elections.id), asc(resultVersions.number), asc(voteShares.id))
    .limit(opts.limit);
}

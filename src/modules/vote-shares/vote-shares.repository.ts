import { and, asc, eq, gt, gte, lte, type SQL, sql } from 'drizzle-orm';
import { isCurrent } from '../results/results.repository.js';
import type { Db } from '../../db/client.js';
import { candidates, elections, organisations, resultVersions, voteShares } from '../../db/schema/index.js';

type Status = (typeof resultVersions.$inferSelect)['status'];

export interface VoteShareFilter {
  country?: string;
  election?: string;
  candidate?: string;
  year?: number;
  status?: Status;
  versions: 'current' | 'all';
  /** One version of the election (with `election`), e.g. for a CSV of /results. */
  versionNumber?: number;
}

function baseQuery(db: Db, f: VoteShareFilter, extra?: SQL) {
  return db
    .select({
      id: voteShares.id,
      electionId: elections.id,
      countryCode: elections.countryCode,
      date: elections.date,
      type: elections.type,
      version: resultVersions.number,
      status: resultVersions.status,
      current: isCurrent,
      asOf: resultVersions.asOf,
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
      sourceId: resultVersions.sourceId,
      publishedAsIs: voteShares.publishedAsIs,
      complete: resultVersions.complete,
      registeredVoters: resultVersions.registeredVoters,
      ballotsCast: resultVersions.ballotsCast,
      validVotes: resultVersions.validVotes,
      invalidVotes: resultVersions.invalidVotes,
      turnoutPercent: resultVersions.turnoutPercent,
    })
    .from(voteShares)
    .innerJoin(resultVersions, eq(resultVersions.id, voteShares.versionId))
    .innerJoin(elections, eq(elections.id, resultVersions.electionId))
    .leftJoin(candidates, eq(candidates.id, voteShares.candidateId))
    .leftJoin(organisations, eq(organisations.id, voteShares.nominatorId))
    .where(
      and(
        f.country ? eq(elections.countryCode, f.country) : undefined,
        f.election ? eq(elections.id, f.election) : undefined,
        f.candidate ? eq(voteShares.candidateId, f.candidate) : undefined,
        f.year ? gte(elections.date, `${f.year}-01-01`) : undefined,
        f.year ? lte(elections.date, `${f.year}-12-31`) : undefined,
        f.status ? eq(resultVersions.status, f.status) : undefined,
        f.versions === 'current' && f.versionNumber === undefined ? isCurrent : undefined,
        f.versionNumber === undefined ? undefined : eq(resultVersions.number, f.versionNumber),
        extra,
      ),
    );
}

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

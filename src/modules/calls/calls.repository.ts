import { and, asc, desc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import {
  candidates,
  contests,
  organisations,
  raceCalls,
  raceCallWinners,
  resultVersions,
  sources,
  voteShares,
} from '../../db/schema/index.js';
import { sourceRefColumns } from '../sources/sources.repository.js';
import type { CallInput } from './calls.schemas.js';

export interface WinnerRow {
  kind: 'candidate' | 'party' | 'option';
  id: string | null;
  name: string;
}

// A call's winners as JSON, in the order given: what the record shows of each.
const winners = sql<WinnerRow[]>`coalesce((
  select json_agg(json_build_object(
    'kind', case when w.candidate_id is not null then 'candidate' when w.organisation_id is not null then 'party' else 'option' end,
    'id', coalesce(w.candidate_id, w.organisation_id),
    'name', coalesce(wc.name, wo.name, w.option)) order by w.position)
  from race_call_winners w
  left join candidates wc on wc.id = w.candidate_id
  left join organisations wo on wo.id = w.organisation_id
  where w.call_id = ${raceCalls.id}), '[]'::json)`;

const latest = sql<number>`(select max(r.number) from race_calls r where r.contest_id = ${raceCalls.contestId})`;

const callQuery = (db: Db) =>
  db
    .select({
      call: raceCalls,
      contest: contests.slug,
      latest,
      winners,
      source: sourceRefColumns,
    })
    .from(raceCalls)
    .innerJoin(contests, eq(contests.id, raceCalls.contestId))
    .innerJoin(sources, eq(sources.id, raceCalls.sourceId));

export type CallRow = Awaited<ReturnType<typeof listCalls>>[number];

/** A contest's calls, oldest first, after number `after`. */
export function listCalls(db: Db, contestId: number, opts: { after?: number; limit: number }) {
  return callQuery(db)
    .where(
      and(eq(raceCalls.contestId, contestId), opts.after === undefined ? undefined : gt(raceCalls.number, opts.after)),
    )
    .orderBy(asc(raceCalls.number))
    .limit(opts.limit);
}

/** Call `number` of a contest, or its newest when `number` is undefined. */
export async function findCall(db: Db, contestId: number, number?: number): Promise<CallRow | undefined> {
  const [row] = await callQuery(db)
    .where(and(eq(raceCalls.contestId, contestId), number === undefined ? undefined : eq(raceCalls.number, number)))
    .orderBy(desc(raceCalls.number))
    .limit(1);
  return row;
}

/** The number the contest's next call takes (its election locked by the caller). */
export async function nextCallNumber(db: Db, contestId: number): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`coalesce(max(${raceCalls.number}), 0)::int` })
    .from(raceCalls)
    .where(eq(raceCalls.contestId, contestId));
  return (row?.n ?? 0) + 1;
}

/**
 * Which of `ids` exist, locked until the call commits (in id order, as a merge locks them): a merge
 * of one of them waits and then moves the call's winner too, or has committed and it is missing.
 */
export async function existingIds(db: Db, table: 'candidates' | 'organisations', ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const column = table === 'candidates' ? candidates.id : organisations.id;
  const rows = await db
    .select({ id: column })
    .from(column.table)
    .where(inArray(column, [...new Set(ids)]))
    .orderBy(column)
    .for('key share');
  return new Set(rows.map((r) => r.id));
}

/** The lines of the contest's current version for its own area: what a call may name; undefined before any. */
export async function currentLines(db: Db, contestId: number) {
  const [version] = await db
    .select({ id: resultVersions.id, number: resultVersions.number })
    .from(resultVersions)
    .innerJoin(
      contests,
      and(eq(contests.id, resultVersions.contestId), eq(contests.currentVersion, resultVersions.number)),
    )
    .where(eq(contests.id, contestId));
  if (!version) return undefined;
  const lines = await db
    .select({
      kind: voteShares.kind,
      candidateId: voteShares.candidateId,
      nominatorId: voteShares.nominatorId,
      label: voteShares.label,
    })
    .from(voteShares)
    .where(and(eq(voteShares.versionId, version.id), isNull(voteShares.areaId)));
  return { number: version.number, lines };
}

/** Appends call `number` of a contest with its winners. */
export async function insertCall(
  db: Db,
  electionId: string,
  contestId: number,
  number: number,
  input: CallInput,
): Promise<void> {
  const [row] = await db
    .insert(raceCalls)
    .values({
      electionId,
      contestId,
      number,
      status: input.status,
      sourceId: input.sourceId,
      calledAt: input.calledAt === undefined ? sql`now()` : new Date(input.calledAt),
      note: input.note,
    })
    .returning({ id: raceCalls.id });
  if (input.winners.length === 0) return;
  await db.insert(raceCallWinners).values(
    input.winners.map((w, position) => ({
      callId: row!.id,
      position,
      candidateId: 'candidateId' in w ? w.candidateId : null,
      organisationId: 'organisationId' in w ? w.organisationId : null,
      option: 'option' in w ? w.option : null,
    })),
  );
}

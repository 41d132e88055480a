import { and, asc, desc, eq, gt, gte, lt, lte, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../../db/client.js';
import { preparedFilters, preparedPer } from '../../db/prepared.js';
import { sourceRefColumns } from '../sources/sources.repository.js';
import { identifiersColumn } from '../identifiers/identifiers.repository.js';
import { defaultMainContest } from '../../db/contests.js';
import { contests, countries, elections, resultVersions, sources } from '../../db/schema/index.js';
import { changedSince } from '../../db/changed-since.js';
import { yearRange } from '../../lib/year-range.js';

type ResultStatus = (typeof resultVersions.$inferSelect)['status'];

export interface ElectionFilter {
  country?: string;
  type?: (typeof elections.$inferSelect)['type'];
  year?: number;
  from?: string;
  to?: string;
  status?: ResultStatus;
  /** 1 for first rounds, 2 for runoffs, ... */
  round?: number;
  /** Only elections edited or given a result version at or after this instant (ISO 8601, UTC). */
  updatedSince?: string;
  /** Keyset: the (date, id) of the last row of the previous page; order is date desc, id asc. */
  after?: [string, string];
  limit: number;
}

const mainContest = alias(contests, 'main_contest');

function electionQuery(db: Db) {
  // The current version: the one the main contest's current_version names (kept by a trigger).
  const current = resultVersions;
  const query = db
    .select({
      election: elections,
      countryName: countries.name,
      // The runoff that follows this round, if one is recorded: the election naming it as its previous round.
      nextRoundId: sql<
        string | null
      >`(select n.id from elections n where n.previous_round_id = ${elections.id} order by n.date, n.id limit 1)`,
      source: sourceRefColumns,
      identifiers: identifiersColumn('election', elections.id),
      current: {
        number: current.number,
        status: current.status,
        asOf: current.asOf,
        complete: current.complete,
      },
    })
    .from(elections)
    .innerJoin(countries, eq(countries.code, elections.countryCode))
    .innerJoin(sources, eq(sources.id, elections.sourceId))
    // Through the main contest (one per election, contests_one_main_idx): its current version, by
    // the (contest_id, number) key. Versions of other contests may share the number.
    .leftJoin(mainContest, and(eq(mainContest.electionId, elections.id), eq(mainContest.main, true)))
    .leftJoin(current, and(eq(current.contestId, mainContest.id), eq(current.number, mainContest.currentVersion)));
  return { query, current };
}

export type ElectionRow = NonNullable<Awaited<ReturnType<typeof findElection>>>;

const listStatement = preparedFilters(
  'list_elections',
  ['country', 'type', 'yearFrom', 'yearTo', 'from', 'to', 'status', 'round', 'since', 'afterDate', 'afterId', 'limit'],
  (db, p) => {
    const { query, current } = electionQuery(db);
    return query
      .where(
        and(
          p.country && eq(elections.countryCode, p.country),
          p.type && eq(elections.type, p.type),
          p.yearFrom && gte(elections.date, p.yearFrom),
          p.yearTo && lte(elections.date, p.yearTo),
          p.from && gte(elections.date, p.from),
          p.to && lte(elections.date, p.to),
          p.status && eq(current.status, p.status),
          p.round && eq(elections.round, p.round),
          p.since && changedSince(elections.id, ['election', 'results', 'call'], p.since),
          p.afterDate &&
            or(lt(elections.date, p.afterDate), and(eq(elections.date, p.afterDate), gt(elections.id, p.afterId!))),
        ),
      )
      .orderBy(desc(elections.date), asc(elections.id))
      .limit(p.limit!);
  },
);

export function listElections(db: Db, f: ElectionFilter) {
  return listStatement(db, {
    country: f.country,
    type: f.type,
    ...yearRange(f.year),
    from: f.from,
    to: f.to,
    status: f.status,
    round: f.round,
    since: f.updatedSince,
    afterDate: f.after?.[0],
    afterId: f.after?.[1],
    limit: f.limit,
  });
}

const findElectionStatement = preparedPer((db) =>
  electionQuery(db)
    .query.where(eq(elections.id, sql.placeholder('id')))
    .prepare('find_election'),
);

export async function findElection(db: Db, id: string) {
  const [row] = await findElectionStatement(db).execute({ id });
  return row;
}

export async function electionExists(db: Db, id: string): Promise<boolean> {
  const rows = await db.select({ id: elections.id }).from(elections).where(eq(elections.id, id));
  return rows.length > 0;
}

/** Changes with every PATCH, every new result version, and when a next round is recorded. */
export function electionEtag(row: ElectionRow): string {
  const next = row.nextRoundId ? `.n${row.nextRoundId}` : '';
  return `"r${row.election.revision}.v${row.current?.number ?? 0}${next}"`;
}

/** Inserts an election with its main contest, in its country's area (made from ISO 3166-1 if missing). */
export async function insertElection(db: Db, election: typeof elections.$inferInsert) {
  await db.insert(elections).values(election);
  await db.execute(sql`insert into areas (id, country_code, level, name)
    select lower(code), code, 'country', name from countries where code = ${election.countryCode}
    on conflict do nothing`);
  await db.insert(contests).values(defaultMainContest(election));
}

/** Locks the election row for the rest of the transaction: writers to one election queue up. */
export async function lockElection(db: Db, id: string): Promise<boolean> {
  const rows = await db.select({ id: elections.id }).from(elections).where(eq(elections.id, id)).for('update');
  return rows.length > 0;
}

export async function updateElection(db: Db, id: string, values: Partial<typeof elections.$inferInsert>) {
  await db
    .update(elections)
    .set({ ...values, revision: sql`${elections.revision} + 1` })
    .where(eq(elections.id, id));
}

import { and, asc, desc, eq, gt, gte, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { countries, elections, resultVersions, sources } from '../../db/schema/index.js';

type ResultStatus = (typeof resultVersions.$inferSelect)['status'];

export interface ElectionFilter {
  country?: string;
  type?: (typeof elections.$inferSelect)['type'];
  year?: number;
  from?: string;
  to?: string;
  status?: ResultStatus;
  /** Keyset: the (date, id) of the last row of the previous page; order is date desc, id asc. */
  after?: [string, string];
  limit: number;
}

function electionQuery(db: Db) {
  // The current version is the one elections.current_version names (kept by a trigger).
  const current = resultVersions;
  const query = db
    .select({
      election: elections,
      countryName: countries.name,
      source: { id: sources.id, publisher: sources.publisher, title: sources.title, url: sources.url },
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
    .leftJoin(current, and(eq(current.electionId, elections.id), eq(current.number, elections.currentVersion)));
  return { query, current };
}

export type ElectionRow = NonNullable<Awaited<ReturnType<typeof findElection>>>;

export function listElections(db: Db, f: ElectionFilter) {
  const { query, current } = electionQuery(db);
  const where: (SQL | undefined)[] = [
    f.country ? eq(elections.countryCode, f.country) : undefined,
    f.type ? eq(elections.type, f.type) : undefined,
    f.year ? gte(elections.date, `${f.year}-01-01`) : undefined,
    f.year ? lte(elections.date, `${f.year}-12-31`) : undefined,
    f.from ? gte(elections.date, f.from) : undefined,
    f.to ? lte(elections.date, f.to) : undefined,
    f.status ? eq(current.status, f.status) : undefined,
    f.after
      ? or(lt(elections.date, f.after[0]), and(eq(elections.date, f.after[0]), gt(elections.id, f.after[1])))
      : undefined,
  ];
  return query
    .where(and(...where))
    .orderBy(desc(elections.date), asc(elections.id))
    .limit(f.limit);
}

export async function findElection(db: Db, id: string) {
  const { query } = electionQuery(db);
  const [row] = await query.where(eq(elections.id, id));
  return row;
}

export async function electionExists(db: Db, id: string): Promise<boolean> {
  const rows = await db.select({ id: elections.id }).from(elections).where(eq(elections.id, id));
  return rows.length > 0;
}

export function electionEtag(row: ElectionRow): string {
  return `"r${row.election.revision}.v${row.current?.number ?? 0}"`;
}

export async function insertElection(db: Db, values: typeof elections.$inferInsert) {
  await db.insert(elections).values(values);
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

import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { areas, contests, resultVersions } from '../../db/schema/index.js';

const columns = {
  contest: contests,
  area: { id: areas.id, name: areas.name, level: areas.level, isoCode: areas.isoCode },
  current: {
    number: resultVersions.number,
    status: resultVersions.status,
    asOf: resultVersions.asOf,
    complete: resultVersions.complete,
  },
};

const contestQuery = (db: Db) =>
  db
    .select(columns)
    .from(contests)
    .innerJoin(areas, eq(areas.id, contests.areaId))
    .leftJoin(
      resultVersions,
      and(eq(resultVersions.contestId, contests.id), eq(resultVersions.number, contests.currentVersion)),
    );

export type ContestRow = Awaited<ReturnType<typeof listContests>>[number];

/** An election's contests, the main one first, then by id; `after` is the (main, slug) of the last one seen. */
export function listContests(db: Db, electionId: string, opts: { after?: [boolean, string]; limit: number }) {
  const after = opts.after;
  return contestQuery(db)
    .where(
      and(
        eq(contests.electionId, electionId),
        after === undefined ? undefined : sql`(not ${contests.main}, ${contests.slug}) > (${!after[0]}, ${after[1]})`,
      ),
    )
    .orderBy(sql`${contests.main} desc`, asc(contests.slug))
    .limit(opts.limit);
}

/** One contest of an election by its slug, or the main one when `slug` is undefined. */
export async function findContest(db: Db, electionId: string, slug?: string): Promise<ContestRow | undefined> {
  const [row] = await contestQuery(db).where(
    and(eq(contests.electionId, electionId), slug === undefined ? eq(contests.main, true) : eq(contests.slug, slug)),
  );
  return row;
}

export async function insertContest(db: Db, values: typeof contests.$inferInsert) {
  const [row] = await db.insert(contests).values(values).returning({ id: contests.id });
  return row!.id;
}

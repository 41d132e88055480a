import { and, asc, eq, gt, like } from 'drizzle-orm';
import { searchKey } from '../../lib/slug.js';
import type { Db } from '../../db/client.js';
import { candidates, sources } from '../../db/schema/index.js';

const columns = {
  id: candidates.id,
  name: candidates.name,
  note: candidates.note,
  source: { id: sources.id, publisher: sources.publisher, title: sources.title, url: sources.url },
};

/** `key` is the searchKey form of the query: only [a-z0-9-], so it needs no LIKE escaping. */
export function listCandidates(db: Db, opts: { key?: string; after?: string; limit: number }) {
  return db
    .select(columns)
    .from(candidates)
    .innerJoin(sources, eq(sources.id, candidates.sourceId))
    .where(
      and(
        opts.key === undefined ? undefined : like(candidates.searchKey, `%${opts.key}%`),
        opts.after === undefined ? undefined : gt(candidates.id, opts.after),
      ),
    )
    .orderBy(asc(candidates.id))
    .limit(opts.limit);
}

export async function findCandidate(db: Db, id: string) {
  const [row] = await db
    .select(columns)
    .from(candidates)
    .innerJoin(sources, eq(sources.id, candidates.sourceId))
    .where(eq(candidates.id, id));
  return row;
}

export async function candidateExists(db: Db, id: string): Promise<boolean> {
  const rows = await db.select({ id: candidates.id }).from(candidates).where(eq(candidates.id, id));
  return rows.length > 0;
}

export async function insertCandidate(db: Db, values: Omit<typeof candidates.$inferInsert, 'searchKey'>) {
  await db.insert(candidates).values({ ...values, searchKey: searchKey(values.name) });
}

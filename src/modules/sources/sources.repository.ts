import { asc, eq, gt } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { sources } from '../../db/schema/index.js';

export type SourceRow = typeof sources.$inferSelect;

export function listSources(db: Db, opts: { after?: string; limit: number }) {
  return db
    .select()
    .from(sources)
    .where(opts.after === undefined ? undefined : gt(sources.id, opts.after))
    .orderBy(asc(sources.id))
    .limit(opts.limit);
}

export async function findSource(db: Db, id: string): Promise<SourceRow | undefined> {
  const [row] = await db.select().from(sources).where(eq(sources.id, id));
  return row;
}

import { asc, eq, gt } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { organisations, sources } from '../../db/schema/index.js';

const columns = {
  id: organisations.id,
  name: organisations.name,
  source: { id: sources.id, publisher: sources.publisher, title: sources.title, url: sources.url },
};

export function listOrganisations(db: Db, opts: { after?: string; limit: number }) {
  return db
    .select(columns)
    .from(organisations)
    .innerJoin(sources, eq(sources.id, organisations.sourceId))
    .where(opts.after === undefined ? undefined : gt(organisations.id, opts.after))
    .orderBy(asc(organisations.id))
    .limit(opts.limit);
}

export async function findOrganisation(db: Db, id: string) {
  const [row] = await db
    .select(columns)
    .from(organisations)
    .innerJoin(sources, eq(sources.id, organisations.sourceId))
    .where(eq(organisations.id, id));
  return row;
}

export async function insertOrganisation(db: Db, values: typeof organisations.$inferInsert) {
  await db.insert(organisations).values(values);
}

import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { HttpProblem } from '../../lib/problem.js';
import type { Db } from '../../db/client.js';
import { preparedPages, preparedPer } from '../../db/prepared.js';
import { sources } from '../../db/schema/index.js';
import { changedSince } from '../../db/changed-since.js';

export type SourceRow = typeof sources.$inferSelect;

/** What a record shows of the source it cites (SourceRef): select it as `source: sourceRefColumns`. */
export const sourceRefColumns = {
  id: sources.id,
  publisher: sources.publisher,
  title: sources.title,
  url: sources.url,
};

// A page: the first, or the one after an id (prepared statements, see src/db/prepared.ts).
export const listSources = preparedPages('list_sources', (db, after, since, limit) =>
  db
    .select()
    .from(sources)
    .where(and(after && gt(sources.id, after), since && changedSince(sources.id, ['source'], since)))
    .orderBy(asc(sources.id))
    .limit(limit),
);

const findSourceStatement = preparedPer((db) =>
  db
    .select()
    .from(sources)
    .where(eq(sources.id, sql.placeholder('id')))
    .prepare('find_source'),
);

export async function findSource(db: Db, id: string): Promise<SourceRow | undefined> {
  const [row] = await findSourceStatement(db).execute({ id });
  return row;
}

export async function insertSource(db: Db, values: typeof sources.$inferInsert): Promise<SourceRow> {
  const [row] = await db.insert(sources).values(values).returning();
  return row!;
}

/** The source, or a 404 problem naming the body field that referenced it. */
export async function requireSource(db: Db, id: string, field: string): Promise<SourceRow> {
  const row = await findSource(db, id);
  if (!row)
    throw new HttpProblem(404, `${field}: no source has the id '${id}'.`, [
      { in: 'body', name: field, message: `no source has the id '${id}'` },
    ]);
  return row;
}

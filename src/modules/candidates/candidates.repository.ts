import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { preparedPages, preparedPer } from '../../db/prepared.js';
import { sourceRefColumns } from '../sources/sources.repository.js';
import { identifiersColumn } from '../identifiers/identifiers.repository.js';
import { ownNameRows, syncOwnNames } from '../../db/names.js';
import { candidates, sources } from '../../db/schema/index.js';
import { changedSince } from '../../db/changed-since.js';

const columns = {
  id: candidates.id,
  name: candidates.name,
  note: candidates.note,
  revision: candidates.revision,
  source: sourceRefColumns,
  identifiers: identifiersColumn('person', candidates.id),
};

// A page: the first, or the one after an id (prepared statements, see src/db/prepared.ts).
export const listCandidates = preparedPages('list_candidates', (db, after, since, limit) =>
  db
    .select(columns)
    .from(candidates)
    .innerJoin(sources, eq(sources.id, candidates.sourceId))
    .where(and(after && gt(candidates.id, after), since && changedSince(candidates.id, ['candidate'], since)))
    .orderBy(asc(candidates.id))
    .limit(limit),
);

const findCandidatesStatement = preparedPer((db) =>
  db
    .select(columns)
    .from(candidates)
    .innerJoin(sources, eq(sources.id, candidates.sourceId))
    .where(sql`${candidates.id} = any(${sql.placeholder('ids')}::text[])`)
    .prepare('find_candidates'),
);

/** The candidates with these ids, by id. */
export async function findCandidates(db: Db, ids: string[]) {
  const rows = ids.length === 0 ? [] : await findCandidatesStatement(db).execute({ ids });
  return new Map(rows.map((r) => [r.id, r]));
}

const findCandidateStatement = preparedPer((db) =>
  db
    .select(columns)
    .from(candidates)
    .innerJoin(sources, eq(sources.id, candidates.sourceId))
    .where(eq(candidates.id, sql.placeholder('id')))
    .prepare('find_candidate'),
);

export async function findCandidate(db: Db, id: string) {
  const [row] = await findCandidateStatement(db).execute({ id });
  return row;
}

export async function candidateExists(db: Db, id: string): Promise<boolean> {
  const rows = await db.select({ id: candidates.id }).from(candidates).where(eq(candidates.id, id));
  return rows.length > 0;
}

export async function insertCandidate(db: Db, values: typeof candidates.$inferInsert) {
  await db.insert(candidates).values(values);
  await syncOwnNames(db, 'person', values.id, ownNameRows('person', values.id, values, values.sourceId));
}

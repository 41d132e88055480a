import { type Placeholder, sql } from 'drizzle-orm';
import type { Db } from './client.js';

/**
 * A statement built and prepared once per database handle, under a name: Drizzle builds its SQL
 * once instead of on every request, and PostgreSQL parses and plans a named statement once per
 * connection. A transaction is a handle of its own, so it gets a statement of its own (and reads
 * its own writes). `build` must give the same SQL every time: its parameters are placeholders.
 */
export function preparedPer<Statement>(build: (db: Db) => Statement): (db: Db) => Statement {
  const statements = new WeakMap<Db, Statement>();
  return (db) => {
    let statement = statements.get(db);
    if (!statement) {
      statement = build(db);
      statements.set(db, statement);
    }
    return statement;
  };
}

/** A query that can be prepared: what Drizzle's select builders are. */
interface Preparable<Row> {
  prepare(name: string): { execute(values: Record<string, unknown>): Promise<Row[]> };
}

/**
 * A keyset-paged list as two prepared statements (`name`, and `name_after`): the first page, and
 * the page after a key. `build` writes the query once for both: `after` is undefined for the first
 * page and the `after` placeholder for the next ones (compare the key column with it, e.g.
 * `.where(after && gt(t.id, after))`); its limit is the `limit` placeholder (`pageLimit`).
 */
export function preparedPages<Row>(
  name: string,
  build: (db: Db, after: Placeholder<'after'> | undefined) => Preparable<Row>,
): (db: Db, opts: { after?: string | undefined; limit: number }) => Promise<Row[]> {
  const first = preparedPer((db) => build(db, undefined).prepare(name));
  const next = preparedPer((db) => build(db, sql.placeholder('after')).prepare(`${name}_after`));
  return (db, { after, limit }) =>
    after === undefined ? first(db).execute({ limit }) : next(db).execute({ after, limit });
}

/** The page size of a `preparedPages` query. */
export const pageLimit = sql.placeholder('limit');

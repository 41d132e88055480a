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
 * A keyset-paged list as prepared statements: the first page (`name`) and the page after a key
 * (`name_after`), each also with `updatedSince` (`name_since`, `name_after_since`), prepared when
 * first used. `build` writes the query once for all: `after` is undefined for the first page and
 * the `after` placeholder for the next ones (compare the key column with it, e.g.
 * `.where(after && gt(t.id, after))`), `since` the `since` placeholder when the list is narrowed to
 * what changed since then (changedSince); its limit is the `limit` placeholder (`pageLimit`).
 */
export function preparedPages<Row>(
  name: string,
  build: (db: Db, after: Placeholder<'after'> | undefined, since: Placeholder<'since'> | undefined) => Preparable<Row>,
): (db: Db, opts: { after?: string | undefined; limit: number; since?: string | undefined }) => Promise<Row[]> {
  // One statement per combination, each prepared on first use: `name`, `name_after`, `name_since`,
  // `name_after_since`.
  const variant = (after: boolean, since: boolean) =>
    preparedPer((db) =>
      build(db, after ? sql.placeholder('after') : undefined, since ? sql.placeholder('since') : undefined).prepare(
        `${name}${after ? '_after' : ''}${since ? '_since' : ''}`,
      ),
    );
  const statements = [variant(false, false), variant(true, false), variant(false, true), variant(true, true)];
  return (db, { after, since, limit }) =>
    statements[(after === undefined ? 0 : 1) + (since === undefined ? 0 : 2)]!(db).execute({ after, since, limit });
}

/** The page size of a `preparedPages` query. */
export const pageLimit = sql.placeholder('limit');

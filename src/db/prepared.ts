import { type Placeholder, sql } from 'drizzle-orm';
import type { Db } from './client.js';
import { withCompiledRows } from './row-mapper.js';

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
      statement = withCompiledRows(build(db));
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
 * A keyset-paged list as prepared statements (`preparedFilters` with the filters `after`, `since`
 * and `limit`): `build` writes the query once for all: `after` is undefined for the first page and
 * the `after` placeholder for the next ones (compare the key column with it, e.g.
 * `.where(after && gt(t.id, after))`), `since` the `since` placeholder when the list is narrowed to
 * what changed since then (changedSince); its limit is the `limit` placeholder (`pageLimit`).
 */
export function preparedPages<Row>(
  name: string,
  build: (db: Db, after: Placeholder<'after'> | undefined, since: Placeholder<'since'> | undefined) => Preparable<Row>,
): (db: Db, opts: { after?: string | undefined; limit: number; since?: string | undefined }) => Promise<Row[]> {
  const pages = preparedFilters(name, ['after', 'since', 'limit'], (db, p) => build(db, p.after, p.since));
  return (db, { after, since, limit }) => pages(db, { after, since, limit });
}

/** The page size of a `preparedPages` query. */
export const pageLimit = sql.placeholder('limit');

/** The placeholders of the filters a call gives: one per key whose value is defined. */
export type FilterPlaceholders<Key extends string> = { [K in Key]?: Placeholder<K> };

/**
 * A query whose filters combine freely, as prepared statements: one per set of filters given, named
 * `name` and that set, built and prepared when first used (see `preparedPer`). `build` gets a
 * placeholder for each key whose value is defined and nothing for the others, and must test only
 * what it is given (e.g. `p.country && eq(t.country, p.country)`). The number of statements is
 * bounded by the combinations callers use, never by the values they pass.
 */
export function preparedFilters<Key extends string, Row>(
  name: string,
  keys: readonly Key[],
  build: (db: Db, p: FilterPlaceholders<Key>) => Preparable<Row>,
): (db: Db, values: { [K in Key]?: unknown }) => Promise<Row[]> {
  const variants = new Map<number, (db: Db) => { execute(values: Record<string, unknown>): Promise<Row[]> }>();
  return (db, values) => {
    let mask = 0;
    const given: Record<string, unknown> = {};
    const placeholders: FilterPlaceholders<Key> = {};
    keys.forEach((key, i) => {
      if (values[key] === undefined) return;
      mask |= 1 << i;
      given[key] = values[key];
      (placeholders as Record<string, Placeholder>)[key] = sql.placeholder(key);
    });
    let statement = variants.get(mask);
    if (!statement) {
      statement = preparedPer((d) => build(d, placeholders).prepare(`${name}_${mask.toString(36)}`));
      variants.set(mask, statement);
    }
    return statement(db).execute(given);
  };
}

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
 * what changed since then (changedSince); `limit` goes to `.limit()` as given (see preparedFilters).
 */
export function preparedPages<Row>(
  name: string,
  build: (
    db: Db,
    after: Placeholder<'after'> | undefined,
    since: Placeholder<'since'> | undefined,
    limit: Placeholder<'limit'>,
  ) => Preparable<Row>,
): (db: Db, opts: { after?: string | undefined; limit: number; since?: string | undefined }) => Promise<Row[]> {
  const pages = preparedFilters(name, ['after', 'since', 'limit'], (db, p) => build(db, p.after, p.since, p.limit!));
  return (db, { after, since, limit }) => pages(db, { after, since, limit });
}

/** The placeholders of the filters a call gives: one per key whose value is defined. */
export type FilterPlaceholders<Key extends string> = { [K in Key]?: Placeholder<K> };

/**
 * How many page sizes of one list get statements of their own with the size written in: the sizes
 * clients use (the default page and a few others), while any other size shares one statement with
 * the size as a parameter, so the statements stay bounded whatever sizes are asked for.
 */
export const LITERAL_LIMITS = 8;

/**
 * A page size written into the statement's text. PostgreSQL plans a statement whose LIMIT is a
 * parameter as if it returned a tenth of the rows: that generic plan costs far more than a plan for
 * the actual size, so it makes a custom plan on every execution, and planning a list with joins
 * costs more than running it. With the size in the text, the generic plan is the custom one and
 * it is kept after the first executions. Drizzle's `.limit()` writes an SQL chunk as it is.
 */
function limitInText(size: number): Placeholder<'limit'> {
  return sql.raw(String(size)) as unknown as Placeholder<'limit'>;
}

/**
 * A query whose filters combine freely, as prepared statements: one per set of filters given, named
 * `name` and that set, built and prepared when first used (see `preparedPer`). `build` gets a
 * placeholder for each key whose value is defined and nothing for the others, and must test only
 * what it is given (e.g. `p.country && eq(t.country, p.country)`). A `limit` that is one of the
 * first LITERAL_LIMITS sizes asked for is written into the statement (`limitInText`), which is then
 * named for it too. The number of statements is bounded by the combinations callers use, never by
 * the values they pass.
 */
export function preparedFilters<Key extends string, Row>(
  name: string,
  keys: readonly Key[],
  build: (db: Db, p: FilterPlaceholders<Key>) => Preparable<Row>,
): (db: Db, values: { [K in Key]?: unknown }) => Promise<Row[]> {
  const variants = new Map<string, (db: Db) => { execute(values: Record<string, unknown>): Promise<Row[]> }>();
  const sizes = new Set<number>();
  return (db, values) => {
    let mask = 0;
    let size: number | undefined;
    const given: Record<string, unknown> = {};
    const placeholders: FilterPlaceholders<Key> = {};
    keys.forEach((key, i) => {
      const value = values[key];
      if (value === undefined) return;
      mask |= 1 << i;
      if (
        key === 'limit' &&
        Number.isSafeInteger(value) &&
        (value as number) >= 0 &&
        (sizes.has(value as number) || sizes.size < LITERAL_LIMITS)
      ) {
        size = value as number;
        sizes.add(size);
        (placeholders as Record<string, Placeholder>)[key] = limitInText(size);
        return;
      }
      given[key] = value;
      (placeholders as Record<string, Placeholder>)[key] = sql.placeholder(key);
    });
    const variant = size === undefined ? mask.toString(36) : `${mask.toString(36)}_l${size}`;
    let statement = variants.get(variant);
    if (!statement) {
      statement = preparedPer((d) => build(d, placeholders).prepare(`${name}_${variant}`));
      variants.set(variant, statement);
    }
    return statement(db).execute(given);
  };
}

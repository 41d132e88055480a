// The import's writer: result versions with their areas, lines and sources, each table in a few
// INSERT … SELECT FROM unnest(…) statements. Drizzle's multi-row .values() builds and checks every
// row's parameters in JavaScript (most of an import's time at 100,000 lines); this sends one array
// a column, which the server casts to the column's type.
import { getTableColumns, getTableName, type SQL, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Db } from '../db/client.js';
import type { VersionRows } from '../db/result-versions.js';
import { resultAreas, resultVersionSources, resultVersions, voteShares } from '../db/schema/index.js';

type Cell = string | number | boolean | Date | null | undefined;

const SPECIAL = /["\\]/;
/** An element of a PostgreSQL array literal: NULL, a bare number or boolean, or a quoted string. */
const element = (v: Cell): string => {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const text = v instanceof Date ? v.toISOString() : v;
  return `"${SPECIAL.test(text) ? text.replace(/["\\]/g, '\\$&') : text}"`;
};

/**
 * Inserts `rows` with the columns `keys` (a key a row leaves undefined is NULL, not the column's
 * default: pass the keys every row gives) in one statement; returns the `returning` columns.
 * Scalar columns only (text, numbers, booleans, dates, enums): no arrays or JSON.
 */
export async function bulkInsert<T extends PgTable, K extends keyof T['$inferInsert'] & string>(
  db: Db,
  table: T,
  keys: readonly K[],
  rows: readonly Pick<T['$inferInsert'], K>[],
  returning?: SQL,
): Promise<Record<string, unknown>[]> {
  if (rows.length === 0) return [];
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  for (const key of keys) if (!columns[key]) throw new Error(`bulkInsert: ${getTableName(table)} has no column ${key}`);
  const names = sql.join(
    keys.map((key) => sql.identifier(columns[key]!.name)),
    sql`, `,
  );
  const arrays = sql.join(
    keys.map((key) => {
      const literal = `{${rows.map((r) => element((r as Record<string, Cell>)[key])).join(',')}}`;
      return sql`${literal}::${sql.raw(columns[key]!.getSQLType())}[]`;
    }),
    sql`, `,
  );
  const result: unknown = await db.execute(
    sql`insert into ${table} (${names}) select * from unnest(${arrays})${returning ? sql` returning ${returning}` : sql``}`,
  );
  return (result as { rows: Record<string, unknown>[] }).rows;
}

/**
 * Inserts rows of one table, 10,000 a statement, with every column some row gives (a row that
 * leaves it out gets NULL; a column no row gives gets its default); returns the `returning` columns.
 */
export async function insertAll<T extends PgTable>(
  db: Db,
  table: T,
  rows: readonly T['$inferInsert'][],
  returning?: SQL,
): Promise<Record<string, unknown>[]> {
  const keys = new Set<string>();
  for (const row of rows) for (const [key, value] of Object.entries(row)) if (value !== undefined) keys.add(key);
  const out: Record<string, unknown>[] = [];
  for (const batch of chunks([...rows]))
    out.push(...(await bulkInsert(db, table, [...keys] as (keyof T['$inferInsert'] & string)[], batch, returning)));
  return out;
}

const VERSION_KEYS = [
  'electionId',
  'contestId',
  'number',
  'status',
  'asOf',
  'complete',
  'publishedBy',
  'registeredVoters',
  'ballotsCast',
  'validVotes',
  'invalidVotes',
  'turnoutPercent',
  'unitsLevel',
  'unitsReporting',
  'unitsTotal',
  'ballotsCounted',
  'expectedVotes',
  'percentBase',
  'note',
  'sourceId',
] as const;
const AREA_KEYS = [
  'versionId',
  'areaId',
  'registeredVoters',
  'ballotsCast',
  'validVotes',
  'invalidVotes',
  'turnoutPercent',
  'unitsLevel',
  'unitsReporting',
  'unitsTotal',
  'ballotsCounted',
  'expectedVotes',
  'complete',
  'publishedAsIs',
] as const;
const LINE_KEYS = [
  'versionId',
  'areaId',
  'kind',
  'candidateId',
  'label',
  'nominatorId',
  'votes',
  'percent',
  'rank',
  'outcome',
  'seats',
  'publishedAsIs',
] as const;
const SOURCE_KEYS = ['versionId', 'sourceId', 'covers'] as const;

const BATCH = 10_000;
function* chunks<T>(items: T[], size = BATCH): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/**
 * Refreshes a table's statistics after a bulk insert, inside the import's transaction (ANALYZE
 * counts the transaction's own new rows). The foreign-key checks of the rows inserted next are
 * planned from them: with the statistics of a small table they scan it whole for each row, which
 * made 10,000 new contests of 10,000 new elections take 3–30 s instead of 0.1 s.
 */
export async function analyze(db: Db, table: PgTable): Promise<void> {
  await db.execute(sql`analyze ${table}`);
}

/** Rows a statement inserts beyond which the table is analyzed before rows that refer to it. */
export const ANALYZE_AFTER = 1000;

/**
 * What insertVersions (src/db/result-versions.ts) does, in a few statements per 10,000 rows:
 * inserts the versions in order, then their areas, lines and sources; returns the versions' ids.
 * `onLines` hears how many lines each statement wrote.
 */
export async function writeVersions(db: Db, versions: VersionRows[], onLines?: (lines: number) => void) {
  const ids: number[] = [];
  for (const part of chunks(versions)) {
    const inserted = await bulkInsert(
      db,
      resultVersions,
      VERSION_KEYS,
      part.map((v) => ({ publishedBy: null, note: null, asOf: null, ...v.version })),
      sql`id, contest_id, number`,
    );
    // Matched by key: RETURNING's row order is not a documented guarantee.
    const idOf = new Map(inserted.map((r) => [`${r.contest_id as number}#${r.number as number}`, r.id as number]));
    for (const v of part) ids.push(idOf.get(`${v.version.contestId}#${v.version.number}`)!);
  }
  if (versions.length >= ANALYZE_AFTER) await analyze(db, resultVersions);
  const areas = versions.flatMap((v, i) =>
    v.areas.map((a) => ({ complete: false, publishedAsIs: false, ...a, versionId: ids[i]! })),
  );
  for (const batch of chunks(areas)) await bulkInsert(db, resultAreas, AREA_KEYS, batch);
  const lines = versions.flatMap((v, i) =>
    v.lines.map((l) => ({ publishedAsIs: false, seats: null, areaId: null, ...l, versionId: ids[i]! })),
  );
  for (const batch of chunks(lines)) {
    await bulkInsert(db, voteShares, LINE_KEYS, batch);
    onLines?.(batch.length);
  }
  const extra = versions.flatMap((v, i) => v.additionalSources.map((s) => ({ ...s, versionId: ids[i]! })));
  for (const batch of chunks(extra)) await bulkInsert(db, resultVersionSources, SOURCE_KEYS, batch);
  return ids;
}

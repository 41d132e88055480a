import { sql } from 'drizzle-orm';
import type { Db } from '../../src/db/client.js';
import { rowsOf } from './sql.js';

/** Every table of the schema, found in the catalogue: a table added later is checked too. */
async function tableNames(db: Db): Promise<string[]> {
  const rows = await rowsOf<{ table_name: string }>(
    db,
    sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
  );
  return rows.map((r) => r.table_name);
}

/**
 * Row count and an md5 of every row, per table (the API's data, keys, audit log, idempotency keys
 * and the data version alike): equal snapshots mean nothing was written. `ignore` leaves out
 * columns by table, for comparing two databases built alike (a change's clock time differs).
 */
export async function snapshot(db: Db, ignore: Record<string, string[]> = {}): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const tables = await tableNames(db);
  if (tables.length < 12) throw new Error(`expected every table of the schema, found ${tables.join(', ')}`);
  // A row as text, without the columns `ignore` names for its table (e.g. a clock time).
  const rowText = (table: string) =>
    ignore[table] ? `(to_jsonb(x) ${ignore[table].map((c) => `- '${c}'`).join(' ')})::text` : 'x::text';
  for (const table of tables) {
    const [row] = await db
      .select({
        n: sql<string>`count(*)::text`,
        digest: sql<string>`${sql.raw(`md5(coalesce(string_agg(${rowText(table)}, '|' order by ${rowText(table)}), ''))`)}`,
      })
      .from(sql.raw(`"${table}" x`));
    out[table] = `${row?.n}:${row?.digest}`;
  }
  return out;
}

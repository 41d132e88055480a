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
 * and the data version alike): equal snapshots mean nothing was written.
 */
export async function snapshot(db: Db): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const tables = await tableNames(db);
  if (tables.length < 12) throw new Error(`expected every table of the schema, found ${tables.join(', ')}`);
  for (const table of tables) {
    const [row] = await db
      .select({
        n: sql<string>`count(*)::text`,
        digest: sql<string>`md5(coalesce(string_agg(x::text, '|' order by x::text), ''))`,
      })
      .from(sql.raw(`"${table}" x`));
    out[table] = `${row?.n}:${row?.digest}`;
  }
  return out;
}

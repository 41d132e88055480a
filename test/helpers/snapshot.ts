import { sql } from 'drizzle-orm';
import type { Db } from '../../src/db/client.js';

const tables = [
  'countries',
  'sources',
  'organisations',
  'candidates',
  'elections',
  'result_versions',
  'result_version_sources',
  'vote_shares',
];

/** Row count and an md5 of every row, per table: equal snapshots mean unchanged data. */
export async function snapshot(db: Db): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of tables) {
    const [row] = await db
      .select({
        n: sql<string>`count(*)::text`,
        digest: sql<string>`md5(coalesce(string_agg(x::text, '|' order by x::text), ''))`,
      })
      .from(sql.raw(`${table} x`));
    out[table] = `${row?.n}:${row?.digest}`;
  }
  return out;
}

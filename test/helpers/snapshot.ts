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
    // Both drivers return { rows }; the generic PgDatabase type leaves the result shape open.
    const result = (await db.execute(
      sql.raw(
        `select count(*)::text as n, md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as digest from ${table} x`,
      ),
    )) as unknown as { rows: { n: string; digest: string }[] };
    const row = result.rows[0]!;
    out[table] = `${row.n}:${row.digest}`;
  }
  return out;
}

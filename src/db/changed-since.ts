import { type AnyColumn, type Placeholder, type SQL, sql } from 'drizzle-orm';

/**
 * The rows whose `id` has a change of one of `kinds` in the feed (table `changes`) recorded at or
 * after `since` (an ISO 8601 instant, or a placeholder for one): `updatedSince` on the lists.
 */
export function changedSince(id: AnyColumn, kinds: readonly string[], since: string | Placeholder): SQL {
  const listed = sql.join(
    kinds.map((k) => sql`${k}`),
    sql`, `,
  );
  return sql`${id} in (select c.resource_id from changes c where c.kind in (${listed}) and c.at >= ${since}::timestamptz)`;
}

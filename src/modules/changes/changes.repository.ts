import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import type { changeActions, changeKinds } from './changes.schemas.js';

/** A change and the feed's newest id; when no change matched, one row with only `head`. */
export type ChangeRow = Change | ({ [K in Exclude<keyof Change, 'head'>]: null } & { head: string | null });

export interface Change {
  id: string;
  at: string;
  kind: (typeof changeKinds)[number];
  action: (typeof changeActions)[number];
  resource_id: string;
  election_id: string | null;
  country_code: string | null;
  contest: string | null;
  version: number | null;
  url: string;
  head: string | null;
}

/**
 * The changes after `since` that match the filters, oldest first, up to `limit`, each with the
 * newest id of the whole feed: one statement, so one snapshot. Ids follow commit order (the feed's
 * lock, migration 0013), so every id up to that head is either here or never will be.
 */
export function changesAfter(db: Db, opts: FeedRead): Promise<ChangeRow[]> {
  return rowsOf<ChangeRow>(db, changesAfterQuery(opts));
}

export interface FeedRead {
  since: number;
  limit: number;
  election?: string | undefined;
  country?: string | undefined;
  kind?: string | undefined;
}

/** The statement of changesAfter (the bench's raw-pg baseline runs it too). */
export function changesAfterQuery(opts: FeedRead): SQL {
  const filters = [
    opts.election === undefined ? sql`` : sql` and c.election_id = ${opts.election}`,
    opts.country === undefined ? sql`` : sql` and c.country_code = ${opts.country}`,
    opts.kind === undefined ? sql`` : sql` and c.kind = ${opts.kind}`,
  ];
  return sql`select h.head::text as head, c.id::text as id,
        to_char(c.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at,
        c.kind, c.action, c.resource_id, c.election_id, c.country_code, c.contest, c.version, c.url
      from (select max(id) as head from changes) h
      left join lateral (
        select * from changes c where c.id > ${opts.since}${sql.join(filters, sql``)}
        order by c.id limit ${opts.limit}
      ) c on true
      order by c.id`;
}

/** The feed's newest id, or null while it is empty. */
export async function feedHead(db: Db): Promise<string | null> {
  const [row] = await rowsOf<{ head: string | null }>(db, sql`select max(id)::text as head from changes`);
  return row?.head ?? null;
}

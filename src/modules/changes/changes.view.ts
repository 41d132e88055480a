import type { Change, ChangeRow } from './changes.repository.js';

/** A change as the feed and the streams show it (the Change schema). */
export const changeItem = (r: Change) => ({
  id: r.id,
  at: r.at,
  kind: r.kind,
  action: r.action,
  resourceId: r.resource_id,
  electionId: r.election_id,
  countryCode: r.country_code,
  contest: r.contest,
  version: r.version,
  url: r.url,
});

/**
 * A page of the feed (the ChangeFeed schema) from the rows changesAfter read with `limit + 1`: the
 * first `limit` changes, and `next`: with more to come, past the last change shown; otherwise past
 * every change this read saw (ids up to the head are settled), so a filtered reader does not scan
 * the rest again.
 */
export function feedPage(rows: ChangeRow[], since: number, limit: number) {
  const found = rows.filter((r): r is Change => r.id !== null);
  const shown = found.slice(0, limit);
  const more = found.length > limit;
  const last = more ? shown.at(-1)!.id : (rows[0]?.head ?? null);
  return {
    data: shown.map(changeItem),
    next: last !== null && Number(last) > since ? last : String(since),
    more,
  };
}

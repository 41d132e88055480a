// Writes result versions with their lines, areas and sources: the one writer behind the seed,
// `npm run import` and the publish route. Versions are append-only; this only ever inserts.
import type { Db } from './client.js';
import { resultAreas, resultVersionSources, resultVersions, voteShares } from './schema/index.js';

export interface VersionRows {
  version: typeof resultVersions.$inferInsert;
  /** Lines for the contest's own area (areaId null) and for the version's areas. */
  lines: Omit<typeof voteShares.$inferInsert, 'versionId'>[];
  areas: Omit<typeof resultAreas.$inferInsert, 'versionId'>[];
  additionalSources: Omit<typeof resultVersionSources.$inferInsert, 'versionId'>[];
}

const BATCH = 1000;
function* chunks<T>(items: T[], size = BATCH): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/**
 * Inserts the versions in order, with their rows, in a few statements per batch of versions; returns
 * their ids. `onLines` hears how many lines each batch wrote.
 */
export async function insertVersions(db: Db, versions: VersionRows[], onLines?: (lines: number) => void) {
  const ids: number[] = [];
  for (const part of chunks(versions, 200)) {
    const inserted = await db
      .insert(resultVersions)
      .values(part.map((v) => v.version))
      .returning({ id: resultVersions.id, contestId: resultVersions.contestId, number: resultVersions.number });
    // Matched by key: RETURNING's row order is not a documented guarantee.
    const idOf = new Map(inserted.map((r) => [`${r.contestId}#${r.number}`, r.id]));
    const partIds = part.map((v) => idOf.get(`${v.version.contestId}#${v.version.number}`)!);
    ids.push(...partIds);
    const areas = part.flatMap((v, i) => v.areas.map((a) => ({ ...a, versionId: partIds[i]! })));
    for (const batch of chunks(areas)) await db.insert(resultAreas).values(batch);
    const lines = part.flatMap((v, i) => v.lines.map((l) => ({ ...l, versionId: partIds[i]! })));
    for (const batch of chunks(lines)) await db.insert(voteShares).values(batch);
    const extra = part.flatMap((v, i) => v.additionalSources.map((s) => ({ ...s, versionId: partIds[i]! })));
    if (extra.length) await db.insert(resultVersionSources).values(extra);
    onLines?.(lines.length);
  }
  return ids;
}

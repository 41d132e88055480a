import { and, asc, eq, gt, gte, inArray, isNull, like, lte, or, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { sourceRefColumns } from '../sources/sources.repository.js';
import { identifiersColumn } from '../identifiers/identifiers.repository.js';
import { ISO_3166_1_SOURCE, ownNameRows, syncOwnNames } from '../../db/names.js';
import { areas, sources } from '../../db/schema/index.js';
import { changedSince } from '../../db/changed-since.js';

const columns = {
  area: areas,
  source: sourceRefColumns,
  identifiers: identifiersColumn('area', areas.id),
};

export type AreaRow = NonNullable<Awaited<ReturnType<typeof findArea>>>;

export interface AreaFilter {
  /** A searchKey: [a-z0-9-] only, so it needs no LIKE escaping. */
  key?: string;
  isoCode?: string;
  country?: string;
  level?: (typeof areas.$inferSelect)['level'];
  parent?: string;
  validOn?: string;
  /** Only areas created or edited at or after this instant (ISO 8601, UTC). */
  updatedSince?: string;
  after?: string;
  limit: number;
}

export function listAreas(db: Db, f: AreaFilter) {
  const where: (SQL | undefined)[] = [
    f.key === undefined
      ? undefined
      : or(like(areas.id, `%${f.key}%`), f.isoCode ? eq(areas.isoCode, f.isoCode) : undefined),
    f.country ? eq(areas.countryCode, f.country) : undefined,
    f.level ? eq(areas.level, f.level) : undefined,
    f.parent ? eq(areas.parentId, f.parent) : undefined,
    f.validOn ? or(isNull(areas.validFrom), lte(areas.validFrom, f.validOn)) : undefined,
    f.validOn ? or(isNull(areas.validTo), gte(areas.validTo, f.validOn)) : undefined,
    f.updatedSince === undefined ? undefined : changedSince(areas.id, ['area'], f.updatedSince),
    f.after === undefined ? undefined : gt(areas.id, f.after),
  ];
  return db
    .select(columns)
    .from(areas)
    .leftJoin(sources, eq(sources.id, areas.sourceId))
    .where(and(...where))
    .orderBy(asc(areas.id))
    .limit(f.limit);
}

export async function findArea(db: Db, id: string) {
  const [row] = await db
    .select(columns)
    .from(areas)
    .leftJoin(sources, eq(sources.id, areas.sourceId))
    .where(eq(areas.id, id));
  return row;
}

/** Which of `ids` are areas, with the dates they existed. */
export async function knownAreas(db: Db, ids: string[]) {
  if (ids.length === 0) return new Map<string, typeof areas.$inferSelect>();
  const rows = await db
    .select()
    .from(areas)
    .where(inArray(areas.id, [...new Set(ids)]));
  return new Map(rows.map((r) => [r.id, r]));
}

/** The id of the area with this ISO 3166-2 code, if any. */
export async function areaWithIsoCode(db: Db, isoCode: string): Promise<string | undefined> {
  const [row] = await db.select({ id: areas.id }).from(areas).where(eq(areas.isoCode, isoCode));
  return row?.id;
}

export async function insertArea(db: Db, values: typeof areas.$inferInsert) {
  await db.insert(areas).values(values);
  await syncOwnNames(
    db,
    'area',
    values.id,
    ownNameRows('area', values.id, values, values.sourceId ?? ISO_3166_1_SOURCE),
  );
}

/**
 * What the results rules need to know of the areas a new version names: each named area and its
 * ancestors (id, parent, dates), and, for each named area and the contest's own, the areas
 * directly within it that existed on polling day.
 */
export async function areaContext(db: Db, ids: string[], contestAreaId: string, pollingDay: string) {
  const named = [...new Set([...ids, contestAreaId])];
  const rows = (await db.execute(sql`
    with recursive up(id) as (
      select id from areas where id in (${sql.join(
        named.map((id) => sql`${id}`),
        sql`, `,
      )})
      union
      select a.parent_id from areas a join up on a.id = up.id where a.parent_id is not null
    )
    select id, parent_id, valid_from::text, valid_to::text from areas where id in (select id from up)`)) as {
    rows: { id: string; parent_id: string | null; valid_from: string | null; valid_to: string | null }[];
  };
  const areaFacts = new Map(
    rows.rows.map((r) => [r.id, { id: r.id, parentId: r.parent_id, validFrom: r.valid_from, validTo: r.valid_to }]),
  );
  const kids = await db
    .select({ id: areas.id, parentId: areas.parentId })
    .from(areas)
    .where(
      and(
        inArray(areas.parentId, named),
        or(isNull(areas.validFrom), lte(areas.validFrom, pollingDay)),
        or(isNull(areas.validTo), gte(areas.validTo, pollingDay)),
      ),
    );
  const children = new Map<string, string[]>(named.map((id) => [id, []]));
  for (const k of kids) children.get(k.parentId!)?.push(k.id);
  return { areas: areaFacts, children };
}

/** Whether `id` is `ancestorId` or lies within it. */
export async function isWithin(db: Db, id: string, ancestorId: string): Promise<boolean> {
  if (id === ancestorId) return true;
  const rows = (await db.execute(sql`
    with recursive up(id) as (
      select parent_id from areas where id = ${id} and parent_id is not null
      union
      select a.parent_id from areas a join up on a.id = up.id where a.parent_id is not null
    )
    select exists (select 1 from up where id = ${ancestorId}) as found`)) as { rows: { found: boolean }[] };
  return rows.rows[0]?.found === true;
}

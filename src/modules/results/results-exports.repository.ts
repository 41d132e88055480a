// What the CDF and the charts need beside a version's document: the organisations behind its lines
// (colour, abbreviation, alliance members), the area tree its figures hang on, the area levels a
// version has figures for, and the version with figures for the most areas at a level.
import { and, asc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import {
  areas,
  contests,
  organisationMembers,
  organisations,
  resultAreas,
  resultVersions,
} from '../../db/schema/index.js';

export type OrganisationFacts = Pick<
  typeof organisations.$inferSelect,
  'id' | 'name' | 'kind' | 'shortName' | 'abbreviation' | 'colour'
> & {
  /** For an alliance: its members' ids. */
  memberIds: string[];
};

// Alliances of alliances are followed this deep; a cycle in the data stops here too.
const MAX_ALLIANCE_DEPTH = 5;

/** The organisations `ids`, and the members of any alliance among them (and theirs), by id. */
export async function organisationFacts(db: Db, ids: Iterable<string>): Promise<Map<string, OrganisationFacts>> {
  const found = new Map<string, OrganisationFacts>();
  let wanted = [...new Set(ids)];
  for (let depth = 0; wanted.length > 0 && depth <= MAX_ALLIANCE_DEPTH; depth++) {
    const rows = await db
      .select({
        id: organisations.id,
        name: organisations.name,
        kind: organisations.kind,
        shortName: organisations.shortName,
        abbreviation: organisations.abbreviation,
        colour: organisations.colour,
      })
      .from(organisations)
      .where(inArray(organisations.id, wanted));
    for (const row of rows) found.set(row.id, { ...row, memberIds: [] });
    const members = await db
      .select({ allianceId: organisationMembers.allianceId, memberId: organisationMembers.memberId })
      .from(organisationMembers)
      .where(inArray(organisationMembers.allianceId, wanted))
      .orderBy(asc(organisationMembers.allianceId), asc(organisationMembers.memberId));
    for (const m of members) found.get(m.allianceId)?.memberIds.push(m.memberId);
    wanted = [...new Set(members.map((m) => m.memberId))].filter((id) => !found.has(id));
  }
  return found;
}

export type AreaNode = Pick<
  typeof areas.$inferSelect,
  'id' | 'parentId' | 'level' | 'name' | 'isoCode' | 'authorityCode'
>;

/** The areas `ids` and every area they lie within, up to their countries. */
export async function areaTree(db: Db, ids: Iterable<string>): Promise<AreaNode[]> {
  const named = [...new Set(ids)];
  if (named.length === 0) return [];
  const result = (await db.execute(sql`
    with recursive up(id) as (
      select id from areas where id in (${sql.join(
        named.map((id) => sql`${id}`),
        sql`, `,
      )})
      union
      select a.parent_id from areas a join up on a.id = up.id where a.parent_id is not null
    )
    select id, parent_id, level::text as level, name, iso_code, authority_code
    from areas where id in (select id from up) order by id`)) as {
    rows: {
      id: string;
      parent_id: string | null;
      level: AreaNode['level'];
      name: string;
      iso_code: string | null;
      authority_code: string | null;
    }[];
  };
  return result.rows.map((r) => ({
    id: r.id,
    parentId: r.parent_id,
    level: r.level,
    name: r.name,
    isoCode: r.iso_code,
    authorityCode: r.authority_code,
  }));
}

/** The contest `slug` of the election, or its main contest when `slug` is undefined. */
const contestIs = (electionId: string, slug: string | undefined): SQL =>
  and(eq(contests.electionId, electionId), slug === undefined ? eq(contests.main, true) : eq(contests.slug, slug))!;

/** The levels of the areas version `number` of a contest gives figures for (besides its own area). */
export async function versionAreaLevels(
  db: Db,
  q: { electionId: string; contest?: string | undefined; number: number },
): Promise<AreaNode['level'][]> {
  const rows = await db
    .selectDistinct({ level: areas.level })
    .from(contests)
    .innerJoin(resultVersions, and(eq(resultVersions.contestId, contests.id), eq(resultVersions.number, q.number)))
    .innerJoin(resultAreas, eq(resultAreas.versionId, resultVersions.id))
    .innerJoin(areas, eq(areas.id, resultAreas.areaId))
    .where(contestIs(q.electionId, q.contest))
    .orderBy(asc(areas.level));
  return rows.map((r) => r.level);
}

/**
 * The version of a contest with a figure for the most areas at `level` within `within`, the newest
 * among equals: a turnout (as published, or ballots cast and registered voters to compute it from),
 * or with `line`, a published percentage of that line (a candidate id, a party's organisation id,
 * or a label, matched case-insensitively). Undefined when no version has one.
 */
export async function versionWithMostAreas(
  db: Db,
  q: { electionId: string; contest?: string | undefined; level: AreaNode['level']; within: string; line?: string },
): Promise<number | undefined> {
  const figure =
    q.line === undefined
      ? sql`(ra.turnout_percent is not null or (ra.ballots_cast is not null and ra.registered_voters > 0))`
      : sql`exists (
          select 1 from vote_shares vs
          where vs.version_id = rv.id and vs.area_id = a.id and vs.percent is not null
            and (vs.candidate_id = ${q.line} or (vs.kind = 'party' and vs.nominator_id = ${q.line})
              or lower(vs.label) = lower(${q.line})))`;
  const result = (await db.execute(sql`
    with recursive within(id) as (
      select id from areas where parent_id = ${q.within}
      union all
      select a.id from areas a join within w on a.parent_id = w.id
    )
    select rv.number, count(*) as areas
    from contests c
    join result_versions rv on rv.contest_id = c.id
    join result_areas ra on ra.version_id = rv.id
    join areas a on a.id = ra.area_id and a.level = ${q.level}::area_level
    where c.election_id = ${q.electionId}
      and ${q.contest === undefined ? sql`c.main` : sql`c.slug = ${q.contest}`}
      and a.id in (select id from within)
      and ${figure}
    group by rv.number
    order by count(*) desc, rv.number desc
    limit 1`)) as { rows: { number: number | string }[] };
  const number = result.rows[0]?.number;
  return number === undefined ? undefined : Number(number);
}

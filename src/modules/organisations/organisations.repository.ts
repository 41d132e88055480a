import { and, asc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../../db/client.js';
import { preparedPages, preparedPer } from '../../db/prepared.js';
import { sourceRefColumns } from '../sources/sources.repository.js';
import { identifiersColumn } from '../identifiers/identifiers.repository.js';
import { ownNameRows, syncOwnNames } from '../../db/names.js';
import {
  candidates,
  contests,
  elections,
  organisationMembers,
  organisations,
  resultVersions,
  sources,
  voteShares,
} from '../../db/schema/index.js';
import { isCurrent } from '../results/results.repository.js';
import { changedSince } from '../../db/changed-since.js';

const colourSource = alias(sources, 'colour_source');

const columns = {
  id: organisations.id,
  name: organisations.name,
  kind: organisations.kind,
  shortName: organisations.shortName,
  abbreviation: organisations.abbreviation,
  colour: organisations.colour,
  colourSourceId: organisations.colourSourceId,
  revision: organisations.revision,
  // Left-joined: drizzle gives null for the whole object when there is no colour source.
  colourSource: {
    id: colourSource.id,
    publisher: colourSource.publisher,
    title: colourSource.title,
    url: colourSource.url,
  },
  source: sourceRefColumns,
  identifiers: identifiersColumn('party', organisations.id),
};

function organisationQuery(db: Db) {
  return db
    .select(columns)
    .from(organisations)
    .innerJoin(sources, eq(sources.id, organisations.sourceId))
    .leftJoin(colourSource, eq(colourSource.id, organisations.colourSourceId));
}

type OrganisationBase = Awaited<ReturnType<ReturnType<typeof organisationQuery>['execute']>>[number];
export interface Membership {
  id: string;
  name: string;
  sourceId: string;
}
/** An organisation's row (its identifiers a column of its statement) with its alliance links. */
export type OrganisationRow = OrganisationBase & {
  members: Membership[];
  memberOf: Membership[];
};

/** The alliance links that involve any of `ids` (an array): a prepared statement. */
const membershipsStatement = preparedPer((db) => {
  const member = alias(organisations, 'member');
  const alliance = alias(organisations, 'alliance');
  const ids = sql`${sql.placeholder('ids')}::text[]`;
  return db
    .select({
      allianceId: organisationMembers.allianceId,
      allianceName: alliance.name,
      memberId: organisationMembers.memberId,
      memberName: member.name,
      sourceId: organisationMembers.sourceId,
    })
    .from(organisationMembers)
    .innerJoin(member, eq(member.id, organisationMembers.memberId))
    .innerJoin(alliance, eq(alliance.id, organisationMembers.allianceId))
    .where(sql`${organisationMembers.allianceId} = any(${ids}) or ${organisationMembers.memberId} = any(${ids})`)
    .orderBy(asc(organisationMembers.allianceId), asc(organisationMembers.memberId))
    .prepare('organisation_memberships');
});

const findOrganisationStatement = preparedPer((db) =>
  organisationQuery(db)
    .where(eq(organisations.id, sql.placeholder('id')))
    .prepare('find_organisation'),
);

/** The rows with their alliance members and the alliances they belong to: one query for the lot. */
async function withMemberships(db: Db, rows: OrganisationBase[]): Promise<OrganisationRow[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const links = await membershipsStatement(db).execute({ ids });
  // Each link once, into its alliance's members and its member's alliances (in the links' order),
  // rather than every row scanning every link.
  const members = new Map<string, { id: string; name: string; sourceId: string }[]>();
  const memberOf = new Map<string, { id: string; name: string; sourceId: string }[]>();
  const add = <T>(map: Map<string, T[]>, key: string, value: T) => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  for (const l of links) {
    add(members, l.allianceId, { id: l.memberId, name: l.memberName, sourceId: l.sourceId });
    add(memberOf, l.memberId, { id: l.allianceId, name: l.allianceName, sourceId: l.sourceId });
  }
  // The rows were read for this call alone, so they are completed in place: a copy made with a
  // spread is slower for the compiled serializer to write.
  return rows.map((row) =>
    Object.assign(row, {
      members: members.get(row.id) ?? [],
      memberOf: memberOf.get(row.id) ?? [],
    }),
  );
}

// A page: the first, or the one after an id (prepared statements, see src/db/prepared.ts).
const listPage = preparedPages('list_organisations', (db, after, since, limit) =>
  organisationQuery(db)
    .where(and(after && gt(organisations.id, after), since && changedSince(organisations.id, ['organisation'], since)))
    .orderBy(asc(organisations.id))
    .limit(limit),
);

export async function listOrganisations(db: Db, opts: { after?: string; limit: number; since?: string }) {
  return withMemberships(db, await listPage(db, opts));
}

export async function findOrganisation(db: Db, id: string): Promise<OrganisationRow | undefined> {
  const rows = await findOrganisationStatement(db).execute({ id });
  const [row] = await withMemberships(db, rows);
  return row;
}

/** Which of `ids` name an organisation, with its kind. */
export async function organisationKinds(db: Db, ids: string[]) {
  if (ids.length === 0) return new Map<string, OrganisationBase['kind']>();
  const rows = await db
    .select({ id: organisations.id, kind: organisations.kind })
    .from(organisations)
    .where(inArray(organisations.id, ids));
  return new Map(rows.map((r) => [r.id, r.kind]));
}

/** Which of `ids` name a source. */
export async function existingSourceIds(db: Db, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.select({ id: sources.id }).from(sources).where(inArray(sources.id, ids));
  return new Set(rows.map((r) => r.id));
}

export async function insertOrganisation(
  db: Db,
  values: typeof organisations.$inferInsert,
  members: { memberId: string; sourceId: string }[] = [],
) {
  await db.insert(organisations).values(values);
  await syncOwnNames(db, 'party', values.id, ownNameRows('party', values.id, values, values.sourceId));
  if (members.length)
    await db.insert(organisationMembers).values(members.map((m) => ({ allianceId: values.id, ...m })));
}

export interface OrganisationResultFilter {
  versions: 'current' | 'all';
  contestKind?: (typeof contests.$inferSelect)['kind'];
  /** Keyset: (polling day, line id) of the last row of the previous page. */
  after?: [string, number];
  limit: number;
}

/**
 * The lines of an organisation at each contest's own area: its party lists and the candidates it
 * nominated, oldest polling day first, then in the order the lines were recorded.
 */
export function listOrganisationResults(db: Db, organisationId: string, f: OrganisationResultFilter) {
  return db
    .select({
      id: voteShares.id,
      electionId: elections.id,
      countryCode: elections.countryCode,
      date: elections.date,
      type: elections.type,
      round: elections.round,
      contest: contests.slug,
      contestName: contests.name,
      contestKind: contests.kind,
      contestSeats: contests.seats,
      areaId: contests.areaId,
      version: resultVersions.number,
      status: resultVersions.status,
      current: isCurrent,
      asOf: resultVersions.asOf,
      kind: voteShares.kind,
      candidateId: voteShares.candidateId,
      candidateName: candidates.name,
      votes: voteShares.votes,
      percent: voteShares.percent,
      percentBase: resultVersions.percentBase,
      rank: voteShares.rank,
      outcome: voteShares.outcome,
      seats: voteShares.seats,
      sourceId: resultVersions.sourceId,
    })
    .from(voteShares)
    .innerJoin(resultVersions, eq(resultVersions.id, voteShares.versionId))
    .innerJoin(contests, eq(contests.id, resultVersions.contestId))
    .innerJoin(elections, eq(elections.id, resultVersions.electionId))
    .leftJoin(candidates, eq(candidates.id, voteShares.candidateId))
    .where(
      and(
        eq(voteShares.nominatorId, organisationId),
        isNull(voteShares.areaId),
        f.versions === 'current' ? isCurrent : undefined,
        f.contestKind ? eq(contests.kind, f.contestKind) : undefined,
        f.after ? sql`(${elections.date}, ${voteShares.id}) > (${f.after[0]}::date, ${f.after[1]})` : undefined,
      ),
    )
    .orderBy(asc(elections.date), asc(voteShares.id))
    .limit(f.limit);
}

export type OrganisationResultRow = Awaited<ReturnType<typeof listOrganisationResults>>[number];

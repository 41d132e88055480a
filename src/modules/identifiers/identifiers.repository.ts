import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { areas, externalIds, sources } from '../../db/schema/index.js';
import type { IdentifierScheme } from './identifiers.schemas.js';

export type IdentifiedKind = 'person' | 'party' | 'area' | 'election';

export interface Identifier {
  scheme: IdentifierScheme;
  value: string;
  url: string | null;
  source: { id: string; publisher: string; title: string | null; url: string | null } | null;
}

const column = {
  person: externalIds.candidateId,
  party: externalIds.organisationId,
  area: externalIds.areaId,
  election: externalIds.electionId,
} as const;

const PAGES: Partial<Record<IdentifierScheme, (value: string) => string>> = {
  wikidata: (v) => `https://www.wikidata.org/wiki/${v}`,
  electionguide: (v) => `https://www.electionguide.org/elections/id/${encodeURIComponent(v)}/`,
};
const pageOf = (scheme: IdentifierScheme, value: string) => PAGES[scheme]?.(value) ?? null;

/** The identifiers of each of `ids` (of one kind), in scheme order; every id gets a list. */
export async function identifiersOf(db: Db, kind: IdentifiedKind, ids: string[]): Promise<Map<string, Identifier[]>> {
  const out = new Map(ids.map((id) => [id, [] as Identifier[]]));
  if (ids.length === 0) return out;
  const owner = column[kind];
  const rows = await db
    .select({
      owner: sql<string>`${owner}`,
      scheme: externalIds.scheme,
      value: externalIds.value,
      source: { id: sources.id, publisher: sources.publisher, title: sources.title, url: sources.url },
    })
    .from(externalIds)
    .innerJoin(sources, eq(sources.id, externalIds.sourceId))
    .where(inArray(owner, ids))
    .orderBy(externalIds.scheme, externalIds.value);
  for (const r of rows)
    out.get(r.owner)?.push({ scheme: r.scheme, value: r.value, url: pageOf(r.scheme, r.value), source: r.source });
  if (kind === 'area') {
    const coded = await db
      .select({
        id: areas.id,
        isoCode: areas.isoCode,
        source: { id: sources.id, publisher: sources.publisher, title: sources.title, url: sources.url },
      })
      .from(areas)
      .leftJoin(sources, eq(sources.id, areas.sourceId))
      .where(and(inArray(areas.id, ids), isNotNull(areas.isoCode)));
    for (const a of coded)
      out.get(a.id)?.push({
        scheme: 'iso-3166-2',
        value: a.isoCode!,
        url: null,
        source: a.source?.id ? a.source : null,
      });
  }
  return out;
}

/** Adds `identifiers` to each row: one query for the page. */
export async function withIdentifiers<R>(
  db: Db,
  kind: IdentifiedKind,
  rows: R[],
  idOf: (row: R) => string,
): Promise<(R & { identifiers: Identifier[] })[]> {
  const found = await identifiersOf(db, kind, rows.map(idOf));
  return rows.map((r) => ({ ...r, identifiers: found.get(idOf(r)) ?? [] }));
}

/** A CSV cell: scheme:value pairs separated by spaces. */
export const identifierCell = (list: Identifier[]) => list.map((i) => `${i.scheme}:${i.value}`).join(' ');

/**
 * The id of the record of this kind with this identifier, if any: from `?wikidata=` or
 * `?identifier=scheme:value`. Undefined when neither is given; null when no record has it.
 */
export async function lookUp(
  db: Db,
  kind: IdentifiedKind,
  query: { wikidata?: string | undefined; identifier?: string | undefined },
): Promise<string | null | undefined> {
  const wanted: [string, string][] = [];
  if (query.wikidata !== undefined) wanted.push(['wikidata', query.wikidata]);
  if (query.identifier !== undefined) {
    const at = query.identifier.indexOf(':');
    wanted.push([query.identifier.slice(0, at), query.identifier.slice(at + 1)]);
  }
  if (wanted.length === 0) return undefined;
  const found = new Set<string | null>();
  for (const [scheme, value] of wanted) {
    if (scheme === 'iso-3166-2') {
      const [row] =
        kind === 'area' ? await db.select({ id: areas.id }).from(areas).where(eq(areas.isoCode, value)) : [];
      found.add(row?.id ?? null);
      continue;
    }
    const owner = column[kind];
    const [row] = await db
      .select({ id: sql<string | null>`${owner}` })
      .from(externalIds)
      .where(
        and(
          eq(externalIds.scheme, scheme as (typeof externalIds.scheme.enumValues)[number]),
          eq(externalIds.value, value),
        ),
      );
    found.add(row?.id ?? null);
  }
  // Both given: the record must have both.
  return found.size === 1 ? [...found][0]! : null;
}

import { and, asc, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { names, sources } from '../../db/schema/index.js';

export type NamedKind = 'person' | 'party' | 'area' | 'election';

const column = {
  person: names.candidateId,
  party: names.organisationId,
  area: names.areaId,
  election: names.electionId,
} as const;

export interface StoredName {
  name: string;
  lang: string;
  kind: (typeof names.kind.enumValues)[number];
  preferred: boolean;
  validFrom: string | null;
  validTo: string | null;
  source: { id: string; publisher: string; title: string | null; url: string | null };
}

/** Every stored name of each of `ids` (of one kind): preferred first, then by language and name. */
export async function namesOf(db: Db, kind: NamedKind, ids: string[]): Promise<Map<string, StoredName[]>> {
  const out = new Map(ids.map((id) => [id, [] as StoredName[]]));
  if (ids.length === 0) return out;
  const owner = column[kind];
  const rows = await db
    .select({
      owner,
      name: names.name,
      lang: names.lang,
      kind: names.kind,
      preferred: names.preferred,
      validFrom: names.validFrom,
      validTo: names.validTo,
      source: { id: sources.id, publisher: sources.publisher, title: sources.title, url: sources.url },
    })
    .from(names)
    .innerJoin(sources, eq(sources.id, names.sourceId))
    .where(and(isNotNull(owner), inArray(owner, ids)))
    .orderBy(asc(names.kind), asc(names.lang), asc(names.name));
  for (const { owner: id, ...name } of rows) if (id !== null) out.get(id)?.push(name);
  for (const list of out.values()) list.sort((a, b) => Number(b.preferred) - Number(a.preferred));
  return out;
}

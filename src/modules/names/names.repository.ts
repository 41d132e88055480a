import { and, asc, desc, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { type SubjectKind, subjectColumn } from '../../db/names.js';
import { names, sources } from '../../db/schema/index.js';
import { sourceRefColumns } from '../sources/sources.repository.js';

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
export async function namesOf(db: Db, kind: SubjectKind, ids: string[]): Promise<Map<string, StoredName[]>> {
  const out = new Map(ids.map((id) => [id, [] as StoredName[]]));
  if (ids.length === 0) return out;
  const owner = subjectColumn(names, kind);
  const rows = await db
    .select({
      owner,
      name: names.name,
      lang: names.lang,
      kind: names.kind,
      preferred: names.preferred,
      validFrom: names.validFrom,
      validTo: names.validTo,
      source: sourceRefColumns,
    })
    .from(names)
    .innerJoin(sources, eq(sources.id, names.sourceId))
    .where(and(isNotNull(owner), inArray(owner, ids)))
    .orderBy(desc(names.preferred), asc(names.kind), asc(names.lang), asc(names.name));
  for (const { owner: id, ...name } of rows) if (id !== null) out.get(id)?.push(name);
  return out;
}

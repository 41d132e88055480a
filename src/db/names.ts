// The records' own names, mirrored into `names` so that one trigram index searches every name of
// every kind: written with the record (POST, the importer, db:synth's bulk load), and filled at
// start-up for rows written before the names table existed.
import { and, eq, inArray, notExists, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { nameKey } from '../lib/name-key.js';
import type { Db } from './client.js';
import * as t from './schema/index.js';

/** What a name or an identifier belongs to: a person, a party (any organisation), an area, an election. */
export const SUBJECT_KINDS = ['person', 'party', 'area', 'election'] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];

/** The property of a `names` or `external_ids` row that holds a subject of this kind. */
export const SUBJECT_KEY = {
  person: 'candidateId',
  party: 'organisationId',
  area: 'areaId',
  election: 'electionId',
} as const satisfies Record<SubjectKind, keyof typeof t.names.$inferInsert>;

/** The column of `names` or `external_ids` that holds a subject of this kind. */
export const subjectColumn = (table: typeof t.names | typeof t.externalIds, kind: SubjectKind) =>
  table[SUBJECT_KEY[kind]];

type NameRow = typeof t.names.$inferInsert;

/** Where a country's own area gets its name: the ISO 3166-1 source the seed writes (src/db/seed.ts). */
export const ISO_3166_1_SOURCE = 'iso-3166-1';

/** The `names` rows of a record's own English fields: its name, and a party's short name and abbreviation. */
export function ownNameRows(
  kind: SubjectKind,
  id: string,
  record: { name: string; shortName?: string | null; abbreviation?: string | null },
  sourceId: string,
): NameRow[] {
  const rows: NameRow[] = [];
  const add = (name: string | null | undefined, nameKind: 'name' | 'short' | 'abbreviation') => {
    if (!name || rows.some((r) => r.kind === nameKind && r.name === name)) return;
    rows.push({
      [SUBJECT_KEY[kind]]: id,
      name,
      lang: 'en',
      kind: nameKind,
      preferred: true,
      searchKey: nameKey(name),
      sourceId,
    });
  };
  add(record.name, 'name');
  add(record.shortName, 'short');
  add(record.abbreviation, 'abbreviation');
  return rows;
}

/** Replaces the mirrored English names of one record (after it was created or edited). */
export async function syncOwnNames(tx: Db, kind: SubjectKind, id: string, rows: NameRow[]): Promise<void> {
  await tx
    .delete(t.names)
    .where(
      and(
        eq(subjectColumn(t.names, kind), id),
        eq(t.names.lang, 'en'),
        eq(t.names.preferred, true),
        inArray(t.names.kind, ['name', 'short', 'abbreviation']),
      ),
    );
  if (rows.length) await tx.insert(t.names).values(rows).onConflictDoNothing();
}

const BATCH = 5000;

/**
 * Mirrors the names of every candidate, organisation and area that has none in `names` yet: a
 * no-op (and no write) once every record has its row.
 */
export async function fillOwnNames(tx: Db): Promise<void> {
  const withoutOwn = (kind: SubjectKind, id: AnyPgColumn) =>
    notExists(
      tx
        .select({ one: sql`1` })
        .from(t.names)
        .where(
          and(
            eq(subjectColumn(t.names, kind), id),
            eq(t.names.lang, 'en'),
            eq(t.names.kind, 'name'),
            eq(t.names.preferred, true),
          ),
        ),
    );
  const { candidates: c, organisations: o, areas: a } = t;
  const missing = [
    ...(
      await tx.select({ id: c.id, name: c.name, sourceId: c.sourceId }).from(c).where(withoutOwn('person', c.id))
    ).flatMap((r) => ownNameRows('person', r.id, r, r.sourceId)),
    ...(
      await tx
        .select({ id: o.id, name: o.name, shortName: o.shortName, abbreviation: o.abbreviation, sourceId: o.sourceId })
        .from(o)
        .where(withoutOwn('party', o.id))
    ).flatMap((r) => ownNameRows('party', r.id, r, r.sourceId)),
    ...(
      await tx.select({ id: a.id, name: a.name, sourceId: a.sourceId }).from(a).where(withoutOwn('area', a.id))
    ).flatMap((r) => ownNameRows('area', r.id, r, r.sourceId ?? ISO_3166_1_SOURCE)),
  ];
  for (let i = 0; i < missing.length; i += BATCH)
    await tx
      .insert(t.names)
      .values(missing.slice(i, i + BATCH))
      .onConflictDoNothing();
}

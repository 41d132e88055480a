// The records' own names, mirrored into `names` so that one trigram index searches every name of
// every kind: written with the record (POST), and filled at start-up for rows written before the
// names table existed (or by a tool that writes the tables directly, like db:synth's bulk load).
import { and, eq, inArray, notExists, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { nameKey } from '../lib/name-key.js';
import type { Db } from './client.js';
import * as t from './schema/index.js';

export type Subject =
  { candidateId: string } | { organisationId: string } | { areaId: string } | { electionId: string };

type NameRow = typeof t.names.$inferInsert;

/** Where a country's own area gets its name: the ISO 3166-1 source the seed writes (src/db/seed.ts). */
export const ISO_3166_1_SOURCE = 'iso-3166-1';

/** The `names` rows of a record's own English fields: its name, and a party's short name and abbreviation. */
export function ownNameRows(
  subject: Subject,
  record: { name: string; shortName?: string | null; abbreviation?: string | null },
  sourceId: string,
): NameRow[] {
  const rows: NameRow[] = [];
  const add = (name: string | null | undefined, kind: 'name' | 'short' | 'abbreviation') => {
    if (!name || rows.some((r) => r.kind === kind && r.name === name)) return;
    rows.push({ ...subject, name, lang: 'en', kind, preferred: true, searchKey: nameKey(name), sourceId });
  };
  add(record.name, 'name');
  add(record.shortName, 'short');
  add(record.abbreviation, 'abbreviation');
  return rows;
}

const subjectColumn = (subject: Subject) =>
  'candidateId' in subject
    ? eq(t.names.candidateId, subject.candidateId)
    : 'organisationId' in subject
      ? eq(t.names.organisationId, subject.organisationId)
      : 'areaId' in subject
        ? eq(t.names.areaId, subject.areaId)
        : eq(t.names.electionId, subject.electionId);

/** Replaces the mirrored English names of one record (after it was created or edited). */
export async function syncOwnNames(tx: Db, subject: Subject, rows: NameRow[]): Promise<void> {
  await tx
    .delete(t.names)
    .where(
      and(
        subjectColumn(subject),
        eq(t.names.lang, 'en'),
        eq(t.names.preferred, true),
        inArray(t.names.kind, ['name', 'short', 'abbreviation']),
      ),
    );
  if (rows.length) await tx.insert(t.names).values(rows).onConflictDoNothing();
}

const BATCH = 5000;

async function insertInBatches(tx: Db, rows: NameRow[]) {
  for (let i = 0; i < rows.length; i += BATCH) {
    await tx
      .insert(t.names)
      .values(rows.slice(i, i + BATCH))
      .onConflictDoNothing();
  }
}

/**
 * Mirrors the names of every candidate, organisation and area that has none in `names` yet: a
 * no-op (and no write) once every record has its row.
 */
export async function fillOwnNames(tx: Db): Promise<void> {
  const hasOwn = (column: AnyPgColumn, id: AnyPgColumn) =>
    notExists(
      tx
        .select({ one: sql`1` })
        .from(t.names)
        .where(and(eq(column, id), eq(t.names.lang, 'en'), eq(t.names.kind, 'name'), eq(t.names.preferred, true))),
    );
  const candidates = await tx
    .select({ id: t.candidates.id, name: t.candidates.name, sourceId: t.candidates.sourceId })
    .from(t.candidates)
    .where(hasOwn(t.names.candidateId, t.candidates.id));
  await insertInBatches(
    tx,
    candidates.flatMap((c) => ownNameRows({ candidateId: c.id }, c, c.sourceId)),
  );
  const organisations = await tx
    .select({
      id: t.organisations.id,
      name: t.organisations.name,
      shortName: t.organisations.shortName,
      abbreviation: t.organisations.abbreviation,
      sourceId: t.organisations.sourceId,
    })
    .from(t.organisations)
    .where(hasOwn(t.names.organisationId, t.organisations.id));
  await insertInBatches(
    tx,
    organisations.flatMap((o) => ownNameRows({ organisationId: o.id }, o, o.sourceId)),
  );
  const areas = await tx
    .select({ id: t.areas.id, name: t.areas.name, sourceId: t.areas.sourceId })
    .from(t.areas)
    .where(hasOwn(t.names.areaId, t.areas.id));
  await insertInBatches(
    tx,
    areas.flatMap((a) => ownNameRows({ areaId: a.id }, a, a.sourceId ?? ISO_3166_1_SOURCE)),
  );
}

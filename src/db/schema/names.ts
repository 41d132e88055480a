import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  boolean,
  check,
  index,
  integer,
  pgTable,
  text,
  unique,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { areas } from './areas.js';
import { candidates } from './candidates.js';
import { elections } from './elections.js';
import { identifierScheme, nameKind } from './enums.js';
import { organisations } from './organisations.js';
import { sources } from './sources.js';

// Exactly one of the four subjects a name or an identifier belongs to: a person, a party (any
// organisation), an area, an election. Four foreign keys rather than a (kind, id) pair, so that
// the database keeps every name attached to a record that exists.
const subjectColumns = () => ({
  candidateId: text('candidate_id').references(() => candidates.id),
  organisationId: text('organisation_id').references(() => organisations.id),
  areaId: text('area_id').references(() => areas.id),
  electionId: text('election_id').references(() => elections.id),
});
const oneSubject = (
  table: string,
  t: Record<'candidateId' | 'organisationId' | 'areaId' | 'electionId', AnyPgColumn>,
) =>
  check(
    `${table}_one_subject`,
    sql`num_nonnulls(${t.candidateId}, ${t.organisationId}, ${t.areaId}, ${t.electionId}) = 1`,
  );

// Every name a record is known by, in the languages its sources use: the record's own English
// name (mirrored here, `preferred` in `en`, so that one index searches them all), the name in
// Kazakh and Russian, spellings seen in the press, the names it had before.
export const names = pgTable(
  'names',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    ...subjectColumns(),
    name: text('name').notNull(),
    // BCP 47: en, kk (Kazakh, Cyrillic), kk-Latn, ru, uk…
    lang: text('lang').notNull(),
    kind: nameKind('kind').notNull(),
    // The name to show for this language (one per subject, language and kind).
    preferred: boolean('preferred').notNull().default(false),
    // As precise as the source states it: YYYY, YYYY-MM or YYYY-MM-DD; null when unknown.
    validFrom: text('valid_from'),
    validTo: text('valid_to'),
    // nameKey(name): every script folded to one Latin spelling (src/lib/name-key.ts).
    searchKey: text('search_key').notNull(),
    sourceId: text('source_id')
      .notNull()
      .references(() => sources.id),
  },
  (t) => [
    oneSubject('names', t),
    check('names_lang', sql`${t.lang} ~ '^[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2})?$'`),
    check('names_valid_from', sql`${t.validFrom} ~ '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$'`),
    check('names_valid_to', sql`${t.validTo} ~ '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$'`),
    unique('names_subject_lang_kind_name')
      .on(t.candidateId, t.organisationId, t.areaId, t.electionId, t.lang, t.kind, t.name)
      .nullsNotDistinct(),
    index('names_candidate_idx')
      .on(t.candidateId)
      .where(sql`${t.candidateId} is not null`),
    index('names_organisation_idx')
      .on(t.organisationId)
      .where(sql`${t.organisationId} is not null`),
    index('names_area_idx')
      .on(t.areaId)
      .where(sql`${t.areaId} is not null`),
    index('names_election_idx')
      .on(t.electionId)
      .where(sql`${t.electionId} is not null`),
    index('names_search_key_trgm_idx').using('gin', t.searchKey.op('gin_trgm_ops')),
  ],
);

// Another dataset's id for a record (Wikidata, ParlGov, ElectionGuide, OCD-ID, ISO 3166-2): what
// an analyst joins on. One scheme's id names one record.
export const externalIds = pgTable(
  'external_ids',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    ...subjectColumns(),
    scheme: identifierScheme('scheme').notNull(),
    value: text('value').notNull(),
    sourceId: text('source_id')
      .notNull()
      .references(() => sources.id),
  },
  (t) => [
    oneSubject('external_ids', t),
    uniqueIndex('external_ids_scheme_value_idx').on(t.scheme, t.value),
    index('external_ids_candidate_idx')
      .on(t.candidateId)
      .where(sql`${t.candidateId} is not null`),
    index('external_ids_organisation_idx')
      .on(t.organisationId)
      .where(sql`${t.organisationId} is not null`),
    index('external_ids_area_idx')
      .on(t.areaId)
      .where(sql`${t.areaId} is not null`),
    index('external_ids_election_idx')
      .on(t.electionId)
      .where(sql`${t.electionId} is not null`),
  ],
);

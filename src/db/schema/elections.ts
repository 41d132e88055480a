import { type AnyPgColumn, boolean, char, date, index, integer, pgTable, smallint, text } from 'drizzle-orm/pg-core';
import { countries } from './countries.js';
import { electionType } from './enums.js';
import { sources } from './sources.js';

export const elections = pgTable(
  'elections',
  {
    // {iso2}.{type}.{YYYY-MM-DD}, e.g. kz.presidential.2022-11-20
    id: text('id').primaryKey(),
    countryCode: char('country_code', { length: 2 })
      .notNull()
      .references(() => countries.code),
    type: electionType('type').notNull(),
    date: date('date', { mode: 'string' }).notNull(),
    // null when no source says whether the election was called early.
    snap: boolean('snap'),
    round: smallint('round').notNull().default(1),
    previousRoundId: text('previous_round_id').references((): AnyPgColumn => elections.id),
    termEndYear: smallint('term_end_year'),
    candidateCount: integer('candidate_count'),
    note: text('note'),
    // The newest result version's number, kept by a trigger on result_versions (migration 0006):
    // derivable, but "current lines only" must be a join condition, not a per-row subquery.
    currentVersion: integer('current_version'),
    // Bumped by every PATCH: part of the election's ETag, so If-Match catches a concurrent edit.
    revision: integer('revision').notNull().default(1),
    sourceId: text('source_id')
      .notNull()
      .references(() => sources.id),
  },
  (t) => [
    index('elections_date_id_idx').on(t.date.desc().nullsFirst(), t.id),
    index('elections_country_date_idx').on(t.countryCode, t.date.desc().nullsFirst(), t.id),
    // The runoff that follows a round (nextRoundId, a subquery per election row of every list).
    index('elections_previous_round_idx').on(t.previousRoundId),
  ],
);

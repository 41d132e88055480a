import { sql } from 'drizzle-orm';
import { boolean, index, integer, numeric, pgTable, smallint, text, unique, uniqueIndex } from 'drizzle-orm/pg-core';
import { areas } from './areas.js';
import { elections } from './elections.js';
import { contestKind } from './enums.js';
import { sources } from './sources.js';

// What is decided within an election: the presidency, the national party-list vote, one district's
// seat, one referendum question. An election has one main contest: the one /results serves.
export const contests = pgTable(
  'contests',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    electionId: text('election_id')
      .notNull()
      .references(() => elections.id),
    // Readable and stable under its election: "president", "party-list", "question-1", "district-12".
    slug: text('slug').notNull(),
    kind: contestKind('kind').notNull(),
    name: text('name').notNull(),
    // The area whose voters decide it (the country, a district).
    areaId: text('area_id')
      .notNull()
      .references(() => areas.id),
    // Seats or winners: 1 for a presidency, 69 for the Mazhilis' party lists; null for a question.
    seats: smallint('seats'),
    // The share of the vote a list needs for seats, where the law sets one.
    thresholdPercent: numeric('threshold_percent', { precision: 6, scale: 3, mode: 'number' }),
    main: boolean('main').notNull().default(false),
    note: text('note'),
    // Its newest result version's number, kept by a trigger on result_versions.
    currentVersion: integer('current_version'),
    sourceId: text('source_id')
      .notNull()
      .references(() => sources.id),
  },
  (t) => [
    unique('contests_election_slug_key').on(t.electionId, t.slug),
    // What result_versions' (contest_id, election_id) refers to: a version's contest is its election's.
    unique('contests_id_election_key').on(t.id, t.electionId),
    uniqueIndex('contests_one_main_idx')
      .on(t.electionId)
      .where(sql`${t.main}`),
    index('contests_area_idx').on(t.areaId),
  ],
);

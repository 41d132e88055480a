import { integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { organisationKind } from './enums.js';
import { sources } from './sources.js';

// A party or nominating body (Kazakh nominators are often public associations), or an alliance.
export const organisations = pgTable('organisations', {
  id: text('id').primaryKey(),
  // The full name in English, as the sources print it.
  name: text('name').notNull(),
  kind: organisationKind('kind'),
  shortName: text('short_name'),
  abbreviation: text('abbreviation'),
  // #rrggbb, for charts; only with the source that gives it.
  colour: text('colour'),
  colourSourceId: text('colour_source_id').references(() => sources.id),
  sourceId: text('source_id')
    .notNull()
    .references(() => sources.id),
  // Bumped by every PATCH: the revision part of the ETag that If-Match checks.
  revision: integer('revision').notNull().default(1),
});

// The members of an alliance.
export const organisationMembers = pgTable(
  'organisation_members',
  {
    allianceId: text('alliance_id')
      .notNull()
      .references(() => organisations.id),
    memberId: text('member_id')
      .notNull()
      .references(() => organisations.id),
    sourceId: text('source_id')
      .notNull()
      .references(() => sources.id),
  },
  (t) => [primaryKey({ columns: [t.allianceId, t.memberId] })],
);

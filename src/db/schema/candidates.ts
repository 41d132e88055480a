import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import { sources } from './sources.js';

// A person: a candidate in some election, or a person the sources name. Their names, for display
// in other languages and for search, are in `names` (./names.ts).
export const candidates = pgTable('candidates', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  note: text('note'),
  sourceId: text('source_id')
    .notNull()
    .references(() => sources.id),
  // Bumped by every PATCH: the revision part of the ETag that If-Match checks.
  revision: integer('revision').notNull().default(1),
});

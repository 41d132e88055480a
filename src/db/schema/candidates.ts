import { index, pgTable, text } from 'drizzle-orm/pg-core';
import { sources } from './sources.js';

// A person: a candidate in some election, or a person the sources name.
export const candidates = pgTable(
  'candidates',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    // Lower-case, accent-free, hyphen-separated form of the name, for search.
    searchKey: text('search_key').notNull(),
    note: text('note'),
    sourceId: text('source_id')
      .notNull()
      .references(() => sources.id),
  },
  (t) => [index('candidates_search_key_idx').on(t.searchKey)],
);

import { pgTable, text } from 'drizzle-orm/pg-core';
import { sources } from './sources.js';

// A party or nominating body (Kazakh nominators are often public associations).
export const organisations = pgTable('organisations', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  sourceId: text('source_id')
    .notNull()
    .references(() => sources.id),
});

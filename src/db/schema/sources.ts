import { pgTable, text } from 'drizzle-orm/pg-core';
import { sourceKind } from './enums.js';

export const sources = pgTable('sources', {
  id: text('id').primaryKey(),
  publisher: text('publisher').notNull(),
  title: text('title'),
  url: text('url'),
  // ISO 8601 date or date-time, as precise as the source states it; null when it does not.
  published: text('published'),
  kind: sourceKind('kind').notNull(),
  language: text('language'),
  note: text('note'),
});

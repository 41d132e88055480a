import { char, pgTable, text } from 'drizzle-orm/pg-core';

export const countries = pgTable('countries', {
  code: char('code', { length: 2 }).primaryKey(),
  alpha3: char('alpha3', { length: 3 }).notNull().unique(),
  numeric: char('numeric', { length: 3 }).notNull(),
  name: text('name').notNull(),
});

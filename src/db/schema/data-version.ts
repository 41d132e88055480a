import { bigint, boolean, pgTable } from 'drizzle-orm/pg-core';

// A single row, bumped by statement triggers on every data table (migration 0003).
export const dataVersion = pgTable('data_version', {
  id: boolean('id').primaryKey().default(true),
  version: bigint('version', { mode: 'number' }).notNull(),
});

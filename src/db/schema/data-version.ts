import { sql } from 'drizzle-orm';
import { bigint, boolean, pgTable, timestamp } from 'drizzle-orm/pg-core';

// A single row, bumped by statement triggers on every data table (migration 0003).
export const dataVersion = pgTable('data_version', {
  id: boolean('id').primaryKey().default(true),
  version: bigint('version', { mode: 'number' }).notNull(),
  // When the last bump was made (the clock while its writer held the feed's lock, migration 0019):
  // what Last-Modified and If-Modified-Since read (src/db/last-modified.ts).
  updatedAt: timestamp('updated_at', { withTimezone: true })
    .notNull()
    .default(sql`clock_timestamp()`),
});

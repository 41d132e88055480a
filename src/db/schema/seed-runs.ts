import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

// One row per seed content applied (src/db/seed.ts): a start whose seed files, reference countries
// and code give a digest already here skips the seed (it would change nothing).
export const seedRuns = pgTable('seed_runs', {
  digest: text('digest').primaryKey(),
  appliedAt: timestamp('applied_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
});
